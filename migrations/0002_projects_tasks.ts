import { type Kysely, sql } from "kysely";

/**
 * Organisations, projects (AOI in PostGIS), per-locale info, the task grid with its lock columns,
 * task history, licenses, interests, campaigns and favourites.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE organisations (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE,
      slug text NOT NULL UNIQUE,
      logo text,
      description text,
      url text,
      type text NOT NULL DEFAULT 'FREE' CHECK (type IN ('FREE', 'DISCOUNTED', 'FULL_FEE')),
      subscription_tier integer
    );
    CREATE TABLE organisation_managers (
      organisation_id integer NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      PRIMARY KEY (organisation_id, user_id)
    );
    CREATE INDEX organisation_managers_user_idx ON organisation_managers (user_id);

    CREATE TABLE licenses (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE,
      description text,
      plain_text text
    );
    CREATE TABLE user_licenses (
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      license_id integer NOT NULL REFERENCES licenses (id) ON DELETE CASCADE,
      PRIMARY KEY (user_id, license_id)
    );

    CREATE TABLE interests (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE
    );
    CREATE TABLE user_interests (
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      interest_id integer NOT NULL REFERENCES interests (id) ON DELETE CASCADE,
      PRIMARY KEY (user_id, interest_id)
    );

    CREATE TABLE campaigns (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE,
      logo text,
      url text,
      description text
    );
    CREATE TABLE campaign_organisations (
      campaign_id integer NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      organisation_id integer NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      PRIMARY KEY (campaign_id, organisation_id)
    );

    CREATE TABLE projects (
      id serial PRIMARY KEY,
      status text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('ARCHIVED', 'PUBLISHED', 'DRAFT')),
      created timestamptz NOT NULL DEFAULT now(),
      last_updated timestamptz NOT NULL DEFAULT now(),
      due_date timestamptz,
      author_id bigint NOT NULL REFERENCES users (id),
      organisation_id integer NOT NULL REFERENCES organisations (id),
      priority text NOT NULL DEFAULT 'MEDIUM' CHECK (priority IN ('URGENT', 'HIGH', 'MEDIUM', 'LOW')),
      difficulty text NOT NULL DEFAULT 'EASY' CHECK (difficulty IN ('EASY', 'MODERATE', 'CHALLENGING')),
      default_locale text NOT NULL DEFAULT 'en',
      mapping_permission text NOT NULL DEFAULT 'ANY',
      validation_permission text NOT NULL DEFAULT 'ANY',
      mapping_permission_level_id integer,
      validation_permission_level_id integer,
      enforce_random_task_selection boolean NOT NULL DEFAULT false,
      private boolean NOT NULL DEFAULT false,
      featured boolean NOT NULL DEFAULT false,
      changeset_comment text,
      osmcha_filter_id text,
      imagery text,
      josm_preset text,
      id_presets text[] NOT NULL DEFAULT '{}',
      extra_id_params text,
      rapid_power_user boolean NOT NULL DEFAULT false,
      mapping_types text[] NOT NULL DEFAULT '{}',
      mapping_editors text[] NOT NULL DEFAULT '{ID,JOSM,POTLATCH_2,FIELD_PAPERS,RAPID}',
      validation_editors text[] NOT NULL DEFAULT '{ID,JOSM,POTLATCH_2,FIELD_PAPERS,RAPID}',
      license_id integer REFERENCES licenses (id) ON DELETE SET NULL,
      country_tag text[] NOT NULL DEFAULT '{}',
      task_creation_mode text NOT NULL DEFAULT 'GRID' CHECK (task_creation_mode IN ('GRID', 'ARBITRARY')),
      geometry geometry(MultiPolygon, 4326) NOT NULL,
      centroid geometry(Point, 4326) NOT NULL,
      -- Maintained by the tasks_counters triggers below, never by application code.
      total_tasks integer NOT NULL DEFAULT 0,
      tasks_mapped integer NOT NULL DEFAULT 0,
      tasks_validated integer NOT NULL DEFAULT 0,
      tasks_bad_imagery integer NOT NULL DEFAULT 0
    );
    CREATE INDEX projects_geometry_gist ON projects USING gist (geometry);
    CREATE INDEX projects_centroid_gist ON projects USING gist (centroid);
    CREATE INDEX projects_status_idx ON projects (status);
    CREATE INDEX projects_organisation_idx ON projects (organisation_id);
    CREATE INDEX projects_author_idx ON projects (author_id);
    CREATE INDEX projects_difficulty_idx ON projects (difficulty);
    CREATE INDEX projects_priority_idx ON projects (priority);
    CREATE INDEX projects_created_idx ON projects (created);
    CREATE INDEX projects_last_updated_idx ON projects (last_updated);
    CREATE INDEX projects_featured_idx ON projects (id) WHERE featured;
    CREATE INDEX projects_mapping_types_gin ON projects USING gin (mapping_types);
    CREATE INDEX projects_country_tag_gin ON projects USING gin (country_tag);

    CREATE TABLE project_info (
      project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      locale text NOT NULL,
      name text,
      short_description text,
      description text,
      instructions text,
      per_task_instructions text,
      text_searchable tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(short_description, '') || ' ' || coalesce(description, ''))
      ) STORED,
      PRIMARY KEY (project_id, locale)
    );
    CREATE INDEX project_info_text_gin ON project_info USING gin (text_searchable);
    CREATE INDEX project_info_name_lower_idx ON project_info (lower(name) text_pattern_ops);

    CREATE TABLE project_custom_editors (
      project_id integer PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
      name text NOT NULL,
      description text,
      url text NOT NULL
    );
    CREATE TABLE project_priority_areas (
      id serial PRIMARY KEY,
      project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      geometry geometry(Polygon, 4326) NOT NULL
    );
    CREATE INDEX project_priority_areas_project_idx ON project_priority_areas (project_id);
    CREATE TABLE project_allowed_users (
      project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      PRIMARY KEY (project_id, user_id)
    );
    CREATE TABLE project_favorites (
      project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      PRIMARY KEY (project_id, user_id)
    );
    CREATE INDEX project_favorites_user_idx ON project_favorites (user_id);
    CREATE TABLE project_interests (
      project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      interest_id integer NOT NULL REFERENCES interests (id) ON DELETE CASCADE,
      PRIMARY KEY (project_id, interest_id)
    );
    CREATE INDEX project_interests_interest_idx ON project_interests (interest_id);
    CREATE TABLE campaign_projects (
      campaign_id integer NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      PRIMARY KEY (campaign_id, project_id)
    );
    CREATE INDEX campaign_projects_project_idx ON campaign_projects (project_id);

    CREATE TABLE tasks (
      project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      id integer NOT NULL,
      x integer,
      y integer,
      zoom integer,
      is_square boolean NOT NULL DEFAULT false,
      geometry geometry(MultiPolygon, 4326) NOT NULL,
      task_status text NOT NULL DEFAULT 'READY' CHECK (task_status IN
        ('READY', 'LOCKED_FOR_MAPPING', 'MAPPED', 'LOCKED_FOR_VALIDATION', 'VALIDATED', 'INVALIDATED', 'BADIMAGERY', 'SPLIT')),
      -- The lock: who holds it, since when, until when, the status to return to, and the fencing token
      -- (the lock workflow's run id) that every lock-related write must present.
      locked_by bigint REFERENCES users (id),
      locked_at timestamptz,
      lock_expires_at timestamptz,
      status_before_lock text,
      lock_token text,
      mapped_by bigint REFERENCES users (id),
      validated_by bigint REFERENCES users (id),
      parent_task_id integer,
      extra_properties jsonb,
      PRIMARY KEY (project_id, id),
      CHECK ((task_status IN ('LOCKED_FOR_MAPPING', 'LOCKED_FOR_VALIDATION')) = (locked_by IS NOT NULL))
    );
    CREATE INDEX tasks_geometry_gist ON tasks USING gist (geometry);
    CREATE INDEX tasks_project_status_idx ON tasks (project_id, task_status);
    CREATE INDEX tasks_locked_by_idx ON tasks (locked_by) WHERE locked_by IS NOT NULL;
    CREATE INDEX tasks_mapped_by_idx ON tasks (mapped_by) WHERE mapped_by IS NOT NULL;

    CREATE TABLE task_history (
      id bigserial PRIMARY KEY,
      project_id integer NOT NULL,
      task_id integer NOT NULL,
      action text NOT NULL,
      action_text text,
      action_date timestamptz NOT NULL DEFAULT now(),
      user_id bigint NOT NULL REFERENCES users (id),
      -- Set by activities so that a retried write never records the same event twice.
      idempotency_key text UNIQUE,
      FOREIGN KEY (project_id, task_id) REFERENCES tasks (project_id, id) ON DELETE CASCADE
    );
    CREATE INDEX task_history_task_idx ON task_history (project_id, task_id, action_date);
    CREATE INDEX task_history_project_date_idx ON task_history (project_id, action_date);
    CREATE INDEX task_history_user_idx ON task_history (user_id, project_id);

    CREATE TABLE mapping_issue_categories (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE,
      description text,
      archived boolean NOT NULL DEFAULT false
    );
    CREATE TABLE task_mapping_issues (
      id bigserial PRIMARY KEY,
      task_history_id bigint NOT NULL REFERENCES task_history (id) ON DELETE CASCADE,
      issue text NOT NULL,
      mapping_issue_category_id integer NOT NULL REFERENCES mapping_issue_categories (id),
      count integer NOT NULL
    );
    CREATE INDEX task_mapping_issues_history_idx ON task_mapping_issues (task_history_id);

    CREATE TABLE task_invalidation_history (
      id bigserial PRIMARY KEY,
      project_id integer NOT NULL,
      task_id integer NOT NULL,
      is_closed boolean NOT NULL DEFAULT false,
      mapper_id bigint REFERENCES users (id),
      mapped_date timestamptz,
      invalidator_id bigint REFERENCES users (id),
      invalidated_date timestamptz,
      invalidation_history_id bigint REFERENCES task_history (id) ON DELETE CASCADE,
      validator_id bigint REFERENCES users (id),
      validated_date timestamptz,
      updated_date timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (project_id, task_id) REFERENCES tasks (project_id, id) ON DELETE CASCADE
    );
    CREATE INDEX task_invalidation_history_task_idx ON task_invalidation_history (project_id, task_id);
    CREATE INDEX task_invalidation_history_mapper_idx ON task_invalidation_history (mapper_id);
    CREATE INDEX task_invalidation_history_invalidator_idx ON task_invalidation_history (invalidator_id);
  `.execute(db);

  // Project counters follow the tasks whatever writes them (routes, lock activities, bulk operations).
  // A locked task counts as the status it was locked from, as the official counters do.
  await sql`
    CREATE FUNCTION task_effective_status(task_status text, status_before_lock text) RETURNS text
      LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN task_status IN ('LOCKED_FOR_MAPPING', 'LOCKED_FOR_VALIDATION')
                    THEN coalesce(status_before_lock, 'READY') ELSE task_status END
      $$;

    CREATE FUNCTION apply_task_count_deltas(project_ids integer[], statuses text[], deltas integer[], bump_last_updated boolean)
      RETURNS void LANGUAGE sql AS $$
        WITH agg AS (
          SELECT project_id,
                 coalesce(sum(d) FILTER (WHERE status <> 'SPLIT'), 0) AS total,
                 coalesce(sum(d) FILTER (WHERE status = 'MAPPED'), 0) AS mapped,
                 coalesce(sum(d) FILTER (WHERE status = 'VALIDATED'), 0) AS validated,
                 coalesce(sum(d) FILTER (WHERE status = 'BADIMAGERY'), 0) AS bad
          FROM unnest(project_ids, statuses, deltas) AS t (project_id, status, d)
          GROUP BY project_id
        )
        UPDATE projects p
           SET total_tasks = p.total_tasks + agg.total,
               tasks_mapped = p.tasks_mapped + agg.mapped,
               tasks_validated = p.tasks_validated + agg.validated,
               tasks_bad_imagery = p.tasks_bad_imagery + agg.bad,
               last_updated = CASE WHEN bump_last_updated THEN now() ELSE p.last_updated END
          FROM agg
         WHERE p.id = agg.project_id AND (agg.total, agg.mapped, agg.validated, agg.bad) <> (0, 0, 0, 0)
      $$;

    -- Statement-level: one counter update per statement, however many tasks it touched.
    -- Lock and unlock-without-change leave the effective status alone, so they never touch projects.
    CREATE FUNCTION tasks_counters() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      p integer[];
      s text[];
      d integer[];
    BEGIN
      IF TG_OP = 'INSERT' THEN
        SELECT array_agg(project_id), array_agg(st), array_agg(n) INTO p, s, d FROM (
          SELECT project_id, task_effective_status(task_status, status_before_lock) AS st, count(*)::int AS n
          FROM new_rows GROUP BY 1, 2) g;
      ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(project_id), array_agg(st), array_agg(n) INTO p, s, d FROM (
          SELECT project_id, task_effective_status(task_status, status_before_lock) AS st, -count(*)::int AS n
          FROM old_rows GROUP BY 1, 2) g;
      ELSE
        SELECT array_agg(project_id), array_agg(st), array_agg(n) INTO p, s, d FROM (
          SELECT project_id, st, sum(n)::int AS n FROM (
            SELECT project_id, task_effective_status(task_status, status_before_lock) AS st, -1 AS n FROM old_rows
            UNION ALL
            SELECT project_id, task_effective_status(task_status, status_before_lock), 1 FROM new_rows
          ) u GROUP BY 1, 2 HAVING sum(n) <> 0) g;
      END IF;
      IF p IS NOT NULL THEN
        PERFORM apply_task_count_deltas(p, s, d, TG_OP = 'UPDATE');
      END IF;
      RETURN NULL;
    END $$;

    CREATE TRIGGER tasks_counters_insert AFTER INSERT ON tasks
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_counters();
    CREATE TRIGGER tasks_counters_update AFTER UPDATE ON tasks
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_counters();
    CREATE TRIGGER tasks_counters_delete AFTER DELETE ON tasks
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_counters();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE task_invalidation_history, task_mapping_issues, mapping_issue_categories, task_history, tasks,
      campaign_projects, project_interests, project_favorites, project_allowed_users, project_priority_areas,
      project_custom_editors, project_info, projects, campaign_organisations, campaigns, user_interests, interests,
      user_licenses, licenses, organisation_managers, organisations CASCADE;
    DROP FUNCTION tasks_counters();
    DROP FUNCTION apply_task_count_deltas(integer[], text[], integer[], boolean);
    DROP FUNCTION task_effective_status(text, text);
  `.execute(db);
}
