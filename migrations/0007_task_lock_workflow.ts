import { type Kysely, sql } from "kysely";

/** Tasks remember which workflow holds their lock, so any later call can reach it by id. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE tasks ADD COLUMN lock_workflow_id text`.execute(db);
  await sql`ALTER TABLE tasks ADD CONSTRAINT tasks_lock_fenced CHECK ((locked_by IS NULL) = (lock_token IS NULL))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE tasks DROP CONSTRAINT tasks_lock_fenced`.execute(db);
  await sql`ALTER TABLE tasks DROP COLUMN lock_workflow_id`.execute(db);
}
