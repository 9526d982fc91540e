import { sql } from "kysely";
import type { DB } from "../../src/db/database";

/**
 * `count` new users who each mapped task `taskId` of a project (a STATE_CHANGE in its history), made
 * with two set-wise statements so suites and benchmarks can have thousands of contributors quickly.
 */
export async function insertContributors(db: DB, projectId: number, count: number, options: { taskId?: number; prefix?: string } = {}): Promise<number[]> {
  const prefix = options.prefix ?? `contributor_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const rows = await sql<{ user_id: number }>`
    WITH created AS (
      INSERT INTO users (id, username)
      SELECT nextval('local_user_id_seq'), ${prefix} || '_' || g FROM generate_series(1, ${count}::int) g
      RETURNING id
    )
    INSERT INTO task_history (project_id, task_id, action, action_text, user_id)
    SELECT ${projectId}::int, ${options.taskId ?? 1}::int, 'STATE_CHANGE', 'MAPPED', id FROM created
    RETURNING user_id
  `.execute(db);
  return rows.rows.map((r) => r.user_id);
}

/** Messages per recipient that some sender sent as BROADCAST (the contributors' inbox, as a map). */
export async function broadcastsBySender(db: DB, senderId: number): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom("messages")
    .select(["to_user_id", (eb) => eb.fn.countAll<number>().as("n")])
    .where("from_user_id", "=", senderId)
    .where("message_type", "=", "BROADCAST")
    .groupBy("to_user_id")
    .execute();
  return new Map(rows.map((r) => [r.to_user_id, Number(r.n)]));
}
