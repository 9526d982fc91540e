import { type RawBuilder, sql } from "kysely";
import type { DB } from "../database";
import { historyColumns, type TaskHistoryRow } from "./tasks";

/**
 * A project's activity, contributions and statistics, all read from task_history and tasks. Time
 * spent is the duration the lock workflow records (HH:MM:SS) on each lock row when the lock ends:
 * LOCKED_FOR_* rows, renamed AUTO_UNLOCKED_FOR_* when the lock expired.
 */

const MAPPING_LOCK_ACTIONS = ["LOCKED_FOR_MAPPING", "AUTO_UNLOCKED_FOR_MAPPING"];
const VALIDATION_LOCK_ACTIONS = ["LOCKED_FOR_VALIDATION", "AUTO_UNLOCKED_FOR_VALIDATION"];

/** Seconds recorded on lock rows of `h` whose action is one of `actions` (rows still locked carry no duration). */
const lockSeconds = (actions: string[], extra: RawBuilder<unknown> = sql`true`) => sql<number>`coalesce(sum(
  CASE WHEN h.action = ANY(${actions}::text[]) AND h.action_text ~ '^[0-9]+:[0-9]{2}:[0-9]{2}$' AND ${extra}
       THEN extract(epoch FROM h.action_text::interval) END), 0)::int`;

const HISTORY_PAGE_SIZE = 10;

/** The project's history except comments, newest first, 10 a page (official ProjectActivityDTO). */
export async function projectActivityPage(db: DB, projectId: number, page: number) {
  const [{ rows }, { rows: count }] = await Promise.all([
    sql<TaskHistoryRow>`
      SELECT ${historyColumns}
      FROM task_history h LEFT JOIN users u ON u.id = h.user_id
      WHERE h.project_id = ${projectId} AND h.action <> 'COMMENT'
      ORDER BY h.action_date DESC, h.id DESC
      LIMIT ${HISTORY_PAGE_SIZE} OFFSET ${(page - 1) * HISTORY_PAGE_SIZE}
    `.execute(db),
    sql<{ n: number }>`SELECT count(*)::int AS n FROM task_history WHERE project_id = ${projectId} AND action <> 'COMMENT'`.execute(db),
  ]);
  return { rows, total: count[0]!.n, perPage: HISTORY_PAGE_SIZE };
}

/** Every task with its status and its latest action other than a comment (who, when), by task id. */
export async function latestTaskActivity(db: DB, projectId: number) {
  const { rows } = await sql<{ task_id: number; task_status: string; action_date: Date | null; username: string | null }>`
    SELECT t.id AS task_id, t.task_status, last.action_date, u.username
    FROM tasks t
    LEFT JOIN LATERAL (
      SELECT h.action_date, h.user_id FROM task_history h
      WHERE h.project_id = t.project_id AND h.task_id = t.id AND h.action <> 'COMMENT'
      ORDER BY h.action_date DESC, h.id DESC LIMIT 1
    ) last ON true
    LEFT JOIN users u ON u.id = last.user_id
    WHERE t.project_id = ${projectId}
    ORDER BY t.id
  `.execute(db);
  return rows;
}

export interface ContributorRow {
  username: string;
  name: string | null;
  mapping_level: string;
  picture_url: string | null;
  date_registered: Date;
  mapped: number;
  validated: number;
  bad_imagery: number;
  mapped_tasks: number[];
  validated_tasks: number[];
  bad_imagery_tasks: number[];
}

/**
 * Everyone with history other than comments in the project, with the tasks they mapped (still
 * marked so on the task: mapped_by, bad imagery apart) and validated (validated_by), most first.
 */
export async function projectContributors(db: DB, projectId: number): Promise<ContributorRow[]> {
  const { rows } = await sql<ContributorRow>`
    WITH contributors AS (
      SELECT DISTINCT user_id FROM task_history WHERE project_id = ${projectId} AND action <> 'COMMENT'
    ), mapped AS (
      SELECT mapped_by AS user_id,
             array_agg(id ORDER BY id) FILTER (WHERE task_status <> 'BADIMAGERY') AS tasks,
             array_agg(id ORDER BY id) FILTER (WHERE task_status = 'BADIMAGERY') AS bad
      FROM tasks WHERE project_id = ${projectId} AND mapped_by IS NOT NULL GROUP BY mapped_by
    ), validated AS (
      SELECT validated_by AS user_id, array_agg(id ORDER BY id) AS tasks
      FROM tasks WHERE project_id = ${projectId} AND validated_by IS NOT NULL GROUP BY validated_by
    )
    SELECT u.username, u.name, u.mapping_level, u.picture_url, u.date_registered,
           coalesce(cardinality(m.tasks), 0) AS mapped, coalesce(cardinality(v.tasks), 0) AS validated,
           coalesce(cardinality(m.bad), 0) AS bad_imagery,
           coalesce(m.tasks, '{}') AS mapped_tasks, coalesce(v.tasks, '{}') AS validated_tasks, coalesce(m.bad, '{}') AS bad_imagery_tasks
    FROM contributors c
    JOIN users u ON u.id = c.user_id
    LEFT JOIN mapped m ON m.user_id = c.user_id
    LEFT JOIN validated v ON v.user_id = c.user_id
    ORDER BY coalesce(cardinality(m.tasks), 0) + coalesce(cardinality(v.tasks), 0) + coalesce(cardinality(m.bad), 0) DESC, u.username
  `.execute(db);
  return rows;
}

/** Per UTC day: tasks marked MAPPED, VALIDATED and INVALIDATED that day. */
export async function contributionsByDay(db: DB, projectId: number) {
  const { rows } = await sql<{ day: string; mapped: number; validated: number; invalidated: number }>`
    SELECT to_char((action_date AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day,
           count(DISTINCT task_id) FILTER (WHERE action_text = 'MAPPED')::int AS mapped,
           count(DISTINCT task_id) FILTER (WHERE action_text = 'VALIDATED')::int AS validated,
           count(DISTINCT task_id) FILTER (WHERE action_text = 'INVALIDATED')::int AS invalidated
    FROM task_history
    WHERE project_id = ${projectId} AND action = 'STATE_CHANGE' AND action_text IN ('MAPPED', 'VALIDATED', 'INVALIDATED')
    GROUP BY 1 ORDER BY 1
  `.execute(db);
  return rows;
}

export interface ProjectTimesRow {
  area_km2: number;
  centroid: Record<string, unknown>;
  total_tasks: number;
  tasks_mapped: number;
  tasks_validated: number;
  tasks_bad_imagery: number;
  comments: number;
  mappers: number;
  mapping_seconds: number;
  validation_seconds: number;
  tasks_with_mapping: number;
  tasks_with_validation: number;
}

/** The figures of ProjectStatsDTO; undefined when the project does not exist. */
export async function projectTimes(db: DB, projectId: number): Promise<ProjectTimesRow | undefined> {
  const { rows } = await sql<ProjectTimesRow>`
    SELECT ST_Area(p.geometry::geography) / 1e6 AS area_km2, ST_AsGeoJSON(p.centroid)::json AS centroid,
           p.total_tasks, p.tasks_mapped, p.tasks_validated, p.tasks_bad_imagery,
           (SELECT count(*)::int FROM project_chat c WHERE c.project_id = p.id) AS comments,
           h.*
    FROM projects p
    CROSS JOIN LATERAL (
      SELECT count(DISTINCT h.user_id) FILTER (WHERE h.action = 'STATE_CHANGE' AND h.action_text = 'MAPPED')::int AS mappers,
             ${lockSeconds(MAPPING_LOCK_ACTIONS)} AS mapping_seconds,
             ${lockSeconds(VALIDATION_LOCK_ACTIONS)} AS validation_seconds,
             count(DISTINCT h.task_id) FILTER (WHERE h.action = 'STATE_CHANGE' AND h.action_text = 'MAPPED')::int AS tasks_with_mapping,
             count(DISTINCT h.task_id) FILTER (WHERE h.action = 'STATE_CHANGE' AND h.action_text IN ('VALIDATED', 'INVALIDATED'))::int AS tasks_with_validation
      FROM task_history h WHERE h.project_id = p.id
    ) h
    WHERE p.id = ${projectId}
  `.execute(db);
  return rows[0];
}

/** Seconds a user spent mapping and validating in a project. */
export async function userTimesInProject(db: DB, projectId: number, userId: number) {
  const { rows } = await sql<{ mapping_seconds: number; validation_seconds: number }>`
    SELECT ${lockSeconds(MAPPING_LOCK_ACTIONS)} AS mapping_seconds, ${lockSeconds(VALIDATION_LOCK_ACTIONS)} AS validation_seconds
    FROM task_history h WHERE h.project_id = ${projectId} AND h.user_id = ${userId}
  `.execute(db);
  return rows[0]!;
}

export interface TaskStatsFilter {
  startDate: string;
  endDate: string;
  organisationId?: number;
  organisationName?: string;
  campaign?: string;
  projectIds?: number[];
  country?: string;
}

/**
 * Per UTC day in [startDate, endDate]: tasks marked MAPPED, VALIDATED and BADIMAGERY that day over
 * the projects the filters keep; as officially, a task counts once per status in the range (its first day).
 */
export async function taskStatsByDay(db: DB, f: TaskStatsFilter) {
  const filters: RawBuilder<unknown>[] = [];
  if (f.organisationId !== undefined) filters.push(sql`p.organisation_id = ${f.organisationId}`);
  if (f.organisationName !== undefined) filters.push(sql`p.organisation_id IN (SELECT id FROM organisations WHERE name = ${f.organisationName})`);
  if (f.campaign !== undefined) {
    filters.push(sql`p.id IN (SELECT cp.project_id FROM campaign_projects cp JOIN campaigns c ON c.id = cp.campaign_id WHERE c.name = ${f.campaign})`);
  }
  if (f.projectIds?.length) filters.push(sql`p.id = ANY(${f.projectIds}::int[])`);
  if (f.country !== undefined) filters.push(sql`EXISTS (SELECT 1 FROM unnest(p.country_tag) AS c (tag) WHERE lower(c.tag) = lower(${f.country}))`);
  const where = filters.length ? sql`AND ${sql.join(filters, sql` AND `)}` : sql``;
  const { rows } = await sql<{ day: string; mapped: number; validated: number; bad_imagery: number }>`
    WITH firsts AS (
      SELECT h.action_text, min((h.action_date AT TIME ZONE 'UTC')::date) AS day
      FROM task_history h JOIN projects p ON p.id = h.project_id
      WHERE h.action = 'STATE_CHANGE' AND h.action_text IN ('MAPPED', 'VALIDATED', 'BADIMAGERY')
        AND h.action_date >= (${f.startDate}::date)::timestamp AT TIME ZONE 'UTC'
        AND h.action_date < (${f.endDate}::date + 1)::timestamp AT TIME ZONE 'UTC' ${where}
      GROUP BY h.project_id, h.task_id, h.action_text
    )
    SELECT to_char(day, 'YYYY-MM-DD') AS day,
           count(*) FILTER (WHERE action_text = 'MAPPED')::int AS mapped,
           count(*) FILTER (WHERE action_text = 'VALIDATED')::int AS validated,
           count(*) FILTER (WHERE action_text = 'BADIMAGERY')::int AS bad_imagery
    FROM firsts
    GROUP BY day ORDER BY day
  `.execute(db);
  return rows;
}
