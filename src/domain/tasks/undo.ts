import { sql } from "kysely";
import type { DB } from "../../db/database";
import type { TaskStatus, UserRow } from "../../db/schema";
import { forbidden, notFound } from "../errors";
import { managesProject } from "../permissions";
import type { ProjectRecord } from "../projects/access";

/**
 * Undo the last state change of an unlocked task (official undo_mapping): allowed to whoever made
 * that change, or to a project manager. The task returns to the status it had before, recorded as a
 * COMMENT ("Undo state from X to Y") and a STATE_CHANGE row.
 */
export async function undoLastAction(db: DB, project: ProjectRecord, taskId: number, user: UserRow): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const task = await trx
      .selectFrom("tasks")
      .select(["task_status", "locked_by"])
      .where("project_id", "=", project.id)
      .where("id", "=", taskId)
      .forUpdate()
      .executeTakeFirst();
    if (!task) throw notFound(`Task ${taskId} not found`);
    if (task.locked_by !== null || task.task_status === "READY" || task.task_status === "SPLIT") {
      throw forbidden("Task is locked or has no action to undo", "UndoPermissionError");
    }
    const changes = await trx
      .selectFrom("task_history")
      .select(["action_text", "user_id"])
      .where("project_id", "=", project.id)
      .where("task_id", "=", taskId)
      .where("action", "=", "STATE_CHANGE")
      .orderBy("action_date", "desc")
      .orderBy("id", "desc")
      .limit(2)
      .execute();
    const last = changes[0];
    if (!last || (last.user_id !== user.id && !(await managesProject(trx, user, project)))) {
      throw forbidden("User may not undo the last action on this task", "UndoPermissionError");
    }
    const previous = (changes[1]?.action_text ?? "READY") as TaskStatus;
    const undoTo: TaskStatus = previous === "LOCKED_FOR_MAPPING" || previous === "LOCKED_FOR_VALIDATION" ? "READY" : previous;
    await trx
      .insertInto("task_history")
      .values([
        { project_id: project.id, task_id: taskId, action: "COMMENT", action_text: `Undo state from ${task.task_status} to ${undoTo}`, user_id: user.id },
        { project_id: project.id, task_id: taskId, action: "STATE_CHANGE", action_text: undoTo, user_id: user.id, action_date: sql<string>`now() + interval '1 microsecond'` },
      ])
      .execute();
    await trx
      .updateTable("tasks")
      .set({
        task_status: undoTo,
        ...(undoTo === "READY" || undoTo === "INVALIDATED" ? { mapped_by: null } : {}),
        ...(task.task_status === "VALIDATED" ? { validated_by: null } : {}),
      })
      .where("project_id", "=", project.id)
      .where("id", "=", taskId)
      .execute();
  });
}
