import { sql } from "kysely";
import type { DB } from "../database";
import { BULK_RULES, type BulkRequest } from "../../domain/tasks/bulk";

/** A snapshot of what a bulk operation will change: the tasks in scope and the locks it takes over. */
export async function bulkTargets(db: DB, request: BulkRequest) {
  const rule = BULK_RULES[request.operation];
  const rows = await sql<{ id: number; lock_workflow_id: string | null; lock_token: string | null }>`
    SELECT t.id, t.lock_workflow_id, t.lock_token FROM tasks t
    WHERE t.project_id = ${request.projectId} AND ${rule.scope(request)}
    ORDER BY t.id
  `.execute(db);
  const locks = new Map<string, { workflowId: string; token: string; taskIds: number[] }>();
  for (const r of rows.rows) {
    if (!r.lock_token) continue;
    const lock = locks.get(r.lock_token) ?? { workflowId: r.lock_workflow_id!, token: r.lock_token, taskIds: [] };
    lock.taskIds.push(r.id);
    locks.set(r.lock_token, lock);
  }
  return { taskIds: rows.rows.map((r) => r.id), locks: [...locks.values()] };
}

/**
 * Applies the operation to one batch of tasks in one transaction. Idempotent: a task already changed
 * no longer matches the scope, and its history row's key (`<bulk run>:<task>`) cannot be inserted twice.
 * Only tasks that are unlocked or held by a lock this operation took over are touched, so a lock taken
 * after the snapshot is left alone.
 */
export async function applyBulkBatch(db: DB, request: BulkRequest, runKey: string, taskIds: number[], overridden: { token: string; taskIds: number[] }[]): Promise<number> {
  const rule = BULK_RULES[request.operation];
  const overriddenTokens = overridden.map((l) => l.token);
  // The lock rows to close, named exactly so the lookup uses the unique index whatever the statistics say.
  const batch = new Set(taskIds);
  const lockRowKeys = overridden.flatMap((l) => l.taskIds.filter((id) => batch.has(id)).map((id) => `${l.token}:locked:${id}`));
  const newStatus = rule.newStatus(request);
  const result = await db.transaction().execute(async (trx) => {
    // The tasks are updated by primary key, not joined to a CTE: with stale statistics (a project
    // created since the last autoanalyze) the planner would nest-loop over the whole project per task.
    const inBatch = sql`t.project_id = ${request.projectId} AND t.id = ANY(${taskIds}::int[])
          AND (t.lock_token IS NULL OR t.lock_token = ANY(${overriddenTokens}::text[]))
          AND ${rule.scope(request)}`;
    const changed = await sql<{ id: number }>`
      WITH held AS (
        -- A plain read of the statement's snapshot: the UPDATE below takes the row locks (a FOR UPDATE
        -- here could run after it and skip the rows this statement already changed).
        SELECT t.id, t.lock_token, t.locked_at FROM tasks t
        WHERE ${inBatch} AND t.lock_token IS NOT NULL
      ), closed_locks AS (
        UPDATE task_history h SET action_text = to_char(now() - held.locked_at, 'HH24:MI:SS')
        FROM held
        WHERE h.idempotency_key = ANY(${lockRowKeys}::text[]) AND h.idempotency_key = held.lock_token || ':locked:' || held.id
      ), changed AS (
        UPDATE tasks t SET
          task_status = ${newStatus},
          mapped_by = ${rule.mappedBy(request)},
          validated_by = ${rule.validatedBy(request)},
          locked_by = NULL, locked_at = NULL, lock_expires_at = NULL, status_before_lock = NULL, lock_token = NULL, lock_workflow_id = NULL
        WHERE ${inBatch}
        RETURNING t.id
      )
      INSERT INTO task_history (project_id, task_id, action, action_text, user_id, idempotency_key)
      SELECT ${request.projectId}, id, 'STATE_CHANGE', ${newStatus}, ${request.userId}, ${runKey} || ':' || id FROM changed
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING task_id AS id
    `.execute(trx);
    return changed.rows.length;
  });
  return result;
}

/** How many of `taskIds` this bulk run has changed (its history rows), whichever attempt wrote them. */
export async function countBulkChanges(db: DB, runKey: string, taskIds: number[]): Promise<number> {
  const keys = taskIds.map((id) => `${runKey}:${id}`);
  const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM task_history WHERE idempotency_key = ANY(${keys}::text[])`.execute(db);
  return row.rows[0]!.n;
}
