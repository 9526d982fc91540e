import { sql } from "kysely";
import type { DB } from "../database";
import type { TaskStatus } from "../schema";

/** A lock's recorded duration (HH:MM:SS in action_text) in seconds; anything else counts as 0. */
const lockSeconds = sql<number>`CASE WHEN action_text ~ '^[0-9]+:[0-9]{2}:[0-9]{2}$' THEN extract(epoch FROM action_text::interval) ELSE 0 END`;

/** Task counts of UserStatsDTO: distinct tasks the user mapped/validated/invalidated, and what others did to them. */
export async function taskCounts(db: DB, userId: number) {
  const { rows } = await sql<{
    tasks_mapped: number; tasks_validated: number; tasks_invalidated: number;
    tasks_validated_by_others: number; tasks_invalidated_by_others: number; projects_mapped: number;
    time_mapping: number; time_validating: number;
  }>`
    WITH mine AS (
      SELECT DISTINCT project_id, task_id, action_text FROM task_history
      WHERE user_id = ${userId} AND action = 'STATE_CHANGE' AND action_text IN ('MAPPED', 'VALIDATED', 'INVALIDATED')
    ), others AS (
      SELECT DISTINCT th.project_id, th.task_id, th.action_text FROM task_history th
      WHERE th.user_id <> ${userId} AND th.action = 'STATE_CHANGE' AND th.action_text IN ('VALIDATED', 'INVALIDATED')
        AND (th.project_id, th.task_id) IN (SELECT project_id, task_id FROM mine WHERE action_text = 'MAPPED')
    )
    SELECT
      (SELECT count(*) FROM mine WHERE action_text = 'MAPPED')::int AS tasks_mapped,
      (SELECT count(*) FROM mine WHERE action_text = 'VALIDATED')::int AS tasks_validated,
      (SELECT count(*) FROM mine WHERE action_text = 'INVALIDATED')::int AS tasks_invalidated,
      (SELECT count(*) FROM others WHERE action_text = 'VALIDATED')::int AS tasks_validated_by_others,
      (SELECT count(*) FROM others WHERE action_text = 'INVALIDATED')::int AS tasks_invalidated_by_others,
      (SELECT count(DISTINCT project_id) FROM mine WHERE action_text = 'MAPPED')::int AS projects_mapped,
      (SELECT coalesce(sum(${lockSeconds}), 0) FROM task_history
        WHERE user_id = ${userId} AND action IN ('LOCKED_FOR_MAPPING', 'AUTO_UNLOCKED_FOR_MAPPING'))::int AS time_mapping,
      (SELECT coalesce(sum(${lockSeconds}), 0) FROM task_history
        WHERE user_id = ${userId} AND action IN ('LOCKED_FOR_VALIDATION', 'AUTO_UNLOCKED_FOR_VALIDATION'))::int AS time_validating
  `.execute(db);
  return rows[0]!;
}

/** Countries of the projects the user mapped or validated in, with task counts, most first. */
export async function countriesContributed(db: DB, userId: number) {
  const { rows } = await sql<{ name: string; mapped: number; validated: number; total: number }>`
    SELECT country AS name,
      count(*) FILTER (WHERE th.action_text IN ('MAPPED', 'BADIMAGERY'))::int AS mapped,
      count(*) FILTER (WHERE th.action_text = 'VALIDATED')::int AS validated,
      count(*)::int AS total
    FROM task_history th
    JOIN projects p ON p.id = th.project_id
    CROSS JOIN LATERAL unnest(p.country_tag) AS country
    WHERE th.user_id = ${userId} AND th.action = 'STATE_CHANGE' AND th.action_text IN ('MAPPED', 'BADIMAGERY', 'VALIDATED')
    GROUP BY country
    ORDER BY total DESC, name
  `.execute(db);
  return rows;
}

/** Task status changes per day over the last year, newest first. */
export async function contributionsByDay(db: DB, userId: number) {
  const { rows } = await sql<{ date: string; count: number }>`
    SELECT to_char(action_date::date, 'YYYY-MM-DD') AS date, count(*)::int AS count
    FROM task_history
    WHERE user_id = ${userId} AND action = 'STATE_CHANGE' AND action_date > now() - interval '1 year'
    GROUP BY action_date::date
    ORDER BY action_date::date DESC
  `.execute(db);
  return rows;
}

/** Interests of the projects the user contributed to, with how many such projects each has. */
export async function interestsOfContributedProjects(db: DB, userId: number) {
  const { rows } = await sql<{ id: number; name: string; count_projects: number }>`
    SELECT i.id, i.name, count(DISTINCT pi.project_id)::int AS count_projects
    FROM interests i
    JOIN project_interests pi ON pi.interest_id = i.id
    WHERE pi.project_id IN (SELECT DISTINCT project_id FROM task_history WHERE user_id = ${userId})
    GROUP BY i.id
    ORDER BY count_projects DESC, i.id
  `.execute(db);
  return rows;
}

/** Users registered in a period, by level and gender, for the admins' statistics. */
export async function registrationStats(db: DB, from: Date, to: Date) {
  const { rows } = await sql<Record<string, number>>`
    SELECT count(*)::int AS total,
      count(*) FILTER (WHERE mapping_level = 'BEGINNER')::int AS beginner,
      count(*) FILTER (WHERE mapping_level = 'INTERMEDIATE')::int AS intermediate,
      count(*) FILTER (WHERE mapping_level = 'ADVANCED')::int AS advanced,
      count(*) FILTER (WHERE EXISTS (SELECT 1 FROM task_history th WHERE th.user_id = u.id))::int AS contributed,
      count(*) FILTER (WHERE is_email_verified)::int AS email_verified,
      count(*) FILTER (WHERE gender = 'MALE')::int AS male,
      count(*) FILTER (WHERE gender = 'FEMALE')::int AS female,
      count(*) FILTER (WHERE gender = 'PREFER_NOT')::int AS prefer_not,
      count(*) FILTER (WHERE gender = 'SELF_DESCRIBE')::int AS self_describe
    FROM users u
    WHERE date_registered >= ${from} AND date_registered < ${to}
  `.execute(db);
  return rows[0]!;
}

export interface UserTaskFilter {
  status?: TaskStatus;
  projectStatus?: string;
  projectId?: number;
  startDate?: Date;
  endDate?: Date;
  sortBy?: "action_date" | "-action_date" | "project_id" | "-project_id";
}

const TASK_ORDER: Record<NonNullable<UserTaskFilter["sortBy"]>, string> = {
  action_date: "last_action ASC",
  "-action_date": "last_action DESC",
  project_id: "project_id ASC, task_id ASC",
  "-project_id": "project_id DESC, task_id ASC",
};

/** The tasks a user acted on (one row per task, with their latest action date), one page and the total. */
export async function tasksOfUser(db: DB, userId: number, filter: UserTaskFilter, page: { offset: number; limit: number }) {
  const conditions = [sql`th.user_id = ${userId}`];
  if (filter.status) conditions.push(sql`th.action_text = ${filter.status}`);
  if (filter.projectId !== undefined) conditions.push(sql`th.project_id = ${filter.projectId}`);
  if (filter.startDate) conditions.push(sql`th.action_date >= ${filter.startDate}`);
  if (filter.endDate) conditions.push(sql`th.action_date <= ${filter.endDate}`);
  if (filter.projectStatus) conditions.push(sql`p.status = ${filter.projectStatus}`);
  const order = sql.raw(TASK_ORDER[filter.sortBy ?? "-action_date"]);
  const { rows } = await sql<{ project_id: number; task_id: number; last_action: Date; total: number }>`
    SELECT th.project_id, th.task_id, max(th.action_date) AS last_action, count(*) OVER ()::int AS total
    FROM task_history th
    JOIN projects p ON p.id = th.project_id
    JOIN tasks t ON t.project_id = th.project_id AND t.id = th.task_id
    WHERE ${sql.join(conditions, sql` AND `)}
    GROUP BY th.project_id, th.task_id
    ORDER BY ${order}, th.project_id, th.task_id
    LIMIT ${page.limit} OFFSET ${page.offset}
  `.execute(db);
  let total = rows[0]?.total;
  if (total === undefined && page.offset > 0) {
    // Past the last page: count separately so the pagination still tells the truth.
    const counted = await sql<{ n: number }>`
      SELECT count(DISTINCT (th.project_id, th.task_id))::int AS n FROM task_history th JOIN projects p ON p.id = th.project_id
      JOIN tasks t ON t.project_id = th.project_id AND t.id = th.task_id WHERE ${sql.join(conditions, sql` AND `)}`.execute(db);
    total = counted.rows[0]!.n;
  }
  return { rows, total: total ?? 0 };
}

const DIFFICULTY_OF_LEVEL: Record<string, string> = { BEGINNER: "EASY", INTERMEDIATE: "MODERATE", ADVANCED: "CHALLENGING" };

/**
 * Published public projects to suggest: first those sharing a campaign with projects the user
 * contributed to, then those whose difficulty suits the user's level; never the user's own
 * projects or ones they already worked on.
 */
export async function recommendedProjectIds(db: DB, user: { id: number; mapping_level: string }, limit: number): Promise<number[]> {
  const difficulty = DIFFICULTY_OF_LEVEL[user.mapping_level.toUpperCase()] ?? "EASY";
  const { rows } = await sql<{ id: number }>`
    WITH contributed AS (SELECT DISTINCT project_id FROM task_history WHERE user_id = ${user.id}),
    their_campaigns AS (SELECT DISTINCT campaign_id FROM campaign_projects WHERE project_id IN (SELECT project_id FROM contributed))
    SELECT p.id
    FROM projects p
    WHERE p.status = 'PUBLISHED' AND NOT p.private AND p.author_id <> ${user.id}
      AND p.id NOT IN (SELECT project_id FROM contributed)
      AND (p.difficulty = ${difficulty}
        OR EXISTS (SELECT 1 FROM campaign_projects cp WHERE cp.project_id = p.id AND cp.campaign_id IN (SELECT campaign_id FROM their_campaigns)))
    ORDER BY EXISTS (SELECT 1 FROM campaign_projects cp WHERE cp.project_id = p.id AND cp.campaign_id IN (SELECT campaign_id FROM their_campaigns)) DESC,
      p.id DESC
    LIMIT ${limit}
  `.execute(db);
  return rows.map((r) => r.id);
}
