import type { DB } from "../../db/database";
import { findUserByUsername } from "../../db/queries/users";
import {
  deleteReadyTasks, invalidatedTasks, mappedTasksByUser, taskOutlines, type TaskOutline, tasksInAreaJson,
} from "../../db/queries/tasks";
import type { UserRow } from "../../db/schema";
import { forbidden, notFound } from "../errors";
import { type AreaLimits, checkedArea } from "../projects/area";
import { intersectingTiles } from "../projects/intersecting-tiles";
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

/**
 * PUT …/tasks/queries/aoi/: with a `grid`, the official GridDTO trim (the shared intersecting-tiles
 * rule); without one, the project's tasks intersecting the area of interest, clipped to it only with
 * clipToAoi=true. The area is checked as project creation checks it (official SubCodes).
 */
export async function tasksForAoi(
  db: DB,
  limits: AreaLimits & { maxTasks: number },
  projectId: number,
  body: { areaOfInterest: unknown; grid?: unknown; clipToAoi?: boolean } | { type: string },
): Promise<string> {
  if ("grid" in body && body.grid !== undefined) {
    return JSON.stringify(await intersectingTiles(db, limits, { areaOfInterest: body.areaOfInterest, grid: body.grid, clipToAoi: body.clipToAoi ?? false }));
  }
  const request = "areaOfInterest" in body ? body : { areaOfInterest: body, clipToAoi: false };
  const { area } = await checkedArea(db, request.areaOfInterest, limits);
  return tasksInAreaJson(db, projectId, area.geometry, request.clipToAoi ?? false);
}
