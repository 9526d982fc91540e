import { type Kysely, sql } from "kysely";

/**
 * Mapping levels and badges (the official MappingLevel / MappingBadge models), the badges a user
 * earned, level nominations and their approval votes, users' cached ohsome statistics, and emails
 * registered without an OSM account.
 *
 * users.mapping_level stays the level's name (the lock rules read it); a foreign key keeps it naming
 * a real level and follows renames.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE mapping_levels (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE,
      image_path text,
      approvals_required integer NOT NULL DEFAULT 0 CHECK (approvals_required >= 0),
      color text,
      ordering integer NOT NULL UNIQUE,
      is_beginner boolean NOT NULL DEFAULT false
    );
    INSERT INTO mapping_levels (name, approvals_required, color, ordering, is_beginner) VALUES
      ('BEGINNER', 0, NULL, 1, true),
      ('INTERMEDIATE', 0, NULL, 2, false),
      ('ADVANCED', 0, NULL, 3, false);
    UPDATE users SET mapping_level = 'BEGINNER'
      WHERE mapping_level NOT IN ('BEGINNER', 'INTERMEDIATE', 'ADVANCED');
    ALTER TABLE users ADD CONSTRAINT users_mapping_level_fkey
      FOREIGN KEY (mapping_level) REFERENCES mapping_levels (name) ON UPDATE CASCADE;

    CREATE TABLE mapping_badges (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE,
      description text NOT NULL DEFAULT '',
      image_path text,
      -- JSON object of statistic name to the value needed, e.g. {"changeset": 100}.
      requirements text,
      is_enabled boolean NOT NULL DEFAULT false,
      is_internal boolean NOT NULL DEFAULT false
    );

    CREATE TABLE mapping_level_badges (
      level_id integer NOT NULL REFERENCES mapping_levels (id) ON DELETE CASCADE,
      badge_id integer NOT NULL REFERENCES mapping_badges (id) ON DELETE CASCADE,
      PRIMARY KEY (level_id, badge_id)
    );

    CREATE TABLE user_badges (
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      badge_id integer NOT NULL REFERENCES mapping_badges (id) ON DELETE CASCADE,
      assigned_date timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, badge_id)
    );

    -- A user who earned the next level's badges but whose level needs approvals first.
    CREATE TABLE user_next_level (
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      level_id integer NOT NULL REFERENCES mapping_levels (id) ON DELETE CASCADE,
      nomination_date timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, level_id)
    );

    CREATE TABLE user_level_votes (
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      level_id integer NOT NULL REFERENCES mapping_levels (id) ON DELETE CASCADE,
      voter_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      vote_date timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, level_id, voter_id)
    );

    CREATE TABLE user_stats (
      user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      stats jsonb NOT NULL,
      date_obtained timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE users_with_email (
      id serial PRIMARY KEY,
      email text NOT NULL
    );
    CREATE UNIQUE INDEX users_with_email_lower_idx ON users_with_email (lower(email));
    CREATE INDEX users_email_lower_idx ON users (lower(email_address));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX users_email_lower_idx;
    DROP TABLE users_with_email, user_stats, user_level_votes, user_next_level, user_badges, mapping_level_badges, mapping_badges;
    ALTER TABLE users DROP CONSTRAINT users_mapping_level_fkey;
    DROP TABLE mapping_levels;
  `.execute(db);
}
