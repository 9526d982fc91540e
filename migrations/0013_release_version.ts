import { type Kysely, sql } from "kysely";

/** The latest official release, as POST /system/release/ last fetched it (official release_version). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE release_version (
      tag_name text PRIMARY KEY,
      published_at timestamptz NOT NULL
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE release_version`.execute(db);
}
