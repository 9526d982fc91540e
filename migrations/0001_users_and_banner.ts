import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS postgis`.execute(db);

  // Users are keyed by their OSM user id. Accounts made locally (CLI, tests) draw from a range far
  // above today's OSM ids so they can never collide with a real OSM account that logs in later.
  await sql`CREATE SEQUENCE local_user_id_seq START WITH 9000000001`.execute(db);

  await db.schema
    .createTable("users")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("username", "text", (c) => c.notNull().unique())
    .addColumn("role", "text", (c) => c.notNull().defaultTo("MAPPER").check(sql`role IN ('READ_ONLY', 'MAPPER', 'ADMIN')`))
    .addColumn("mapping_level", "text", (c) => c.notNull().defaultTo("BEGINNER"))
    .addColumn("email_address", "text")
    .addColumn("is_email_verified", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("is_expert", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("twitter_id", "text")
    .addColumn("facebook_id", "text")
    .addColumn("linkedin_id", "text")
    .addColumn("slack_id", "text")
    .addColumn("irc_id", "text")
    .addColumn("skype_id", "text")
    .addColumn("city", "text")
    .addColumn("country", "text")
    .addColumn("name", "text")
    .addColumn("picture_url", "text")
    .addColumn("default_editor", "text", (c) => c.notNull().defaultTo("ID"))
    .addColumn("mentions_notifications", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("questions_and_comments_notifications", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("projects_notifications", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("tasks_notifications", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("task_validation_notification", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("task_invalidation_notification", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("task_comments_notifications", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("teams_announcement_notifications", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("gender", "text")
    .addColumn("self_description_gender", "text")
    .addColumn("date_registered", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_validation_date", "timestamptz")
    .addColumn("tasks_mapped", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("tasks_validated", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("tasks_invalidated", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`CREATE INDEX users_username_lower_idx ON users (lower(username))`.execute(db);
  await db.schema.createIndex("users_role_idx").on("users").column("role").execute();

  // The site-wide banner: a single row.
  await db.schema
    .createTable("banner")
    .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("visible", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`INSERT INTO banner (id, message, visible) VALUES (1, 'Welcome to the Tasking Manager', false)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("banner").execute();
  await db.schema.dropTable("users").execute();
  await sql`DROP SEQUENCE local_user_id_seq`.execute(db);
}
