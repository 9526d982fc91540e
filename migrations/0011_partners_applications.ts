import { type Kysely, sql } from "kysely";

/**
 * Partners (sponsors whose projects get their own statistics page), the projects they are linked to over a
 * date range with the history of those links, and users' application keys.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE partners (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE,
      primary_hashtag text NOT NULL,
      secondary_hashtag text,
      logo_url text,
      link_meta text,
      link_x text,
      link_instagram text,
      current_projects text,
      permalink text UNIQUE,
      -- [{"name": ..., "url": ...}], as the official API stores them.
      website_links jsonb NOT NULL DEFAULT '[]'::jsonb,
      mapswipe_group_id text
    );

    CREATE TABLE project_partnerships (
      id serial PRIMARY KEY,
      project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      partner_id integer NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
      started_on timestamptz NOT NULL DEFAULT now(),
      ended_on timestamptz,
      CHECK (ended_on IS NULL OR ended_on >= started_on)
    );
    CREATE INDEX project_partnerships_project_idx ON project_partnerships (project_id);
    CREATE INDEX project_partnerships_partner_idx ON project_partnerships (partner_id);

    -- Every create, change and delete of a partnership, kept after the partnership itself is gone.
    CREATE TABLE project_partnership_history (
      id bigserial PRIMARY KEY,
      partnership_id integer NOT NULL,
      project_id integer NOT NULL,
      partner_id integer NOT NULL,
      started_on_old timestamptz,
      ended_on_old timestamptz,
      started_on_new timestamptz,
      ended_on_new timestamptz,
      action text NOT NULL CHECK (action IN ('CREATE', 'DELETE', 'UPDATE')),
      action_date timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX project_partnership_history_partnership_idx ON project_partnership_history (partnership_id);

    -- A key a user creates for scripts: sent as 'Authorization: Token <key>', it authenticates as that user until deleted.
    CREATE TABLE application_keys (
      id serial PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      app_key text NOT NULL UNIQUE,
      created timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX application_keys_user_idx ON application_keys (user_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE application_keys, project_partnership_history, project_partnerships, partners`.execute(db);
}
