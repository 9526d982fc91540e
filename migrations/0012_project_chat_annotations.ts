import { type Kysely, sql } from "kysely";

/**
 * The project chat (official project_chat) and task annotations written by outside tools
 * (official task_annotations: one row per project, task and annotation type).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE project_chat (
      id bigserial PRIMARY KEY,
      project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      time_stamp timestamptz NOT NULL DEFAULT now(),
      message text NOT NULL
    );
    CREATE INDEX project_chat_project_time_idx ON project_chat (project_id, time_stamp DESC, id DESC);

    CREATE TABLE task_annotations (
      id bigserial PRIMARY KEY,
      project_id integer NOT NULL,
      task_id integer NOT NULL,
      annotation_type text NOT NULL,
      annotation_source text,
      annotation_markdown text,
      updated_timestamp timestamptz NOT NULL DEFAULT now(),
      properties jsonb NOT NULL DEFAULT '{}'::jsonb,
      FOREIGN KEY (project_id, task_id) REFERENCES tasks (project_id, id) ON DELETE CASCADE,
      UNIQUE (project_id, task_id, annotation_type)
    );
    CREATE INDEX task_annotations_project_type_idx ON task_annotations (project_id, annotation_type);

    -- Activity and statistics read a project's history by action.
    CREATE INDEX task_history_project_action_idx ON task_history (project_id, action, action_date);
    -- Task statistics read state changes across projects by date.
    CREATE INDEX task_history_state_change_date_idx ON task_history (action_date) WHERE action = 'STATE_CHANGE';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX task_history_state_change_date_idx, task_history_project_action_idx;
    DROP TABLE task_annotations, project_chat;
  `.execute(db);
}
