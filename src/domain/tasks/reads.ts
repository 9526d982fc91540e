import type { DB } from "../../db/database";
import { findUserByUsername } from "../../db/queries/users";
import {
  deleteReadyTasks, geometryProblems, invalidatedTasks, mappedTasksByUser, taskOutlines, type TaskOutline, tasksInAoiJson, trimGridJson,
} from "../../db/queries/tasks";
import type { UserRow } from "../../db/schema";
import { badRequest, forbidden, notFound } from "../errors";
import { type AreaOfInterestInput, areaGeometries } from "../geojson";
import { pagination, viewerOf } from "../search";

/** Task reads and the manager's task deletion, shared by the routes (and later by activities). */

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The outlines to export; 404 when the selection matches no task (official "No mapped tasks found"). */
export async function outlinesOrNotFound(db: DB, projectId: number, taskIds?: number[]): Promise<TaskOutline[]> {
  const outlines = await taskOutlines(db, projectId, taskIds);
  if (!outlines.length) throw notFound(taskIds ? `None of tasks ${taskIds.join(", ")} exist in project ${projectId}` : `Project ${projectId} has no tasks`);
  return outlines;
}

export async function mappedTasks(db: DB, projectId: number) {
  const rows = await mappedTasksByUser(db, projectId);
  return {
    mappedTasks: rows.map((r) => ({
      username: r.username,
      mappedTaskCount: r.mapped_task_count,
      tasksMapped: r.tasks_mapped,
      lastSeen: iso(r.last_seen),
      mappingLevel: r.mapping_level,
      dateRegistered: r.date_registered.toISOString(),
      lastValidationDate: iso(r.last_validation_date),
    })),
  };
}

export interface InvalidatedQuery {
  asValidator?: boolean;
  sortBy: "updatedDate" | "projectId";
  sortDirection: "asc" | "desc";
  page: number;
  pageSize: number;
  project?: number;
  closed?: boolean;
}

/** InvalidatedTasks of a user, limited to projects the viewer may see; 404 UserNotFound for an unknown username. */
export async function listInvalidatedTasks(db: DB, username: string, q: InvalidatedQuery, viewer: UserRow | undefined, locale: string) {
  const user = await findUserByUsername(db, username);
  if (!user) throw notFound(`User ${username} not found`, "UserNotFound");
  const { rows, total } = await invalidatedTasks(
    db,
    {
      userId: user.id,
      asValidator: q.asValidator ?? false,
      projectId: q.project,
      closed: q.closed,
      sortBy: q.sortBy,
      direction: q.sortDirection,
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
      locale,
    },
    viewerOf(viewer),
  );
  return {
    invalidatedTasks: rows.map((r) => ({
      taskId: r.task_id,
      projectId: r.project_id,
      projectName: r.project_name,
      historyId: r.history_id,
      closed: r.is_closed,
      updatedDate: r.updated_date.toISOString(),
    })),
    pagination: pagination(q.page, q.pageSize, total),
  };
}

/** Deletes READY tasks, all or nothing: 404 for unknown ids, 403 InvalidTaskState if any is not READY. */
export async function deleteTasks(db: DB, projectId: number, taskIds: number[]) {
  const outcome = await deleteReadyTasks(db, projectId, taskIds);
  if ("missing" in outcome) throw notFound(`Task(s) ${outcome.missing.join(", ")} not found in project ${projectId}`);
  if ("notReady" in outcome) {
    const list = outcome.notReady.map((t) => `${t.id} (${t.status})`).join(", ");
    throw forbidden(`Only READY tasks can be deleted; nothing was deleted. Not READY: ${list}`, "InvalidTaskState");
  }
  return { Success: "Task(s) deleted" };
}

/** Refuses an area of interest PostGIS cannot read or finds invalid (self-intersections get their official SubCode). */
async function validatedGeometries(db: DB, aoi: AreaOfInterestInput): Promise<unknown[]> {
  const geometries = areaGeometries(aoi);
  const problems = await geometryProblems(db, geometries);
  if (problems.parseError) throw badRequest(`areaOfInterest: not a readable geometry (${problems.parseError})`);
  if (problems.invalid.length) {
    const selfIntersecting = problems.invalid.some((r) => /self-intersection|ring self/i.test(r));
    throw badRequest(`areaOfInterest is not a valid geometry: ${problems.invalid.join("; ")}`, selfIntersecting ? "SelfIntersectingAOI" : "InvalidData");
  }
  return geometries;
}

/**
 * PUT …/tasks/queries/aoi/: with a `grid`, the official GridDTO trim (grid cells intersecting the
 * AOI, clipped to it unless clipToAoi is false); without one, the project's tasks intersecting the
 * AOI (clipped only when clipToAoi is true). Answers FeatureCollection JSON text.
 */
export async function tasksForAoi(
  db: DB,
  projectId: number,
  body: AreaOfInterestInput | { areaOfInterest: AreaOfInterestInput; grid?: { features: unknown[] }; clipToAoi?: boolean },
): Promise<string> {
  const request = "areaOfInterest" in body ? body : { areaOfInterest: body, grid: undefined, clipToAoi: undefined };
  const geometries = await validatedGeometries(db, request.areaOfInterest);
  if (request.grid) {
    const cells = await geometryProblems(db, request.grid.features.map((f) => (f as { geometry: unknown }).geometry));
    if (cells.parseError) throw badRequest(`grid: not a readable geometry (${cells.parseError})`);
    return trimGridJson(db, request.grid, geometries, request.clipToAoi ?? true);
  }
  return tasksInAoiJson(db, projectId, geometries, request.clipToAoi ?? false);
}
