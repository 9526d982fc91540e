import { sql } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/database";
import type { TaskOutcome } from "../../db/queries/task-locks";
import type { UserRow } from "../../db/schema";
import { badRequest, forbidden, notFound } from "../../domain/errors";
import { loadProject, type ProjectRecord } from "../../domain/projects/access";
import { getTaskDTO } from "../../domain/tasks/dto";
import { lockRefusal, refusalError } from "../../domain/tasks/lock-rules";
import { type LockMode, MAPPING_RESULTS, VALIDATION_RESULTS } from "../../domain/tasks/state-machine";
import { undoLastAction } from "../../domain/tasks/undo";
import { acquireLock, lockHandle, runLockUpdate } from "../../temporal/task-locks";
import { extendLockUpdate, splitTaskUpdate, unlockTasksUpdate } from "../../../workflows/task-lock";
import type { RouteTable } from "../openapi/routes";
import { SuccessDTO } from "../schemas/fields";
import { ProjectParams, ProjectTaskParams, TaskDTO } from "../schemas/tasks";
import type { Services } from "../services";

const taskIdList = z.array(z.number().int().positive()).min(1).max(500);
const comment = z.string().max(5000).optional();
const validationIssues = z
  .array(z.object({ mappingIssueCategoryId: z.number().int().positive(), issue: z.string().min(1), count: z.number().int().min(1) }))
  .optional();
const TaskDTOs = z.object({ tasks: z.array(TaskDTO) }).meta({ id: "TaskDTOs" });

interface HeldLock {
  workflowId: string;
  token: string;
  taskIds: number[];
}

/**
 * The locks that hold `taskIds`, checked in the database before any workflow is asked: every task must
 * be locked in `mode` by `user` (official LockBeforeUnlocking / TaskNotOwned answers otherwise).
 */
async function heldLocks(db: DB, projectId: number, taskIds: number[], user: UserRow, mode: LockMode): Promise<HeldLock[]> {
  const rows = await db
    .selectFrom("tasks")
    .select(["id", "task_status", "locked_by", "lock_token", "lock_workflow_id"])
    .where("project_id", "=", projectId)
    .where("id", "in", taskIds)
    .execute();
  const byWorkflow = new Map<string, HeldLock>();
  for (const id of taskIds) {
    const task = rows.find((r) => r.id === id);
    if (!task) throw notFound(`Task ${id} not found`);
    const expected = mode === "MAPPING" ? "LOCKED_FOR_MAPPING" : "LOCKED_FOR_VALIDATION";
    if (task.task_status !== expected) throw forbidden(`Task ${id} must be ${expected} to do this`, "LockBeforeUnlocking");
    if (task.locked_by !== user.id) throw forbidden(`Task ${id} is locked by another user`, "TaskNotOwned");
    const lock = byWorkflow.get(task.lock_workflow_id!) ?? { workflowId: task.lock_workflow_id!, token: task.lock_token!, taskIds: [] };
    lock.taskIds.push(id);
    byWorkflow.set(lock.workflowId, lock);
  }
  return [...byWorkflow.values()];
}

function assertDistinct(ids: number[]): void {
  if (new Set(ids).size !== ids.length) throw badRequest("Task ids must not repeat");
}

async function assertIssueCategories(db: DB, issues: { mappingIssueCategoryId: number }[]): Promise<void> {
  const ids = [...new Set(issues.map((i) => i.mappingIssueCategoryId))];
  if (!ids.length) return;
  const found = await db.selectFrom("mapping_issue_categories").select("id").where("id", "in", ids).execute();
  if (found.length !== ids.length) throw badRequest("Unknown mappingIssueCategoryId in validationIssues");
}

export function taskActionRoutes(routes: RouteTable, services: Services): void {
  const { db, temporal, config } = services;
  const dtoOptions = { autoUnlockMs: config.taskAutoUnlockMs };
  const dtos = (projectId: number, taskIds: number[], locale: string) =>
    Promise.all(taskIds.map((id) => getTaskDTO(db, projectId, id, locale, dtoOptions)));

  async function lockTasks(project: ProjectRecord, user: UserRow, mode: LockMode, taskIds: number[]) {
    const refusal = await lockRefusal(db, project, user, mode, taskIds);
    if (refusal) throw refusalError(refusal);
    await acquireLock(temporal, {
      projectId: project.id,
      taskIds,
      userId: user.id,
      username: user.username,
      mode,
      lockDurationMs: config.taskAutoUnlockMs,
      expiryWarningMs: config.lockExpiryWarningMs,
    });
  }

  async function unlock(projectId: number, user: UserRow, mode: LockMode, kind: "UNLOCK" | "STOP", outcomes: TaskOutcome[]) {
    for (const lock of await heldLocks(db, projectId, outcomes.map((o) => o.taskId), user, mode)) {
      const mine = outcomes.filter((o) => lock.taskIds.includes(o.taskId));
      await runLockUpdate(() =>
        lockHandle(temporal, { lock_workflow_id: lock.workflowId, lock_token: lock.token }).executeUpdate(unlockTasksUpdate, {
          args: [{ userId: user.id, kind, outcomes: mine }],
        }),
      );
    }
  }

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/tasks/actions/lock-for-mapping/{task_id}/",
    tag: "tasks",
    summary: "Lock a READY, INVALIDATED or BADIMAGERY task for mapping; the lock expires after TM_TASK_AUTOUNLOCK_AFTER",
    auth: "required",
    params: ProjectTaskParams,
    responses: { 200: { description: "The locked task", schema: TaskDTO }, 409: { description: "License not accepted (UserLicenseError)" } },
    handler: async ({ params, user, locale }) => {
      const project = await loadProject(db, params.project_id, user, "view");
      await lockTasks(project, user!, "MAPPING", [params.task_id]);
      return getTaskDTO(db, project.id, params.task_id, locale, dtoOptions);
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/tasks/actions/unlock-after-mapping/{task_id}/",
    tag: "tasks",
    summary: "Hand in a mapping-locked task as MAPPED, BADIMAGERY or READY, with an optional comment",
    auth: "required",
    params: ProjectTaskParams,
    body: z.object({ status: z.enum(MAPPING_RESULTS), comment }),
    responses: { 200: { description: "The task after unlocking", schema: TaskDTO } },
    handler: async ({ params, body, user, locale }) => {
      await loadProject(db, params.project_id, user, "view");
      await unlock(params.project_id, user!, "MAPPING", "UNLOCK", [{ taskId: params.task_id, status: body.status, comment: body.comment }]);
      return getTaskDTO(db, params.project_id, params.task_id, locale, dtoOptions);
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/tasks/actions/stop-mapping/{task_id}/",
    tag: "tasks",
    summary: "Release a mapping lock without changing the task's status",
    auth: "required",
    params: ProjectTaskParams,
    body: z.object({ comment }),
    responses: { 200: { description: "The task after the lock is released", schema: TaskDTO } },
    handler: async ({ params, body, user, locale }) => {
      await loadProject(db, params.project_id, user, "view");
      await unlock(params.project_id, user!, "MAPPING", "STOP", [{ taskId: params.task_id, comment: body.comment }]);
      return getTaskDTO(db, params.project_id, params.task_id, locale, dtoOptions);
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/tasks/actions/undo-last-action/{task_id}/",
    tag: "tasks",
    summary: "Undo the last state change of an unlocked task (its author or a project manager)",
    auth: "required",
    params: ProjectTaskParams,
    responses: { 200: { description: "The task after the undo", schema: TaskDTO } },
    handler: async ({ params, user, locale }) => {
      const project = await loadProject(db, params.project_id, user, "view");
      await undoLastAction(db, project, params.task_id, user!);
      return getTaskDTO(db, project.id, params.task_id, locale, dtoOptions);
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/tasks/actions/lock-for-validation/",
    tag: "tasks",
    summary: "Lock one or more MAPPED tasks for validation, all or nothing",
    auth: "required",
    params: ProjectParams,
    body: z.object({ taskIds: taskIdList }),
    responses: { 200: { description: "The locked tasks", schema: TaskDTOs }, 409: { description: "License not accepted (UserLicenseError)" } },
    handler: async ({ params, body, user, locale }) => {
      assertDistinct(body.taskIds);
      const project = await loadProject(db, params.project_id, user, "view");
      await lockTasks(project, user!, "VALIDATION", body.taskIds);
      return { tasks: await dtos(project.id, body.taskIds, locale) };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/tasks/actions/unlock-after-validation/",
    tag: "tasks",
    summary: "Hand in validation results (VALIDATED or INVALIDATED per task, with comment and mapping issues)",
    auth: "required",
    params: ProjectParams,
    body: z.object({
      validatedTasks: z
        .array(z.object({ taskId: z.number().int().positive(), status: z.enum(VALIDATION_RESULTS), comment, validationIssues }))
        .min(1),
    }),
    responses: { 200: { description: "The tasks after validation", schema: TaskDTOs } },
    handler: async ({ params, body, user, locale }) => {
      const ids = body.validatedTasks.map((t) => t.taskId);
      assertDistinct(ids);
      await loadProject(db, params.project_id, user, "view");
      await assertIssueCategories(db, body.validatedTasks.flatMap((t) => t.validationIssues ?? []));
      const outcomes: TaskOutcome[] = body.validatedTasks.map((t) => ({ taskId: t.taskId, status: t.status, comment: t.comment, issues: t.validationIssues }));
      await unlock(params.project_id, user!, "VALIDATION", "UNLOCK", outcomes);
      return { tasks: await dtos(params.project_id, ids, locale) };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/tasks/actions/stop-validation/",
    tag: "tasks",
    summary: "Release validation locks without a result; the tasks return to their previous status",
    auth: "required",
    params: ProjectParams,
    body: z.object({ resetTasks: z.array(z.object({ taskId: z.number().int().positive(), comment, validationIssues })).min(1) }),
    responses: { 200: { description: "The tasks after release", schema: TaskDTOs } },
    handler: async ({ params, body, user, locale }) => {
      const ids = body.resetTasks.map((t) => t.taskId);
      assertDistinct(ids);
      await loadProject(db, params.project_id, user, "view");
      await unlock(params.project_id, user!, "VALIDATION", "STOP", body.resetTasks.map((t) => ({ taskId: t.taskId, comment: t.comment })));
      return { tasks: await dtos(params.project_id, ids, locale) };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/tasks/actions/extend/",
    tag: "tasks",
    summary: "Extend the caller's locks on these tasks by TM_TASK_AUTOUNLOCK_AFTER from now",
    auth: "required",
    params: ProjectParams,
    body: z.object({ taskIds: taskIdList }),
    responses: { 200: { description: "Extended", schema: SuccessDTO } },
    handler: async ({ params, body, user }) => {
      assertDistinct(body.taskIds);
      await loadProject(db, params.project_id, user, "view");
      const rows = await db.selectFrom("tasks").select(["id", "task_status"]).where("project_id", "=", params.project_id).where("id", "in", body.taskIds).execute();
      const modes = new Set(rows.map((r) => (r.task_status === "LOCKED_FOR_VALIDATION" ? "VALIDATION" : "MAPPING") as LockMode));
      for (const mode of modes) {
        const ids = rows.filter((r) => (r.task_status === "LOCKED_FOR_VALIDATION") === (mode === "VALIDATION")).map((r) => r.id);
        for (const lock of await heldLocks(db, params.project_id, ids, user!, mode)) {
          await runLockUpdate(() => lockHandle(temporal, { lock_workflow_id: lock.workflowId, lock_token: lock.token }).executeUpdate(extendLockUpdate, { args: [{ userId: user!.id }] }));
        }
      }
      if (rows.length !== body.taskIds.length) throw notFound("Task not found");
      return { Success: "Successfully extended task expiry" };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/tasks/actions/split/{task_id}/",
    tag: "tasks",
    summary: "Split a task the caller has locked for mapping into four READY tasks",
    auth: "required",
    params: ProjectTaskParams,
    responses: { 200: { description: "The new tasks", schema: TaskDTOs } },
    handler: async ({ params, user, locale }) => {
      await loadProject(db, params.project_id, user, "view");
      const task = await db
        .selectFrom("tasks")
        .select(["task_status", "locked_by", "lock_token", "lock_workflow_id", "zoom", "is_square"])
        .select(sql<number>`ST_Area(geometry::geography)`.as("area"))
        .where("project_id", "=", params.project_id)
        .where("id", "=", params.task_id)
        .executeTakeFirst();
      if (!task) throw notFound(`Task ${params.task_id} not found`);
      if (task.locked_by !== null && task.locked_by !== user!.id) throw forbidden("Task is locked by another user", "SplitOtherUserTask");
      if (task.task_status !== "LOCKED_FOR_MAPPING" || task.locked_by !== user!.id) throw forbidden("Lock the task for mapping before splitting it", "LockToSplit");
      if ((task.is_square && (task.zoom ?? 0) >= MAX_SPLIT_ZOOM) || task.area < MIN_SPLIT_AREA_M2) throw badRequest("Task is too small to be split", "SmallToSplit");
      const { newTaskIds } = await runLockUpdate(() =>
        lockHandle(temporal, task as { lock_workflow_id: string; lock_token: string }).executeUpdate(splitTaskUpdate, { args: [{ userId: user!.id, taskId: params.task_id }] }),
      );
      return { tasks: await dtos(params.project_id, newTaskIds, locale) };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/queries/tasks/locked/",
    tag: "users",
    summary: "The tasks the caller has locked",
    auth: "required",
    responses: {
      200: {
        description: "LockedTasksForUser",
        schema: z.object({ lockedTasks: z.array(z.number().int()), projectId: z.number().int().nullable(), taskStatus: z.string().nullable() }).meta({ id: "LockedTasksForUser" }),
      },
    },
    handler: async ({ user }) => {
      const locked = await lockedBy(db, user!.id);
      return { lockedTasks: locked.map((t) => t.id), projectId: locked[0]?.project_id ?? null, taskStatus: locked[0]?.task_status ?? null };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/queries/tasks/locked/details/",
    tag: "users",
    summary: "The tasks the caller has locked, as task DTOs",
    auth: "required",
    responses: { 200: { description: "TaskDTOs", schema: TaskDTOs } },
    handler: async ({ user, locale }) => {
      const locked = await lockedBy(db, user!.id);
      return { tasks: await Promise.all(locked.map((t) => getTaskDTO(db, t.project_id, t.id, locale, dtoOptions))) };
    },
  });
}

/** Square tasks stop splitting at this zoom; any task below this area (m²) is too small to split. */
const MAX_SPLIT_ZOOM = 22;
const MIN_SPLIT_AREA_M2 = 100;

function lockedBy(db: DB, userId: number) {
  return db
    .selectFrom("tasks")
    .select(["project_id", "id", "task_status"])
    .where("locked_by", "=", userId)
    .orderBy("project_id")
    .orderBy("id")
    .execute();
}
