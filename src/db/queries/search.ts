import { type RawBuilder, sql } from "kysely";
import type { DB } from "../database";

/**
 * Project search in SQL. Every fragment here refers to the projects table as `p`; the page, the count
 * and the map results share one WHERE clause so they can never disagree.
 */

/** Who is looking: undefined for anonymous callers. */
export interface Viewer {
  id: number;
  admin: boolean;
}

export type SearchOrder =
  | "id" | "difficulty" | "priority" | "status" | "last_updated" | "due_date" | "created" | "percentMapped" | "percentValidated";

export interface ProjectFilter {
  /** Prefix tsquery over name/short description/description in any locale, and/or an exact project id. */
  text?: { tsquery: string | null; projectId: number | null };
  /** Statuses asked for; undefined means every status (the caller applies the official PUBLISHED default). */
  statuses?: string[];
  difficulty?: string;
  mappingTypes?: { types: string[]; exact: boolean };
  organisationName?: string;
  organisationId?: number;
  campaign?: string;
  country?: string;
  interestIds?: number[];
  interestsOfUser?: number;
  lastUpdated?: { from?: string; to?: string };
  created?: { from?: string; to?: string };
  /** Projects linked to this partner by a partnership that ran at some time within from..to (days, inclusive). */
  partner?: { id: number; from?: string; to?: string };
  authorId?: number;
  mappedBy?: number;
  favoritedBy?: number;
  /** Projects of organisations this user manages (admins are not restricted). */
  managedBy?: Viewer;
  /** Projects this team is linked to. */
  teamId?: number;
  action?: "map" | "validate";
}

export interface SearchPage {
  order: SearchOrder;
  direction: "ASC" | "DESC";
  limit: number;
  offset: number;
}

/** The user's active memberships of teams linked to `p`, optionally only those with one role. */
const teamMemberOf = (userId: number, role?: string) =>
  sql<boolean>`EXISTS (SELECT 1 FROM project_teams pt JOIN team_members tm ON tm.team_id = pt.team_id
                       WHERE pt.project_id = p.id AND tm.user_id = ${userId} AND tm.active
                       ${role === undefined ? sql`` : sql`AND pt.role = ${role}`})`;

/** As permissions.managesProject: a manager of the organisation, or a member of a PROJECT_MANAGER team. */
const managerOf = (userId: number) =>
  sql<boolean>`(p.organisation_id IN (SELECT organisation_id FROM organisation_managers WHERE user_id = ${userId})
                OR ${teamMemberOf(userId, "PROJECT_MANAGER")})`;

/**
 * The projects a viewer may see at all: admins see everything; managers see their organisations'
 * projects; private projects need the allowed list; drafts and archived projects are shown only to
 * their managers (as loadProject rules, so a listed project can always be opened).
 */
export function visibleToViewer(viewer: Viewer | undefined): RawBuilder<boolean> {
  if (!viewer) return sql<boolean>`(NOT p.private AND p.status = 'PUBLISHED')`;
  if (viewer.admin) return sql<boolean>`true`;
  const allowed = sql<boolean>`(EXISTS (SELECT 1 FROM project_allowed_users a WHERE a.project_id = p.id AND a.user_id = ${viewer.id})
                                OR ${teamMemberOf(viewer.id)})`;
  return sql<boolean>`(${managerOf(viewer.id)} OR ((NOT p.private OR ${allowed}) AND p.status = 'PUBLISHED'))`;
}

/** Official percentages (as taskPercentages computes them for the DTOs), in SQL so that results can be ordered by them. */
function percentSql(kind: "mapped" | "validated"): RawBuilder<number> {
  const done = kind === "mapped" ? sql`(p.tasks_mapped + p.tasks_validated)` : sql`p.tasks_validated`;
  return sql<number>`(CASE WHEN p.total_tasks - p.tasks_bad_imagery > 0
    THEN floor(${done} * 100.0 / (p.total_tasks - p.tasks_bad_imagery))::int ELSE 0 END)`;
}

/** Exclusive upper bound of an inclusive YYYY-MM-DD day. */
const endOfDay = (day: string) => sql`(${day}::date + 1)`;

function filterConditions(f: ProjectFilter, viewer: Viewer | undefined): RawBuilder<boolean>[] {
  const where: RawBuilder<boolean>[] = [visibleToViewer(viewer)];
  if (f.text) {
    const alternatives: RawBuilder<boolean>[] = [];
    if (f.text.tsquery !== null) {
      alternatives.push(sql`p.id IN (SELECT project_id FROM project_info WHERE text_searchable @@ to_tsquery('simple', ${f.text.tsquery}))`);
    }
    if (f.text.projectId !== null) alternatives.push(sql`p.id = ${f.text.projectId}`);
    if (alternatives.length) where.push(sql`(${sql.join(alternatives, sql` OR `)})`);
  }
  if (f.statuses) where.push(sql`p.status = ANY(${f.statuses}::text[])`);
  if (f.difficulty) where.push(sql`p.difficulty = ${f.difficulty}`);
  if (f.mappingTypes) {
    const types = sql`${f.mappingTypes.types}::text[]`;
    where.push(f.mappingTypes.exact ? sql`(p.mapping_types @> ${types} AND p.mapping_types <@ ${types})` : sql`p.mapping_types && ${types}`);
  }
  if (f.organisationName) {
    where.push(sql`p.organisation_id IN (SELECT id FROM organisations WHERE lower(name) = lower(${f.organisationName}))`);
  }
  if (f.organisationId !== undefined) where.push(sql`p.organisation_id = ${f.organisationId}`);
  if (f.campaign) {
    where.push(sql`p.id IN (SELECT cp.project_id FROM campaign_projects cp JOIN campaigns c ON c.id = cp.campaign_id
                            WHERE lower(c.name) = lower(${f.campaign}))`);
  }
  if (f.country) where.push(sql`EXISTS (SELECT 1 FROM unnest(p.country_tag) AS c (tag) WHERE lower(c.tag) = lower(${f.country}))`);
  if (f.interestIds) where.push(sql`p.id IN (SELECT project_id FROM project_interests WHERE interest_id = ANY(${f.interestIds}::int[]))`);
  if (f.interestsOfUser !== undefined) {
    where.push(sql`p.id IN (SELECT pi.project_id FROM project_interests pi JOIN user_interests ui ON ui.interest_id = pi.interest_id
                            WHERE ui.user_id = ${f.interestsOfUser})`);
  }
  if (f.lastUpdated?.from) where.push(sql`p.last_updated >= ${f.lastUpdated.from}::date`);
  if (f.lastUpdated?.to) where.push(sql`p.last_updated < ${endOfDay(f.lastUpdated.to)}`);
  if (f.created?.from) where.push(sql`p.created >= ${f.created.from}::date`);
  if (f.created?.to) where.push(sql`p.created < ${endOfDay(f.created.to)}`);
  if (f.partner) {
    where.push(sql`p.id IN (SELECT pp.project_id FROM project_partnerships pp WHERE pp.partner_id = ${f.partner.id}
                            ${f.partner.from ? sql`AND (pp.ended_on IS NULL OR pp.ended_on >= ${f.partner.from}::date)` : sql``}
                            ${f.partner.to ? sql`AND pp.started_on < ${endOfDay(f.partner.to)}` : sql``})`);
  }
  if (f.authorId !== undefined) where.push(sql`p.author_id = ${f.authorId}`);
  if (f.mappedBy !== undefined) {
    where.push(sql`p.id IN (SELECT project_id FROM task_history WHERE user_id = ${f.mappedBy}
                            AND (action = 'LOCKED_FOR_MAPPING' OR (action = 'STATE_CHANGE' AND action_text = 'MAPPED')))`);
  }
  if (f.favoritedBy !== undefined) where.push(sql`p.id IN (SELECT project_id FROM project_favorites WHERE user_id = ${f.favoritedBy})`);
  if (f.managedBy && !f.managedBy.admin) where.push(managerOf(f.managedBy.id));
  if (f.teamId !== undefined) where.push(sql`p.id IN (SELECT project_id FROM project_teams WHERE team_id = ${f.teamId})`);
  if (f.action === "map") where.push(sql`p.tasks_mapped + p.tasks_validated < p.total_tasks - p.tasks_bad_imagery`);
  if (f.action === "validate") where.push(sql`p.tasks_mapped > 0`);
  return where;
}

function orderClause(order: SearchOrder, direction: "ASC" | "DESC"): RawBuilder<unknown> {
  const dir = sql.raw(direction);
  const key: Record<SearchOrder, RawBuilder<unknown>> = {
    id: sql`p.id`,
    // Ranked as the official integer enums are: URGENT first, EASY first, ARCHIVED first.
    priority: sql`array_position(ARRAY['URGENT','HIGH','MEDIUM','LOW'], p.priority)`,
    difficulty: sql`array_position(ARRAY['EASY','MODERATE','CHALLENGING'], p.difficulty)`,
    status: sql`array_position(ARRAY['ARCHIVED','PUBLISHED','DRAFT'], p.status)`,
    last_updated: sql`p.last_updated`,
    due_date: sql`p.due_date`,
    created: sql`p.created`,
    percentMapped: percentSql("mapped"),
    percentValidated: percentSql("validated"),
  };
  return order === "id" ? sql`p.id ${dir}` : sql`${key[order]} ${dir} NULLS LAST, p.id ${dir}`;
}

/** The ids of one page of matching projects, in search order. */
export async function searchPageIds(db: DB, filter: ProjectFilter, viewer: Viewer | undefined, page: SearchPage): Promise<number[]> {
  const where = sql.join(filterConditions(filter, viewer), sql` AND `);
  const { rows } = await sql<{ id: number }>`
    SELECT p.id FROM projects p WHERE ${where} ORDER BY ${orderClause(page.order, page.direction)} LIMIT ${page.limit} OFFSET ${page.offset}
  `.execute(db);
  return rows.map((r) => r.id);
}

export async function countMatches(db: DB, filter: ProjectFilter, viewer: Viewer | undefined): Promise<number> {
  const where = sql.join(filterConditions(filter, viewer), sql` AND `);
  const { rows } = await sql<{ total: number }>`SELECT count(*)::int AS total FROM projects p WHERE ${where}`.execute(db);
  return rows[0]!.total;
}

/** Centroids of every match as a GeoJSON FeatureCollection, serialised by PostgreSQL (sent as-is). */
export async function mapResultsJson(db: DB, filter: ProjectFilter, viewer: Viewer | undefined): Promise<string> {
  const where = sql.join(filterConditions(filter, viewer), sql` AND `);
  const { rows } = await sql<{ body: string }>`
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
             'type', 'Feature',
             'geometry', ST_AsGeoJSON(p.centroid, 6)::json,
             'properties', json_build_object('projectId', p.id, 'projectStatus', p.status, 'priority', p.priority)
           ) ORDER BY p.id), '[]'::json))::text AS body
    FROM projects p WHERE ${where}
  `.execute(db);
  return rows[0]!.body;
}

