import { type Selectable, sql } from "kysely";
import type { DB } from "../database";
import type { ProjectInfoTable, ProjectsTable } from "../schema";

/**
 * Reads behind the project DTOs. Each takes a list of project ids so a single project and a page
 * of summaries cost the same number of round trips.
 */

export interface ProjectCoreRow {
  id: number;
  status: ProjectsTable["status"]["__select__"];
  priority: ProjectsTable["priority"]["__select__"];
  difficulty: ProjectsTable["difficulty"]["__select__"];
  task_creation_mode: ProjectsTable["task_creation_mode"]["__select__"];
  created: Date;
  last_updated: Date;
  due_date: Date | null;
  author_id: number;
  organisation_id: number;
  default_locale: string;
  mapping_permission: string;
  validation_permission: string;
  mapping_permission_level_id: number | null;
  validation_permission_level_id: number | null;
  enforce_random_task_selection: boolean;
  private: boolean;
  featured: boolean;
  changeset_comment: string | null;
  osmcha_filter_id: string | null;
  imagery: string | null;
  josm_preset: string | null;
  id_presets: string[];
  extra_id_params: string | null;
  rapid_power_user: boolean;
  mapping_types: string[];
  mapping_editors: string[];
  validation_editors: string[];
  license_id: number | null;
  country_tag: string[];
  total_tasks: number;
  tasks_mapped: number;
  tasks_validated: number;
  tasks_bad_imagery: number;
  /** AOI area on the spheroid; null when not asked for. */
  area_km2: number | null;
  /** GeoJSON MultiPolygon; null when not asked for. */
  aoi: Record<string, unknown> | null;
  bbox: [number, number, number, number];
  centroid: Record<string, unknown>;
  author: string;
  organisation_name: string;
  organisation_slug: string;
  organisation_logo: string | null;
  custom_editor_name: string | null;
  custom_editor_description: string | null;
  custom_editor_url: string | null;
  active_mappers: number;
}

/**
 * Everything that lives on one row per project, joined with its author, organisation and custom
 * editor, in one statement. Active mappers are the distinct lock holders, counted through the
 * (project_id, task_status) index so the cost does not grow with the size of the grid.
 */
export async function projectCoreRows(db: DB, ids: number[], options: { withAoi: boolean; withArea: boolean }): Promise<ProjectCoreRow[]> {
  if (ids.length === 0) return [];
  const aoi = options.withAoi ? sql`ST_AsGeoJSON(p.geometry)::json` : sql`NULL::json`;
  const area = options.withArea ? sql`ST_Area(p.geometry::geography) / 1e6` : sql`NULL::float8`;
  const { rows } = await sql<ProjectCoreRow>`
    SELECT p.id, p.status, p.priority, p.difficulty, p.task_creation_mode, p.created, p.last_updated, p.due_date,
           p.author_id, p.organisation_id, p.default_locale, p.mapping_permission, p.validation_permission,
           p.mapping_permission_level_id, p.validation_permission_level_id, p.enforce_random_task_selection,
           p.private, p.featured, p.changeset_comment, p.osmcha_filter_id, p.imagery, p.josm_preset, p.id_presets,
           p.extra_id_params, p.rapid_power_user, p.mapping_types, p.mapping_editors, p.validation_editors,
           p.license_id, p.country_tag, p.total_tasks, p.tasks_mapped, p.tasks_validated, p.tasks_bad_imagery,
           ${aoi} AS aoi, ${area} AS area_km2,
           ARRAY[ST_XMin(p.geometry), ST_YMin(p.geometry), ST_XMax(p.geometry), ST_YMax(p.geometry)] AS bbox,
           ST_AsGeoJSON(p.centroid)::json AS centroid,
           u.username AS author,
           o.name AS organisation_name, o.slug AS organisation_slug, o.logo AS organisation_logo,
           ce.name AS custom_editor_name, ce.description AS custom_editor_description, ce.url AS custom_editor_url,
           (SELECT count(DISTINCT t.locked_by)::int FROM tasks t
             WHERE t.project_id = p.id AND t.task_status IN ('LOCKED_FOR_MAPPING', 'LOCKED_FOR_VALIDATION')) AS active_mappers
      FROM projects p
      JOIN users u ON u.id = p.author_id
      JOIN organisations o ON o.id = p.organisation_id
      LEFT JOIN project_custom_editors ce ON ce.project_id = p.id
     WHERE p.id = ANY(${ids}::int[])
  `.execute(db);
  return rows;
}

/** A project_info row without its generated search vector. */
export type ProjectInfoRow = Omit<Selectable<ProjectInfoTable>, "text_searchable">;

/** Every locale of project info (for projectInfoLocales). */
export function projectInfoRows(db: DB, ids: number[]): Promise<ProjectInfoRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("project_info")
    .select(["project_id", "locale", "name", "short_description", "description", "instructions", "per_task_instructions"])
    .where("project_id", "in", ids)
    .orderBy("locale")
    .execute();
}

/** Only the info in `locale` and in each project's default locale: enough for summaries and lists. */
export function projectInfoInLocale(db: DB, ids: number[], locale: string): Promise<ProjectInfoRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("project_info as pi")
    .innerJoin("projects as p", "p.id", "pi.project_id")
    .select(["pi.project_id", "pi.locale", "pi.name", "pi.short_description", "pi.description", "pi.instructions", "pi.per_task_instructions"])
    .where("pi.project_id", "in", ids)
    .where((eb) => eb.or([eb("pi.locale", "=", locale), eb("pi.locale", "=", eb.ref("p.default_locale"))]))
    .execute();
}

export function projectCampaignRows(db: DB, ids: number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("campaign_projects as cp")
    .innerJoin("campaigns as c", "c.id", "cp.campaign_id")
    .select(["cp.project_id", "c.id", "c.name"])
    .where("cp.project_id", "in", ids)
    .orderBy("c.name")
    .execute();
}

export function projectInterestRows(db: DB, ids: number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("project_interests as pi")
    .innerJoin("interests as i", "i.id", "pi.interest_id")
    .select(["pi.project_id", "i.id", "i.name"])
    .where("pi.project_id", "in", ids)
    .orderBy("i.name")
    .execute();
}

export function allowedUsernameRows(db: DB, ids: number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("project_allowed_users as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select(["a.project_id", "u.username"])
    .where("a.project_id", "in", ids)
    .orderBy("u.username")
    .execute();
}

export async function priorityAreaRows(db: DB, ids: number[]): Promise<{ project_id: number; geometry: Record<string, unknown> }[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<{ project_id: number; geometry: Record<string, unknown> }>`
    SELECT project_id, ST_AsGeoJSON(geometry)::json AS geometry
      FROM project_priority_areas WHERE project_id = ANY(${ids}::int[]) ORDER BY id
  `.execute(db);
  return rows;
}

/** Distinct users who touched each project's tasks (ListSearchResultDTO.totalContributors). */
export async function contributorCounts(db: DB, ids: number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("task_history")
    .select(["project_id", sql<number>`count(DISTINCT user_id)::int`.as("n")])
    .where("project_id", "in", ids)
    .where("action", "<>", "COMMENT")
    .groupBy("project_id")
    .execute();
  return new Map(rows.map((r) => [r.project_id, r.n]));
}

export async function projectAoi(db: DB, projectId: number): Promise<Record<string, unknown> | undefined> {
  const { rows } = await sql<{ aoi: Record<string, unknown> }>`
    SELECT ST_AsGeoJSON(geometry)::json AS aoi FROM projects WHERE id = ${projectId}
  `.execute(db);
  return rows[0]?.aoi;
}

// ---- project queries (dashboards, maps, recommendations) ----

export interface ProjectScope {
  /** undefined: every project (admins); otherwise projects of these organisations. */
  organisationIds?: number[];
  statuses?: string[];
  authorId?: number;
}

function scopeFilter(scope: ProjectScope) {
  return sql.join(
    [
      sql`TRUE`,
      ...(scope.organisationIds ? [sql`p.organisation_id = ANY(${scope.organisationIds}::int[])`] : []),
      ...(scope.statuses?.length ? [sql`p.status = ANY(${scope.statuses}::text[])`] : []),
      ...(scope.authorId !== undefined ? [sql`p.author_id = ${scope.authorId}`] : []),
    ],
    sql` AND `,
  );
}

export async function projectIdsInScope(db: DB, scope: ProjectScope): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    SELECT p.id FROM projects p WHERE ${scopeFilter(scope)} ORDER BY p.id DESC
  `.execute(db);
  return rows.map((r) => r.id);
}

/** The (4326 or 3857) box as a 4326 polygon and its area in km² on the spheroid. */
export async function bboxPolygon(db: DB, bbox: [number, number, number, number], srid: number) {
  const [minx, miny, maxx, maxy] = bbox;
  const { rows } = await sql<{ valid: boolean; area_km2: number | null }>`
    WITH b AS (SELECT ST_Transform(ST_MakeEnvelope(${minx}, ${miny}, ${maxx}, ${maxy}, ${srid}::int), 4326) AS g)
    SELECT ST_IsValid(g) AND NOT ST_IsEmpty(g) AS valid, ST_Area(g::geography) / 1e6 AS area_km2 FROM b
  `.execute(db);
  return rows[0]!;
}

export async function projectsInBbox(
  db: DB,
  bbox: [number, number, number, number],
  srid: number,
  scope: ProjectScope,
): Promise<{ id: number; status: string; default_locale: string; geometry: Record<string, unknown> }[]> {
  const [minx, miny, maxx, maxy] = bbox;
  const { rows } = await sql<{ id: number; status: string; default_locale: string; geometry: Record<string, unknown> }>`
    SELECT p.id, p.status, p.default_locale, ST_AsGeoJSON(p.geometry)::json AS geometry
      FROM projects p
     WHERE ST_Intersects(p.geometry, ST_Transform(ST_MakeEnvelope(${minx}, ${miny}, ${maxx}, ${maxy}, ${srid}::int), 4326))
       AND ${scopeFilter(scope)}
     ORDER BY p.id
  `.execute(db);
  return rows;
}

/** Published projects whose tasks saw any action since `since`. */
export async function activeProjects(db: DB, since: Date) {
  const { rows } = await sql<{ id: number; mapping_types: string[]; geometry: Record<string, unknown> }>`
    SELECT p.id, p.mapping_types, ST_AsGeoJSON(p.geometry)::json AS geometry
      FROM projects p
     WHERE p.status = 'PUBLISHED'
       AND EXISTS (SELECT 1 FROM task_history h WHERE h.project_id = p.id AND h.action_date >= ${since})
     ORDER BY p.id
  `.execute(db);
  return rows;
}

/** Projects a user touched (any task action), with the tasks they mapped and validated there. */
export async function touchedProjects(db: DB, userId: number) {
  const { rows } = await sql<{ id: number; status: string; default_locale: string; mapped: number; validated: number; centroid: Record<string, unknown> }>`
    SELECT p.id, p.status, p.default_locale, ST_AsGeoJSON(p.centroid)::json AS centroid,
           (SELECT count(*)::int FROM tasks t WHERE t.project_id = p.id AND t.mapped_by = ${userId}) AS mapped,
           (SELECT count(*)::int FROM tasks t WHERE t.project_id = p.id AND t.validated_by = ${userId}) AS validated
      FROM projects p
     WHERE p.id IN (SELECT DISTINCT project_id FROM task_history WHERE user_id = ${userId})
     ORDER BY p.id DESC
  `.execute(db);
  return rows;
}

/** Published, public projects listed to everyone: featured ones, newest first. */
export async function featuredProjectIds(db: DB): Promise<number[]> {
  const rows = await db
    .selectFrom("projects")
    .select("id")
    .where("featured", "=", true)
    .where("status", "=", "PUBLISHED")
    .where("private", "=", false)
    .orderBy("id", "desc")
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Published, public projects most like `projectId`: one point per shared mapping type, one for the
 * same difficulty, one for the same organisation; ties go to the nearest centroid.
 */
export async function similarProjectIds(db: DB, projectId: number, limit: number): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    SELECT p.id
      FROM projects p, projects ref
     WHERE ref.id = ${projectId} AND p.id <> ref.id AND p.status = 'PUBLISHED' AND NOT p.private
     ORDER BY (cardinality(ARRAY(SELECT unnest(p.mapping_types) INTERSECT SELECT unnest(ref.mapping_types)))
               + (p.difficulty = ref.difficulty)::int + (p.organisation_id = ref.organisation_id)::int) DESC,
              p.centroid <-> ref.centroid,
              p.id DESC
     LIMIT ${limit}
  `.execute(db);
  return rows.map((r) => r.id);
}

/** Published, public projects with the most distinct contributors since `since`. */
export async function popularProjectIds(db: DB, since: Date, limit: number): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    SELECT p.id
      FROM projects p
      JOIN task_history h ON h.project_id = p.id AND h.action_date >= ${since}
     WHERE p.status = 'PUBLISHED' AND NOT p.private
     GROUP BY p.id
     ORDER BY count(DISTINCT h.user_id) DESC, max(h.action_date) DESC
     LIMIT ${limit}
  `.execute(db);
  return rows.map((r) => r.id);
}

// ---- favourites and featuring ----

export async function isFavorite(db: DB, projectId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom("project_favorites")
    .select("project_id")
    .where("project_id", "=", projectId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function addFavorite(db: DB, projectId: number, userId: number): Promise<void> {
  await db
    .insertInto("project_favorites")
    .values({ project_id: projectId, user_id: userId })
    .onConflict((oc) => oc.columns(["project_id", "user_id"]).doNothing())
    .execute();
}

/** Returns whether a favourite was there to remove. */
export async function removeFavorite(db: DB, projectId: number, userId: number): Promise<boolean> {
  const result = await db
    .deleteFrom("project_favorites")
    .where("project_id", "=", projectId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Sets the featured flag; returns false when it already had that value. */
export async function setFeatured(db: DB, projectId: number, featured: boolean): Promise<boolean> {
  const result = await db
    .updateTable("projects")
    .set({ featured })
    .where("id", "=", projectId)
    .where("featured", "=", !featured)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

// ---- writes behind PATCH and the project actions ----

type LookupTable = "interests" | "campaigns" | "licenses" | "organisations";

/** The ids among `ids` that have no row in `table`. */
export async function missingIds(db: DB, table: LookupTable, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<{ id: number }>`
    SELECT x AS id FROM unnest(${ids}::int[]) AS x WHERE NOT EXISTS (SELECT 1 FROM ${sql.table(table)} t WHERE t.id = x)
  `.execute(db);
  return rows.map((r) => r.id);
}

type LinkTable = { table: "project_interests"; column: "interest_id" } | { table: "campaign_projects"; column: "campaign_id" } | { table: "project_allowed_users"; column: "user_id" };

/** Replaces a project's links in one of its many-to-many tables. */
export async function replaceProjectLinks(db: DB, link: LinkTable, projectId: number, ids: number[]): Promise<void> {
  await sql`DELETE FROM ${sql.table(link.table)} WHERE project_id = ${projectId}`.execute(db);
  if (ids.length === 0) return;
  await sql`
    INSERT INTO ${sql.table(link.table)} (project_id, ${sql.ref(link.column)})
    SELECT DISTINCT ${projectId}::int, x FROM unnest(${ids}::bigint[]) AS x
  `.execute(db);
}

/** Whether every GeoJSON polygon is a valid PostGIS geometry (an unreadable one counts as invalid). */
export async function polygonsAreValid(db: DB, geojson: string[]): Promise<boolean> {
  if (geojson.length === 0) return true;
  try {
    const { rows } = await sql<{ ok: boolean }>`
      SELECT coalesce(bool_and(ST_IsValid(ST_GeomFromGeoJSON(g))), true) AS ok FROM unnest(${geojson}::text[]) AS g
    `.execute(db);
    return rows[0]!.ok;
  } catch {
    return false;
  }
}

export async function replacePriorityAreas(db: DB, projectId: number, geojson: string[]): Promise<void> {
  await db.deleteFrom("project_priority_areas").where("project_id", "=", projectId).execute();
  if (geojson.length === 0) return;
  await sql`
    INSERT INTO project_priority_areas (project_id, geometry)
    SELECT ${projectId}::int, ST_SetSRID(ST_GeomFromGeoJSON(g), 4326) FROM unnest(${geojson}::text[]) AS g
  `.execute(db);
}

/** Users by username (case-insensitive), for allowed-user lists. */
export async function usersByUsernames(db: DB, usernames: string[]): Promise<{ id: number; username: string }[]> {
  if (usernames.length === 0) return [];
  return db
    .selectFrom("users")
    .select(["id", "username"])
    .where(sql<string>`lower(username)`, "in", usernames.map((u) => u.toLowerCase()))
    .execute();
}
