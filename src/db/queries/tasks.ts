import { type RawBuilder, sql } from "kysely";
import type { DB } from "../database";
import type { TaskStatus } from "../schema";
import { visibleToViewer, type Viewer } from "./search";

/** Task reads. Geometry leaves PostgreSQL as GeoJSON text (ST_AsGeoJSON), never as WKB to decode here. */

const inSelection = (taskIds: number[] | undefined) => (taskIds ? sql`AND t.id = ANY(${taskIds}::int[])` : sql``);

/** A project-info column in the wanted locale, falling back to the project's default locale (`p` is the project). */
export const localizedInfo = (column: "name" | "per_task_instructions", locale: string): RawBuilder<string | null> => sql`coalesce(
  (SELECT nullif(${sql.ref(column)}, '') FROM project_info WHERE project_id = p.id AND locale = ${locale}),
  (SELECT ${sql.ref(column)} FROM project_info WHERE project_id = p.id AND locale = p.default_locale))`;

/**
 * Tasks as a GeoJSON FeatureCollection built and serialised by PostgreSQL: for 10,000 tasks,
 * shipping one text value beats decoding and re-encoding 10,000 objects in JS.
 */
function taskFeatureCollection(geometry: RawBuilder<unknown>, isSquare: RawBuilder<unknown>, from: RawBuilder<unknown>): RawBuilder<{ body: string }> {
  return sql`
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
             'type', 'Feature',
             'geometry', ST_AsGeoJSON(${geometry}, 6)::json,
             'properties', CASE WHEN t.extra_properties IS NULL THEN props ELSE (props::jsonb || jsonb_build_object('extraProperties', t.extra_properties))::json END
           ) ORDER BY t.id), '[]'::json))::text AS body
    FROM ${from}
    CROSS JOIN LATERAL (SELECT json_build_object(
      'taskId', t.id, 'taskX', t.x, 'taskY', t.y, 'taskZoom', t.zoom, 'taskIsSquare', ${isSquare},
      'taskStatus', t.task_status, 'lockedBy', t.locked_by, 'mappedBy', t.mapped_by, 'validatedBy', t.validated_by) AS props) AS pr
  `;
}

export async function taskFeatureCollectionJson(db: DB, projectId: number, taskIds?: number[]): Promise<string> {
  const from = sql`tasks t WHERE t.project_id = ${projectId} ${inSelection(taskIds)}`;
  // The WHERE must follow the lateral join: wrap the filtered tasks in a subquery.
  const { rows } = await taskFeatureCollection(sql`t.geometry`, sql`t.is_square`, sql`(SELECT * FROM ${from}) AS t`).execute(db);
  return rows[0]!.body;
}

export interface TaskOutline {
  id: number;
  x: number | null;
  y: number | null;
  zoom: number | null;
  task_status: TaskStatus;
  /** MultiPolygon coordinates: polygons → rings → [lon, lat]. */
  coordinates: number[][][][];
}

export async function taskOutlines(db: DB, projectId: number, taskIds?: number[]): Promise<TaskOutline[]> {
  const { rows } = await sql<TaskOutline>`
    SELECT t.id, t.x, t.y, t.zoom, t.task_status, (ST_AsGeoJSON(t.geometry, 7)::json -> 'coordinates') AS coordinates
    FROM tasks t WHERE t.project_id = ${projectId} ${inSelection(taskIds)} ORDER BY t.id
  `.execute(db);
  return rows;
}

export interface TaskDetailRow {
  id: number;
  project_id: number;
  x: number | null;
  y: number | null;
  zoom: number | null;
  task_status: TaskStatus;
  lock_holder: string | null;
  lock_expires_at: Date | null;
  extra_properties: Record<string, unknown> | null;
  per_task_instructions: string | null;
  last_updated: Date | null;
  number_of_comments: number;
}

export async function taskDetail(db: DB, projectId: number, taskId: number, locale: string): Promise<TaskDetailRow | undefined> {
  const { rows } = await sql<TaskDetailRow>`
    SELECT t.id, t.project_id, t.x, t.y, t.zoom, t.task_status, t.lock_expires_at, t.extra_properties,
           (SELECT username FROM users WHERE id = t.locked_by) AS lock_holder,
           ${localizedInfo("per_task_instructions", locale)} AS per_task_instructions,
           (SELECT max(action_date) FROM task_history h WHERE h.project_id = t.project_id AND h.task_id = t.id) AS last_updated,
           (SELECT count(*)::int FROM task_history h WHERE h.project_id = t.project_id AND h.task_id = t.id AND h.action = 'COMMENT') AS number_of_comments
    FROM tasks t JOIN projects p ON p.id = t.project_id
    WHERE t.project_id = ${projectId} AND t.id = ${taskId}
  `.execute(db);
  return rows[0];
}

export interface TaskHistoryRow {
  id: number;
  task_id: number;
  action: string;
  action_text: string | null;
  action_date: Date;
  username: string | null;
  picture_url: string | null;
  issues: { categoryId: number; name: string; count: number }[];
}

/** A TaskHistoryRow's columns, over `task_history h LEFT JOIN users u ON u.id = h.user_id`. */
export const historyColumns = sql`h.id, h.task_id, h.action, h.action_text, h.action_date, u.username, u.picture_url,
  (SELECT coalesce(json_agg(json_build_object('categoryId', i.mapping_issue_category_id, 'name', i.issue, 'count', i.count) ORDER BY i.id), '[]'::json)
     FROM task_mapping_issues i WHERE i.task_history_id = h.id) AS issues`;

/** Newest first, as the official task history. */
export async function taskHistory(db: DB, projectId: number, taskId: number): Promise<TaskHistoryRow[]> {
  const { rows } = await sql<TaskHistoryRow>`
    SELECT ${historyColumns}
    FROM task_history h LEFT JOIN users u ON u.id = h.user_id
    WHERE h.project_id = ${projectId} AND h.task_id = ${taskId}
    ORDER BY h.action_date DESC, h.id DESC
  `.execute(db);
  return rows;
}

export interface MappedByUserRow {
  username: string;
  mapping_level: string;
  mapped_task_count: number;
  tasks_mapped: number[];
  last_seen: Date | null;
  date_registered: Date;
  last_validation_date: Date | null;
}

/** Tasks currently MAPPED, grouped by who mapped them (official get_mapped_tasks_by_user). */
export async function mappedTasksByUser(db: DB, projectId: number): Promise<MappedByUserRow[]> {
  const { rows } = await sql<MappedByUserRow>`
    SELECT u.username, u.mapping_level, count(*)::int AS mapped_task_count, array_agg(t.id ORDER BY t.id) AS tasks_mapped,
           (SELECT max(action_date) FROM task_history h WHERE h.project_id = ${projectId} AND h.user_id = u.id) AS last_seen,
           u.date_registered, u.last_validation_date
    FROM tasks t JOIN users u ON u.id = t.mapped_by
    WHERE t.project_id = ${projectId} AND t.task_status = 'MAPPED'
    GROUP BY u.id
    ORDER BY u.username
  `.execute(db);
  return rows;
}

export interface InvalidatedFilter {
  userId: number;
  asValidator: boolean;
  projectId?: number;
  closed?: boolean;
  sortBy: "updatedDate" | "projectId";
  direction: "asc" | "desc";
  limit: number;
  offset: number;
  locale: string;
}

export interface InvalidatedRow {
  task_id: number;
  project_id: number;
  project_name: string | null;
  history_id: number | null;
  is_closed: boolean;
  updated_date: Date;
}

/** A user's invalidated tasks (as mapper, or as the validator who invalidated them) in projects the viewer may see, and their count. */
export async function invalidatedTasks(db: DB, f: InvalidatedFilter, viewer: Viewer | undefined): Promise<{ rows: InvalidatedRow[]; total: number }> {
  const where = sql.join(
    [
      f.asValidator ? sql`ih.invalidator_id = ${f.userId}` : sql`ih.mapper_id = ${f.userId}`,
      visibleToViewer(viewer),
      ...(f.projectId !== undefined ? [sql`ih.project_id = ${f.projectId}`] : []),
      ...(f.closed !== undefined ? [sql`ih.is_closed = ${f.closed}`] : []),
    ],
    sql` AND `,
  );
  const from = sql`task_invalidation_history ih JOIN projects p ON p.id = ih.project_id WHERE ${where}`;
  const dir = sql.raw(f.direction === "asc" ? "ASC" : "DESC");
  const sortColumn = f.sortBy === "projectId" ? sql`ih.project_id` : sql`ih.updated_date`;
  const [page, count] = await Promise.all([
    sql<InvalidatedRow>`
      SELECT ih.task_id, ih.project_id, ${localizedInfo("name", f.locale)} AS project_name, ih.invalidation_history_id AS history_id,
             ih.is_closed, ih.updated_date
      FROM ${from} ORDER BY ${sortColumn} ${dir}, ih.id ${dir} LIMIT ${f.limit} OFFSET ${f.offset}
    `.execute(db),
    sql<{ total: number }>`SELECT count(*)::int AS total FROM ${from}`.execute(db),
  ]);
  return { rows: page.rows, total: count.rows[0]!.total };
}

export type DeleteOutcome = { deleted: number } | { missing: number[] } | { notReady: { id: number; status: TaskStatus }[] };

/** Deletes the listed tasks only if every one exists and is READY; otherwise deletes nothing. */
export function deleteReadyTasks(db: DB, projectId: number, taskIds: number[]): Promise<DeleteOutcome> {
  return db.transaction().execute(async (trx) => {
    const found = await trx
      .selectFrom("tasks")
      .select(["id", "task_status"])
      .where("project_id", "=", projectId)
      .where("id", "in", taskIds)
      .forUpdate()
      .execute();
    const present = new Set(found.map((t) => t.id));
    const missing = [...new Set(taskIds)].filter((id) => !present.has(id));
    if (missing.length) return { missing };
    const notReady = found.filter((t) => t.task_status !== "READY").map((t) => ({ id: t.id, status: t.task_status }));
    if (notReady.length) return { notReady };
    const result = await trx.deleteFrom("tasks").where("project_id", "=", projectId).where("id", "in", taskIds).executeTakeFirst();
    return { deleted: Number(result.numDeletedRows) };
  });
}

/** What is left of `geometry` inside the AOI (`aoi.geom`), when it is not wholly inside. */
const clipped = (geometry: RawBuilder<unknown>) =>
  sql`CASE WHEN ST_Within(${geometry}, aoi.geom) THEN ${geometry} ELSE ST_Multi(ST_CollectionExtract(ST_Intersection(${geometry}, aoi.geom), 3)) END`;

/** The project's tasks that intersect an area (EWKB, SRID 4326) as a FeatureCollection, optionally clipped to it. */
export async function tasksInAreaJson(db: DB, projectId: number, areaEwkb: Buffer, clip: boolean): Promise<string> {
  const from = sql`(SELECT * FROM tasks t WHERE t.project_id = ${projectId}) AS t
    JOIN (SELECT ST_GeomFromEWKB(${areaEwkb}) AS geom) AS aoi ON ST_Intersects(t.geometry, aoi.geom)`;
  const { rows } = await (clip
    ? taskFeatureCollection(clipped(sql`t.geometry`), sql`t.is_square AND ST_Within(t.geometry, aoi.geom)`, from)
    : taskFeatureCollection(sql`t.geometry`, sql`t.is_square`, from)
  ).execute(db);
  return rows[0]!.body;
}
