import { type Kysely, sql } from "kysely";

/**
 * Teams of an organisation, their members (a pending join request is an inactive member, as
 * officially) and the teams linked to a project with the role they play on it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE teams (
      id serial PRIMARY KEY,
      organisation_id integer NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      name text NOT NULL,
      logo text,
      description text,
      join_method text NOT NULL DEFAULT 'ANY' CHECK (join_method IN ('ANY', 'BY_REQUEST', 'BY_INVITE')),
      visibility text NOT NULL DEFAULT 'PUBLIC' CHECK (visibility IN ('PUBLIC', 'PRIVATE')),
      created timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX teams_organisation_idx ON teams (organisation_id);

    CREATE TABLE team_members (
      team_id integer NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      function text NOT NULL DEFAULT 'MEMBER' CHECK (function IN ('MANAGER', 'MEMBER')),
      active boolean NOT NULL DEFAULT false,
      join_request_notifications boolean NOT NULL DEFAULT false,
      joined_date timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (team_id, user_id)
    );
    CREATE INDEX team_members_user_idx ON team_members (user_id);

    CREATE TABLE project_teams (
      team_id integer NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
      project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('READ_ONLY', 'MAPPER', 'VALIDATOR', 'PROJECT_MANAGER')),
      PRIMARY KEY (team_id, project_id)
    );
    CREATE INDEX project_teams_project_idx ON project_teams (project_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE project_teams, team_members, teams`.execute(db);
}
