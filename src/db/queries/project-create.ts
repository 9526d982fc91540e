import { type RawBuilder, sql } from "kysely";
import pg from "pg";
import type { BBox, TileRange } from "../../domain/grid";
import type { DB } from "../database";

/**
 * PostGIS statements for creating and deleting projects. Geometry arrives as GeoJSON in ONE jsonb
 * parameter and is expanded set-wise (jsonb_array_elements), so 10,000 tasks are one statement. A
 * dissolved area of interest travels between statements as EWKB (a Buffer), never as JS math.
 */

/** True for the error PostGIS raises when it cannot read a GeoJSON geometry (e.g. an unclosed ring). */
export function isGeometryInputError(err: unknown): err is pg.DatabaseError {
  return err instanceof pg.DatabaseError && (err.code === "XX000" || err.code === "22023") && /geojson|geometry|ring|polygon|lwgeom/i.test(err.message);
}

/** `(ord, geom)` rows, ord from 1, from a JSON array of GeoJSON geometries. */
const geometryRows = (geometries: unknown[]) => sql`(
  SELECT ord::int AS ord, ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(value)), 4326) AS geom
  FROM jsonb_array_elements(${JSON.stringify(geometries)}::jsonb) WITH ORDINALITY AS t (value, ord))`;

/**
 * A LATERAL join giving `part`, the piece of `tile` inside `area` (the tile itself when covered, else
 * their polygonal intersection), and `share`, the fraction of the tile that piece is.
 */
const pieceInside = (area: RawBuilder<unknown>, tile: RawBuilder<unknown>) => sql`
  LATERAL (SELECT part, ST_Area(part) / ST_Area(${tile}) AS share
           FROM (SELECT CASE WHEN ST_Covers(${area}, ${tile}) THEN ${tile}
                             ELSE ST_CollectionExtract(ST_Intersection(${area}, ${tile}), 3) END AS part) i) piece`;

/**
 * Tolerances on that share. An AOI drawn along tile edges touches the neighbouring tiles along a line
 * or, after floating-point rounding, in slivers of nanometres: below a millionth, a tile is not in the
 * area; above 1 - a millionth, it is wholly in it (and stays a square when clipping).
 */
const SLIVER = 1e-6;
const WHOLE = 1 - 1e-6;

/** The first geometry PostGIS finds invalid, with its reason (e.g. "Self-intersection[36.8 -1.3]"). */
export async function firstInvalidGeometry(db: DB, geometries: unknown[]): Promise<{ index: number; reason: string } | undefined> {
  const { rows } = await sql<{ index: number; reason: string }>`
    SELECT ord - 1 AS index, ST_IsValidReason(geom) AS reason FROM ${geometryRows(geometries)} g
    WHERE NOT ST_IsValid(geom) ORDER BY ord LIMIT 1`.execute(db);
  return rows[0];
}

export interface DissolvedArea {
  /** EWKB of the MultiPolygon, SRID 4326. */
  geometry: Buffer;
  areaSqKm: number;
  bbox: BBox;
}

const areaColumns = (g: RawBuilder<unknown>) => sql`
  ST_AsEWKB(${g}) AS geometry, ST_Area(${g}::geography) / 1e6 AS "areaSqKm",
  ARRAY[ST_XMin(${g}), ST_YMin(${g}), ST_XMax(${g}), ST_YMax(${g})]::float8[] AS bbox`;

/** Valid polygons dissolved into one MultiPolygon, with its area and bounding box. */
export async function dissolveArea(db: DB, geometries: unknown[]): Promise<DissolvedArea> {
  const { rows } = await sql<DissolvedArea>`
    SELECT ${areaColumns(sql.ref("u.g"))}
    FROM (SELECT ST_Multi(ST_CollectionExtract(ST_Union(geom), 3)) AS g FROM ${geometryRows(geometries)} r) u`.execute(db);
  return rows[0]!;
}

/** A project's stored area of interest. */
export async function projectArea(db: DB, projectId: number): Promise<DissolvedArea | undefined> {
  const { rows } = await sql<DissolvedArea>`SELECT ${areaColumns(sql.ref("geometry"))} FROM projects WHERE id = ${projectId}`.execute(db);
  return rows[0];
}

export async function insertDraftProject(
  db: DB,
  p: { authorId: number; organisationId: number; area: Buffer; taskCreationMode: "GRID" | "ARBITRARY" },
): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    INSERT INTO projects (author_id, organisation_id, status, task_creation_mode, geometry, centroid)
    SELECT ${p.authorId}, ${p.organisationId}, 'DRAFT', ${p.taskCreationMode}, a.g, ST_Centroid(a.g)
    FROM (SELECT ST_GeomFromEWKB(${p.area}) AS g) a
    RETURNING id`.execute(db);
  return rows[0]!.id;
}

/** Settings a clone inherits (status, author, organisation, counters, geometry and featured do not). */
const CLONED_SETTINGS = [
  "due_date", "priority", "difficulty", "default_locale", "mapping_permission", "validation_permission",
  "mapping_permission_level_id", "validation_permission_level_id", "enforce_random_task_selection", "private",
  "changeset_comment", "osmcha_filter_id", "imagery", "josm_preset", "id_presets", "extra_id_params",
  "rapid_power_user", "mapping_types", "mapping_editors", "validation_editors", "license_id",
] as const;

/** Copies a project's settings, descriptions in every locale, and its lists, onto a new project. */
export async function copyProjectSetup(db: DB, fromId: number, toId: number): Promise<void> {
  const cols = sql.join(CLONED_SETTINGS.map((c) => sql.ref(c)));
  const srcCols = sql.join(CLONED_SETTINGS.map((c) => sql.ref(`s.${c}`)));
  await sql`UPDATE projects p SET (${cols}) = (SELECT ${srcCols} FROM projects s WHERE s.id = ${fromId}) WHERE p.id = ${toId}`.execute(db);
  await sql`
    INSERT INTO project_info (project_id, locale, name, short_description, description, instructions, per_task_instructions)
    SELECT ${toId}, locale, name, short_description, description, instructions, per_task_instructions
    FROM project_info WHERE project_id = ${fromId}`.execute(db);
  await sql`INSERT INTO project_allowed_users (project_id, user_id) SELECT ${toId}, user_id FROM project_allowed_users WHERE project_id = ${fromId}`.execute(db);
  await sql`INSERT INTO project_interests (project_id, interest_id) SELECT ${toId}, interest_id FROM project_interests WHERE project_id = ${fromId}`.execute(db);
  await sql`INSERT INTO campaign_projects (campaign_id, project_id) SELECT campaign_id, ${toId} FROM campaign_projects WHERE project_id = ${fromId}`.execute(db);
  await sql`
    INSERT INTO project_custom_editors (project_id, name, description, url)
    SELECT ${toId}, name, description, url FROM project_custom_editors WHERE project_id = ${fromId}`.execute(db);
  await sql`
    INSERT INTO project_priority_areas (project_id, geometry)
    SELECT ${toId}, geometry FROM project_priority_areas WHERE project_id = ${fromId}`.execute(db);
}

/** Names the project in its default locale (creating that locale's info if needed). */
export async function setProjectName(db: DB, projectId: number, name: string): Promise<void> {
  await sql`
    INSERT INTO project_info (project_id, locale, name)
    SELECT id, default_locale, ${name} FROM projects WHERE id = ${projectId}
    ON CONFLICT (project_id, locale) DO UPDATE SET name = excluded.name`.execute(db);
}

/**
 * The official default changeset comment, `<prefix>-<id>`, followed by the rest of an inherited comment
 * (a clone drops its source's own `<prefix>-<sourceId>` hashtag).
 */
export async function setDefaultChangesetComment(db: DB, projectId: number, prefix: string, sourceProjectId?: number): Promise<void> {
  const inherited = sourceProjectId === undefined ? sql`''` : sql`replace(coalesce(changeset_comment, ''), ${`${prefix}-${sourceProjectId}`}, '')`;
  await sql`
    UPDATE projects SET changeset_comment = trim(regexp_replace(${`${prefix}-`} || id || ' ' || ${inherited}, '\\s+', ' ', 'g'))
    WHERE id = ${projectId}`.execute(db);
}

export interface TaskInput {
  geometry: unknown;
  x: number | null;
  y: number | null;
  zoom: number | null;
  isSquare: boolean;
  extra: unknown;
}

/** Inserts tasks 1..n in array order, in one statement. */
export async function insertTasks(db: DB, projectId: number, tasks: TaskInput[]): Promise<void> {
  await sql`
    INSERT INTO tasks (project_id, id, x, y, zoom, is_square, geometry, extra_properties)
    SELECT ${projectId}, ord, (t->>'x')::int, (t->>'y')::int, (t->>'zoom')::int, (t->>'isSquare')::boolean,
           ST_Multi(ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(t->'geometry')), 4326)), nullif(t->'extra', 'null'::jsonb)
    FROM jsonb_array_elements(${JSON.stringify(tasks)}::jsonb) WITH ORDINALITY AS a (t, ord)`.execute(db);
}

/** The first task (by id) that PostGIS finds invalid or that does not touch the project's area. */
export async function firstMisplacedTask(db: DB, projectId: number): Promise<{ id: number; invalidReason: string | null } | undefined> {
  const { rows } = await sql<{ id: number; invalidReason: string | null }>`
    SELECT t.id, CASE WHEN ST_IsValid(t.geometry) THEN NULL ELSE ST_IsValidReason(t.geometry) END AS "invalidReason"
    FROM tasks t JOIN projects p ON p.id = t.project_id
    WHERE t.project_id = ${projectId}
      AND CASE WHEN ST_IsValid(t.geometry) THEN NOT ST_Intersects(t.geometry, p.geometry) ELSE true END
    ORDER BY t.id LIMIT 1`.execute(db);
  return rows[0];
}

/**
 * Builds the square grid of `range` over the project's area: the tiles that overlap it (by more than an
 * edge or a rounding sliver), optionally clipped to it. Ids run in reading order (north to south, west to east).
 */
export async function insertGridTasks(db: DB, projectId: number, range: TileRange, clipToAoi: boolean): Promise<number> {
  const tile = sql`ST_Transform(ST_TileEnvelope(${range.zoom}, gx, ${2 ** range.zoom - 1} - gy), 4326)`;
  const result = await sql`
    INSERT INTO tasks (project_id, id, x, y, zoom, is_square, geometry)
    SELECT ${projectId}, row_number() OVER (ORDER BY gy DESC, gx), gx, gy, ${range.zoom},
           NOT ${clipToAoi}::boolean OR share >= ${WHOLE}, ST_Multi(CASE WHEN ${clipToAoi}::boolean AND share < ${WHOLE} THEN part ELSE tile END)
    FROM (
      SELECT gx, gy, tile, part, share
      FROM projects a, generate_series(${range.minX}::int, ${range.maxX}::int) gx, generate_series(${range.minY}::int, ${range.maxY}::int) gy,
        LATERAL (SELECT ${tile} AS tile) e, ${pieceInside(sql.ref("a.geometry"), sql.ref("tile"))}
      WHERE a.id = ${projectId} AND ST_Intersects(a.geometry, tile)
    ) s
    WHERE share > ${SLIVER}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Copies a project's current tasks (split parents left out) as fresh READY tasks numbered from 1. */
export async function copyTasks(db: DB, fromId: number, toId: number): Promise<void> {
  await sql`
    INSERT INTO tasks (project_id, id, x, y, zoom, is_square, geometry, extra_properties)
    SELECT ${toId}, row_number() OVER (ORDER BY id), x, y, zoom, is_square, geometry, extra_properties
    FROM tasks WHERE project_id = ${fromId} AND task_status <> 'SPLIT'`.execute(db);
}

export async function countTasks(db: DB, projectId: number): Promise<number> {
  const row = await db.selectFrom("tasks").select((eb) => eb.fn.countAll<number>().as("n")).where("project_id", "=", projectId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The squares (by index in `squares`) that overlap `area` by more than an edge; `clipped` is the
 * part inside the area, as a GeoJSON MultiPolygon, for the squares not wholly inside it.
 */
export async function squaresInArea(db: DB, area: Buffer, squares: unknown[]): Promise<{ index: number; clipped: unknown | null }[]> {
  const { rows } = await sql<{ index: number; clipped: unknown | null }>`
    SELECT ord - 1 AS index, CASE WHEN share >= ${WHOLE} THEN NULL ELSE ST_AsGeoJSON(ST_Multi(part))::jsonb END AS clipped
    FROM (
      SELECT ord, part, share
      FROM ${geometryRows(squares)} r, (SELECT ST_GeomFromEWKB(${area}) AS g) a, ${pieceInside(sql.ref("a.g"), sql.ref("r.geom"))}
      WHERE ST_Intersects(a.g, geom)
    ) s
    WHERE share > ${SLIVER}
    ORDER BY ord`.execute(db);
  return rows;
}

/** Whether any mapping work exists: a task no longer READY, or a recorded MAPPED/VALIDATED/BADIMAGERY. */
export async function hasMappedWork(db: DB, projectId: number): Promise<boolean> {
  const { rows } = await sql<{ mapped: boolean }>`
    SELECT EXISTS (SELECT 1 FROM tasks WHERE project_id = ${projectId} AND task_status <> 'READY')
        OR EXISTS (SELECT 1 FROM task_history WHERE project_id = ${projectId} AND action = 'STATE_CHANGE'
                   AND action_text IN ('MAPPED', 'VALIDATED', 'BADIMAGERY')) AS mapped`.execute(db);
  return rows[0]!.mapped;
}

/** Locks the project's row for the rest of the transaction; false when it does not exist. */
export async function lockProjectRow(db: DB, projectId: number): Promise<boolean> {
  const row = await db.selectFrom("projects").select("id").where("id", "=", projectId).forUpdate().executeTakeFirst();
  return row !== undefined;
}

/** Deletes a project; its info, tasks, history and lists go with it (ON DELETE CASCADE). */
export async function deleteProjectRow(db: DB, projectId: number): Promise<void> {
  await db.deleteFrom("projects").where("id", "=", projectId).execute();
}
