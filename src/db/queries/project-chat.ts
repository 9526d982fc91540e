import { sql } from "kysely";
import type { DB } from "../database";

/** The project chat (official ProjectChat) and the comments on one task (COMMENT rows of task_history). */

export async function listChatMessages(db: DB, projectId: number, page: { page: number; perPage: number }) {
  const [rows, total] = await Promise.all([
    db
      .selectFrom("project_chat as c")
      .innerJoin("users as u", "u.id", "c.user_id")
      .select(["c.id", "c.message", "c.time_stamp", "u.username", "u.picture_url"])
      .where("c.project_id", "=", projectId)
      .orderBy("c.time_stamp", "desc")
      .orderBy("c.id", "desc")
      .limit(page.perPage)
      .offset((page.page - 1) * page.perPage)
      .execute(),
    countChatMessages(db, projectId),
  ]);
  return { rows, total };
}

export async function countChatMessages(db: DB, projectId: number): Promise<number> {
  const row = await db.selectFrom("project_chat").select(sql<number>`count(*)::int`.as("n")).where("project_id", "=", projectId).executeTakeFirstOrThrow();
  return row.n;
}

export async function insertChatMessage(db: DB, row: { projectId: number; userId: number; message: string }): Promise<number> {
  const inserted = await db
    .insertInto("project_chat")
    .values({ project_id: row.projectId, user_id: row.userId, message: row.message })
    .returning("id")
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export function findChatMessage(db: DB, projectId: number, messageId: number) {
  return db.selectFrom("project_chat").select(["id", "user_id"]).where("project_id", "=", projectId).where("id", "=", messageId).executeTakeFirst();
}

export async function deleteChatMessage(db: DB, messageId: number): Promise<void> {
  await db.deleteFrom("project_chat").where("id", "=", messageId).execute();
}

/** A task's comments, newest first, with their authors. */
export function taskComments(db: DB, projectId: number, taskId: number) {
  return db
    .selectFrom("task_history as h")
    .innerJoin("users as u", "u.id", "h.user_id")
    .select(["h.task_id", "h.action_text", "h.action_date", "u.username"])
    .where("h.project_id", "=", projectId)
    .where("h.task_id", "=", taskId)
    .where("h.action", "=", "COMMENT")
    .orderBy("h.action_date", "desc")
    .orderBy("h.id", "desc")
    .execute();
}

export async function taskExists(db: DB, projectId: number, taskId: number): Promise<boolean> {
  const row = await db.selectFrom("tasks").select("id").where("project_id", "=", projectId).where("id", "=", taskId).executeTakeFirst();
  return row !== undefined;
}
