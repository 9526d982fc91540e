import { type Kysely, sql } from "kysely";

/**
 * Messages (the official notifications inbox), the time each user last checked it, and the recipient
 * snapshots of running message-contributors workflows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE messages (
      id bigserial PRIMARY KEY,
      message text,
      subject text,
      from_user_id bigint REFERENCES users (id) ON DELETE SET NULL,
      to_user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      project_id integer REFERENCES projects (id) ON DELETE SET NULL,
      task_id integer,
      message_type text NOT NULL CHECK (message_type IN (
        'SYSTEM', 'BROADCAST', 'MENTION_NOTIFICATION', 'VALIDATION_NOTIFICATION', 'INVALIDATION_NOTIFICATION',
        'REQUEST_TEAM_NOTIFICATION', 'INVITATION_NOTIFICATION', 'TASK_COMMENT_NOTIFICATION', 'PROJECT_CHAT_NOTIFICATION',
        'PROJECT_ACTIVITY_NOTIFICATION', 'TEAM_BROADCAST', 'LOCK_EXPIRY_WARNING', 'LOCK_AUTO_RELEASED')),
      date timestamptz NOT NULL DEFAULT now(),
      read boolean NOT NULL DEFAULT false,
      -- Set by workflows and activities so that a retried write never sends the same message twice.
      idempotency_key text UNIQUE,
      -- When the email copy went out (at most once per message: only rows still NULL are emailed).
      emailed_at timestamptz
    );
    CREATE INDEX messages_to_user_date_idx ON messages (to_user_id, date);
    CREATE INDEX messages_to_user_type_idx ON messages (to_user_id, message_type);
    CREATE INDEX messages_to_user_project_idx ON messages (to_user_id, project_id, task_id);
    CREATE INDEX messages_unread_idx ON messages (to_user_id, date) WHERE NOT read;

    -- The official "notifications" row: when the user last looked at their inbox.
    CREATE TABLE notifications (
      user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      date timestamptz NOT NULL DEFAULT now()
    );

    -- Who a message-contributors workflow writes to, fixed when it starts so a crash cannot change it.
    CREATE TABLE message_recipients (
      workflow_id text NOT NULL,
      seq integer NOT NULL,
      user_id bigint NOT NULL,
      PRIMARY KEY (workflow_id, seq)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE message_recipients, notifications, messages`.execute(db);
}
