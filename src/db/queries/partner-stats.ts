import { sql } from "kysely";
import type { DB } from "../database";

/**
 * A partner's statistics, computed from this database: the task history of the partner's projects while
 * each partnership ran. A contribution is a task state change (mapped, validated, invalidated, bad
 * imagery); contribution time is the time tasks spent locked (the duration each unlock records).
 */
export interface StatsWindow {
  partnerId: number;
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

const LOCK_ACTIONS = ["LOCKED_FOR_MAPPING", "LOCKED_FOR_VALIDATION", "AUTO_UNLOCKED_FOR_MAPPING", "AUTO_UNLOCKED_FOR_VALIDATION"];

/** Task-history rows in the window, as (user, project, task, day, contribution 0/1, locked seconds). */
function partnerEvents(window: StatsWindow) {
  return sql`
    SELECT h.user_id, h.project_id, h.task_id, h.action_date,
           (h.action = 'STATE_CHANGE')::int AS contribution,
           CASE WHEN h.action IN (${sql.join(LOCK_ACTIONS)}) AND h.action_text ~ '^\\d+:\\d{2}:\\d{2}$'
                THEN extract(epoch FROM h.action_text::interval)::int ELSE 0 END AS seconds
      FROM task_history h
     WHERE EXISTS (SELECT 1 FROM project_partnerships pp
                    WHERE pp.partner_id = ${window.partnerId} AND pp.project_id = h.project_id
                      AND h.action_date >= pp.started_on AND (pp.ended_on IS NULL OR h.action_date < pp.ended_on))
       ${window.from ? sql`AND h.action_date >= ${window.from}` : sql``}
       ${window.to ? sql`AND h.action_date < ${window.to}` : sql``}`;
}

export interface MemberStats {
  userId: number;
  username: string;
  lastActive: Date;
  projects: number;
  contributions: number;
  seconds: number;
}

const MEMBER_COLUMNS = sql`
  e.user_id AS "userId", u.username, max(e.action_date) AS "lastActive",
  count(DISTINCT e.project_id) FILTER (WHERE e.contribution = 1)::int AS projects,
  sum(e.contribution)::int AS contributions, sum(e.seconds)::int AS seconds`;

/** Everyone who worked on the partner's projects, most contributions first. */
export async function partnerMembers(db: DB, window: StatsWindow, page?: { limit: number; offset: number }): Promise<MemberStats[]> {
  const result = await sql<MemberStats>`
    WITH e AS (${partnerEvents(window)})
    SELECT ${MEMBER_COLUMNS}
      FROM e JOIN users u ON u.id = e.user_id
     GROUP BY e.user_id, u.username
     ORDER BY contributions DESC, seconds DESC, u.username
     ${page ? sql`LIMIT ${page.limit} OFFSET ${page.offset}` : sql``}`.execute(db);
  return result.rows;
}

export interface PartnerTotals {
  contributors: number;
  contributions: number;
  seconds: number;
  recentContributors: number;
  recentContributions: number;
  recentSeconds: number;
}

/** Totals over the window, and over its part since `recentSince`. */
export async function partnerTotals(db: DB, window: StatsWindow, recentSince: Date): Promise<PartnerTotals> {
  const result = await sql<PartnerTotals>`
    WITH e AS (${partnerEvents(window)})
    SELECT count(DISTINCT user_id)::int AS contributors,
           coalesce(sum(contribution), 0)::int AS contributions,
           coalesce(sum(seconds), 0)::int AS seconds,
           count(DISTINCT user_id) FILTER (WHERE action_date >= ${recentSince})::int AS "recentContributors",
           coalesce(sum(contribution) FILTER (WHERE action_date >= ${recentSince}), 0)::int AS "recentContributions",
           coalesce(sum(seconds) FILTER (WHERE action_date >= ${recentSince}), 0)::int AS "recentSeconds"
      FROM e`.execute(db);
  return result.rows[0]!;
}

export interface PartnerBreakdowns {
  byDate: { day: string; contributions: number; seconds: number }[];
  byProjectCentroid: { lon: number; lat: number; contributions: number }[];
  byMappingType: { mappingType: string; contributions: number }[];
  byOrganisation: { organisation: string; contributions: number }[];
}

/** Contributions per day (UTC), per project location, per mapping type and per organisation. */
export async function partnerBreakdowns(db: DB, window: StatsWindow): Promise<PartnerBreakdowns> {
  const events = partnerEvents(window);
  const [byDate, byProjectCentroid, byMappingType, byOrganisation] = await Promise.all([
    sql<PartnerBreakdowns["byDate"][number]>`
      WITH e AS (${events})
      SELECT to_char(action_date AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, sum(contribution)::int AS contributions, sum(seconds)::int AS seconds
        FROM e GROUP BY 1 ORDER BY 1`.execute(db),
    sql<PartnerBreakdowns["byProjectCentroid"][number]>`
      WITH e AS (${events})
      SELECT ST_X(p.centroid) AS lon, ST_Y(p.centroid) AS lat, sum(e.contribution)::int AS contributions
        FROM e JOIN projects p ON p.id = e.project_id
       GROUP BY p.id HAVING sum(e.contribution) > 0 ORDER BY contributions DESC, p.id`.execute(db),
    sql<PartnerBreakdowns["byMappingType"][number]>`
      WITH e AS (${events})
      SELECT t.mapping_type AS "mappingType", sum(e.contribution)::int AS contributions
        FROM e JOIN projects p ON p.id = e.project_id CROSS JOIN LATERAL unnest(p.mapping_types) AS t(mapping_type)
       GROUP BY 1 HAVING sum(e.contribution) > 0 ORDER BY contributions DESC, 1`.execute(db),
    sql<PartnerBreakdowns["byOrganisation"][number]>`
      WITH e AS (${events})
      SELECT o.name AS organisation, sum(e.contribution)::int AS contributions
        FROM e JOIN projects p ON p.id = e.project_id JOIN organisations o ON o.id = p.organisation_id
       GROUP BY o.name HAVING sum(e.contribution) > 0 ORDER BY contributions DESC, 1`.execute(db),
  ]);
  return { byDate: byDate.rows, byProjectCentroid: byProjectCentroid.rows, byMappingType: byMappingType.rows, byOrganisation: byOrganisation.rows };
}
