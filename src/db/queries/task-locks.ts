import { sql } from "kysely";
import { notifyComment, notifyTaskValidation } from "./messages";
import { findUserById } from "./users";
import type { DB } from "../database";
import type { TaskStatus } from "../schema";
import { findProject } from "../../domain/projects/access";
import { lockRefusal, type Refusal, serialiseUser } from "../../domain/tasks/lock-rules";
import { HISTORY_ACTION, LOCKABLE_FROM, LOCKED_STATUS, type LockMode } from "../../domain/tasks/state-machine";

/**
 * The lock's writes to the PostgreSQL projection. Each function is one transaction, idempotent under
 * retry (history rows carry idempotency keys derived from the lock token), and fenced: it only touches
 * tasks whose lock_token is the caller's, so a late timer or a retried activity can never undo a
 * newer lock or a bulk change.
 */

export interface AcquireInput {
  projectId: number;
  taskIds: number[];
  userId: number;
  mode: LockMode;
  /** The fencing token: the lock workflow's run id. */
  token: string;
  workflowId: string;
  expiresAt: string;
}

export type AcquireResult = { ok: true; lockedAt: string } | { ok: false; refusal: Refusal };

const lockRowKey = (token: string, taskId: number) => `${token}:locked:${taskId}`;

export async function acquireTaskLock(db: DB, input: AcquireInput): Promise<AcquireResult> {
  return db.transaction().execute(async (trx): Promise<AcquireResult> => {
    const mine = await trx
      .selectFrom("tasks")
      .select(["id", "locked_at"])
      .where("project_id", "=", input.projectId)
      .where("lock_token", "=", input.token)
      .execute();
    if (mine.length === input.taskIds.length) return { ok: true, lockedAt: mine[0]!.locked_at!.toISOString() }; // a retry after commit

    await serialiseUser(trx, input.userId);
    const [project, user] = await Promise.all([findProject(trx, input.projectId), findUserById(trx, input.userId)]);
    if (!project || !user) return { ok: false, refusal: { status: 404, subCode: "NotFoundError", message: "Project or user not found" } };
    const refusal = await lockRefusal(trx, project, user, input.mode, input.taskIds);
    if (refusal) return { ok: false, refusal };

    const locked = await trx
      .updateTable("tasks")
      .set({
        task_status: LOCKED_STATUS[input.mode],
        status_before_lock: sql<TaskStatus>`task_status`,
        locked_by: input.userId,
        locked_at: sql<Date>`now()`,
        lock_expires_at: input.expiresAt,
        lock_token: input.token,
        lock_workflow_id: input.workflowId,
      })
      .where("project_id", "=", input.projectId)
      .where("id", "in", input.taskIds)
      .where("locked_by", "is", null)
      .where("task_status", "in", LOCKABLE_FROM[input.mode] as TaskStatus[])
      .returning(["id", "locked_at"])
      .execute();
    if (locked.length !== input.taskIds.length) {
      // Another lock won a task between the rule check and the update: all or nothing.
      throw new LockLostRace();
    }
    await trx
      .insertInto("task_history")
      .values(
        input.taskIds.map((taskId) => ({
          project_id: input.projectId,
          task_id: taskId,
          action: HISTORY_ACTION.locked[input.mode],
          user_id: input.userId,
          idempotency_key: lockRowKey(input.token, taskId),
        })),
      )
      .onConflict((oc) => oc.column("idempotency_key").doNothing())
      .execute();
    return { ok: true, lockedAt: locked[0]!.locked_at!.toISOString() };
  }).catch((err) => {
    if (err instanceof LockLostRace) {
      return { ok: false as const, refusal: { status: 403, subCode: "LockedByAnotherUser", message: "Task was locked by another user" } };
    }
    throw err;
  });
}

class LockLostRace extends Error {}

export interface MappingIssueInput {
  mappingIssueCategoryId: number;
  issue: string;
  count: number;
}

export interface TaskOutcome {
  taskId: number;
  /** The new status, or undefined to return to the status before the lock. */
  status?: "MAPPED" | "BADIMAGERY" | "READY" | "VALIDATED" | "INVALIDATED";
  comment?: string;
  issues?: MappingIssueInput[];
}

export type ReleaseKind = "UNLOCK" | "STOP" | "EXPIRE";

export interface ReleaseInput {
  projectId: number;
  token: string;
  userId: number;
  mode: LockMode;
  /** UNLOCK and STOP end the lock of the tasks named in `outcomes`; EXPIRE ends it for every task it holds. */
  kind: ReleaseKind;
  outcomes: TaskOutcome[];
}

/** Ends a lock: records its duration, comments and state changes, and sets each task's new status. */
export async function releaseTaskLock(db: DB, input: ReleaseInput): Promise<{ released: number[] }> {
  return db.transaction().execute(async (trx) => {
    const held = await trx
      .selectFrom("tasks")
      .select(["id", "status_before_lock", "mapped_by", "locked_at"])
      .where("project_id", "=", input.projectId)
      .where("lock_token", "=", input.token)
      .$if(input.kind !== "EXPIRE", (qb) => qb.where("id", "in", input.outcomes.map((o) => o.taskId)))
      .forUpdate()
      .execute();
    if (held.length === 0) return { released: [] }; // already released by this lock (a retry) or fenced off
    const outcomes = new Map(input.outcomes.map((o) => [o.taskId, o]));

    for (const task of held) {
      const outcome = outcomes.get(task.id) ?? { taskId: task.id };
      const key = (what: string) => `${input.token}:${what}:${task.id}`;
      await trx
        .updateTable("task_history")
        .set({
          action_text: sql<string>`to_char(now() - ${task.locked_at}::timestamptz, 'HH24:MI:SS')`,
          ...(input.kind === "EXPIRE" ? { action: HISTORY_ACTION.autoUnlocked[input.mode] } : {}),
        })
        .where("idempotency_key", "=", lockRowKey(input.token, task.id))
        .execute();
      if (outcome.comment) {
        const commentId = await insertHistory(trx, input, task.id, "COMMENT", outcome.comment, key("comment"));
        // Users a hand-in comment mentions hear of it, as with any task comment.
        if (commentId) await notifyComment(trx, { projectId: input.projectId, taskId: task.id, authorId: input.userId, text: outcome.comment, followers: false });
      }
      const newStatus: TaskStatus = outcome.status ?? task.status_before_lock ?? "READY";
      if (outcome.status) {
        const historyId = await insertHistory(trx, input, task.id, "STATE_CHANGE", outcome.status, key("state"));
        if (historyId && outcome.issues?.length) {
          await trx
            .insertInto("task_mapping_issues")
            .values(outcome.issues.map((i) => ({ task_history_id: historyId, issue: i.issue, mapping_issue_category_id: i.mappingIssueCategoryId, count: i.count })))
            .execute();
        }
        if (historyId && outcome.status === "INVALIDATED") await recordInvalidation(trx, input, task.id, task.mapped_by, historyId);
        if (historyId && outcome.status === "VALIDATED") await closeInvalidations(trx, input, task.id);
        if (historyId && (outcome.status === "VALIDATED" || outcome.status === "INVALIDATED")) {
          const note = { projectId: input.projectId, taskId: task.id, status: outcome.status, mapperId: task.mapped_by, validatorId: input.userId };
          await notifyTaskValidation(trx, { ...note, comment: outcome.comment, key: `${key("state")}:message` });
        }
      }
      await trx
        .updateTable("tasks")
        .set({
          task_status: newStatus,
          ...clearedLock,
          ...(outcome.status === "MAPPED" || (outcome.status === "BADIMAGERY" && input.mode === "MAPPING") ? { mapped_by: input.userId } : {}),
          ...(outcome.status === "VALIDATED" ? { validated_by: input.userId } : {}),
          ...(outcome.status === "INVALIDATED" ? { validated_by: null } : {}),
        })
        .where("project_id", "=", input.projectId)
        .where("id", "=", task.id)
        .where("lock_token", "=", input.token)
        .execute();
    }
    if (input.kind === "UNLOCK") await bumpUserCounters(trx, input);
    return { released: held.map((t) => t.id) };
  });
}

export const clearedLock = {
  locked_by: null,
  locked_at: null,
  lock_expires_at: null,
  status_before_lock: null,
  lock_token: null,
  lock_workflow_id: null,
} as const;

/** A comment outside a lock (the task comments route): a COMMENT history row like those the lock writes. */
export function insertTaskComment(trx: DB, input: { projectId: number; taskId: number; userId: number; comment: string }): Promise<number | undefined> {
  return insertHistory(trx, input, input.taskId, "COMMENT", input.comment, null);
}

/** `key` makes a retried lock activity write the row once; a one-off write (a route) passes null. */
async function insertHistory(trx: DB, input: { projectId: number; userId: number }, taskId: number, action: string, text: string, key: string | null): Promise<number | undefined> {
  const row = await trx
    .insertInto("task_history")
    .values({ project_id: input.projectId, task_id: taskId, action, action_text: text, user_id: input.userId, idempotency_key: key })
    .onConflict((oc) => oc.column("idempotency_key").doNothing())
    .returning("id")
    .executeTakeFirst();
  return row?.id;
}

async function recordInvalidation(trx: DB, input: ReleaseInput, taskId: number, mapperId: number | null, historyId: number) {
  await trx
    .insertInto("task_invalidation_history")
    .values({
      project_id: input.projectId,
      task_id: taskId,
      mapper_id: mapperId,
      mapped_date: sql<Date>`(SELECT max(action_date) FROM task_history WHERE project_id = ${input.projectId} AND task_id = ${taskId} AND action = 'STATE_CHANGE' AND action_text = 'MAPPED')`,
      invalidator_id: input.userId,
      invalidated_date: sql<Date>`now()`,
      invalidation_history_id: historyId,
    })
    .execute();
}

async function closeInvalidations(trx: DB, input: ReleaseInput, taskId: number) {
  await trx
    .updateTable("task_invalidation_history")
    .set({ is_closed: true, validator_id: input.userId, validated_date: sql<string>`now()`, updated_date: sql<string>`now()` })
    .where("project_id", "=", input.projectId)
    .where("task_id", "=", taskId)
    .where("is_closed", "=", false)
    .execute();
}

async function bumpUserCounters(trx: DB, input: ReleaseInput) {
  const mapped = input.outcomes.filter((o) => o.status === "MAPPED").length;
  const validated = input.outcomes.filter((o) => o.status === "VALIDATED").length;
  const invalidated = input.outcomes.filter((o) => o.status === "INVALIDATED").length;
  if (mapped + validated + invalidated === 0) return;
  await trx
    .updateTable("users")
    .set((eb) => ({
      tasks_mapped: eb("tasks_mapped", "+", mapped),
      tasks_validated: eb("tasks_validated", "+", validated),
      tasks_invalidated: eb("tasks_invalidated", "+", invalidated),
      ...(validated + invalidated > 0 ? { last_validation_date: sql<Date>`now()` } : {}),
    }))
    .where("id", "=", input.userId)
    .execute();
}

/** Moves the lock's expiry and records EXTENDED_FOR_*; `sequence` numbers the extensions of one lock. */
export async function extendTaskLock(db: DB, input: { projectId: number; token: string; userId: number; mode: LockMode; expiresAt: string; sequence: number }) {
  return db.transaction().execute(async (trx) => {
    const extended = await trx
      .updateTable("tasks")
      .set({ lock_expires_at: input.expiresAt })
      .where("project_id", "=", input.projectId)
      .where("lock_token", "=", input.token)
      .returning("id")
      .execute();
    if (extended.length) {
      await trx
        .insertInto("task_history")
        .values(
          extended.map((t) => ({
            project_id: input.projectId,
            task_id: t.id,
            action: HISTORY_ACTION.extended[input.mode],
            user_id: input.userId,
            idempotency_key: `${input.token}:extended-${input.sequence}:${t.id}`,
          })),
        )
        .onConflict((oc) => oc.column("idempotency_key").doNothing())
        .execute();
    }
    return { extended: extended.map((t) => t.id) };
  });
}

/**
 * Splits a mapping-locked task into four READY tasks (quadrants of its box, intersected with its shape;
 * square tasks become the four tiles of the next zoom), marks it SPLIT and ends the lock.
 */
export async function splitLockedTask(db: DB, input: { projectId: number; taskId: number; token: string; userId: number }): Promise<{ newTaskIds: number[] }> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT 1 FROM projects WHERE id = ${input.projectId} FOR UPDATE`.execute(trx);
    const parent = await trx
      .selectFrom("tasks")
      .select(["id", "x", "y", "zoom", "is_square", "locked_at"])
      .where("project_id", "=", input.projectId)
      .where("id", "=", input.taskId)
      .where("lock_token", "=", input.token)
      .executeTakeFirst();
    if (!parent) {
      const children = await trx.selectFrom("tasks").select("id").where("project_id", "=", input.projectId).where("parent_task_id", "=", input.taskId).orderBy("id").execute();
      return { newTaskIds: children.map((c) => c.id) }; // already split by this lock (a retry)
    }
    const square = parent.is_square && parent.x !== null && parent.y !== null && parent.zoom !== null;
    // Square tasks split in Web Mercator so the children are exactly the next zoom's tiles.
    const created = await sql<{ id: number }>`
      WITH parent AS (
        SELECT geometry, ${square ? sql`ST_Transform(geometry, 3857)` : sql`geometry`} AS g FROM tasks
        WHERE project_id = ${input.projectId} AND id = ${input.taskId}
      ), box AS (
        SELECT ST_XMin(g) x0, ST_YMin(g) y0, ST_XMax(g) x1, ST_YMax(g) y1, (ST_XMin(g) + ST_XMax(g)) / 2 xm, (ST_YMin(g) + ST_YMax(g)) / 2 ym, g, geometry FROM parent
      ), quadrants AS (
        SELECT q.dx, q.dy, ST_MakeEnvelope(
                 CASE q.dx WHEN 0 THEN x0 ELSE xm END, CASE q.dy WHEN 0 THEN ym ELSE y0 END,
                 CASE q.dx WHEN 0 THEN xm ELSE x1 END, CASE q.dy WHEN 0 THEN y1 ELSE ym END,
                 ${square ? sql`3857` : sql`4326`}) AS cell, g
        FROM box, (VALUES (0, 0), (1, 0), (0, 1), (1, 1)) AS q (dx, dy)
      ), pieces AS (
        SELECT dx, dy, ${square ? sql`ST_Transform(cell, 4326)` : sql`ST_CollectionExtract(ST_Intersection(cell, g), 3)`} AS piece
        FROM quadrants
      ), numbered AS (
        SELECT dx, dy, piece, (SELECT max(id) FROM tasks WHERE project_id = ${input.projectId}) + row_number() OVER (ORDER BY dy, dx) AS id
        FROM pieces WHERE NOT ST_IsEmpty(piece)
      )
      INSERT INTO tasks (project_id, id, x, y, zoom, is_square, geometry, parent_task_id)
      SELECT ${input.projectId}, id,
             ${square ? sql`${parent.x}::int * 2 + dx` : sql`NULL`},
             ${square ? sql`${parent.y}::int * 2 + (1 - dy)` : sql`NULL`}, -- y counts from the south (TMS), dy = 0 is the north half
             ${square ? sql`${parent.zoom}::int + 1` : sql`NULL`},
             ${square}, ST_Multi(piece), ${input.taskId}
      FROM numbered ORDER BY id
      RETURNING id
    `.execute(trx);
    await trx
      .updateTable("task_history")
      .set({ action_text: sql<string>`to_char(now() - ${parent.locked_at}::timestamptz, 'HH24:MI:SS')` })
      .where("idempotency_key", "=", lockRowKey(input.token, input.taskId))
      .execute();
    await insertHistory(trx, input, input.taskId, "STATE_CHANGE", "SPLIT", `${input.token}:state:${input.taskId}`);
    await trx
      .updateTable("tasks")
      .set({ task_status: "SPLIT", ...clearedLock })
      .where("project_id", "=", input.projectId)
      .where("id", "=", input.taskId)
      .execute();
    return { newTaskIds: created.rows.map((r) => r.id) };
  });
}
