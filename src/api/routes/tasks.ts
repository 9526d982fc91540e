import { z } from "zod";
import { taskFeatureCollectionJson } from "../../db/queries/tasks";
import { loadProject } from "../../domain/projects/access";
import { getTaskDTO } from "../../domain/tasks/dto";
import { tasksAsGpx, tasksAsOsmXml } from "../../domain/tasks/formats";
import { deleteTasks, listInvalidatedTasks, mappedTasks, outlinesOrNotFound, tasksForAoi } from "../../domain/tasks/reads";
import { sendText } from "../http/text";
import type { RouteTable } from "../openapi/routes";
import {
  DeleteTasksBody, InvalidatedTasks, InvalidatedTasksQuery, MappedTasks, ProjectParams, ProjectTaskParams, TaskDTO,
  TaskFeatureCollection, TasksAoiBody, TaskSelectionQuery,
} from "../schemas/tasks";
import { SuccessDTO } from "../schemas/fields";
import type { Services } from "../services";

/** Reads of a project's tasks (the lock/unlock actions live with the task workflow routes). */
export function taskReadRoutes(routes: RouteTable, services: Services): void {
  const db = services.db;

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/tasks/",
    tag: "tasks",
    summary: "The project's tasks as a GeoJSON FeatureCollection (optionally only `tasks=1,2,5`, or as a file)",
    auth: "optional",
    params: ProjectParams,
    query: TaskSelectionQuery,
    responses: { 200: { description: "Tasks", schema: TaskFeatureCollection } },
    handler: async ({ params, query, user, ctx }) => {
      await loadProject(db, params.project_id, user, "view");
      const body = await taskFeatureCollectionJson(db, params.project_id, query.tasks);
      return query.as_file
        ? sendText(ctx, body, "application/geo+json", `project-${params.project_id}-tasks.geojson`)
        : sendText(ctx, body, "application/json");
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/projects/{project_id}/tasks/",
    tag: "tasks",
    summary: "Delete READY tasks (project managers); all or nothing",
    description: 'Body {"tasks": [ids]}. Unknown ids → 404; any task not READY → 403 InvalidTaskState and nothing is deleted.',
    auth: "required",
    params: ProjectParams,
    body: DeleteTasksBody,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, body, user }) => {
      await loadProject(db, params.project_id, user, "manage");
      return deleteTasks(db, params.project_id, body.tasks);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/tasks/{task_id}/",
    tag: "tasks",
    summary: "One task: status, lock holder, history, per-task instructions",
    auth: "optional",
    params: ProjectTaskParams,
    responses: { 200: { description: "Task", schema: TaskDTO } },
    handler: async ({ params, user, locale }) => {
      await loadProject(db, params.project_id, user, "view");
      return getTaskDTO(db, params.project_id, params.task_id, locale, { autoUnlockMs: services.config.taskAutoUnlockMs });
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/tasks/queries/xml/",
    tag: "tasks",
    summary: "Task outlines as OSM XML (negative ids, one closed way per ring)",
    auth: "optional",
    params: ProjectParams,
    query: TaskSelectionQuery,
    responses: { 200: { description: "OSM XML", contentType: "text/xml", schema: z.string() } },
    handler: async ({ params, query, user, ctx }) => {
      await loadProject(db, params.project_id, user, "view");
      const xml = tasksAsOsmXml(await outlinesOrNotFound(db, params.project_id, query.tasks));
      return sendText(ctx, xml, "text/xml", query.as_file ? `HOT-project-${params.project_id}.osm` : undefined);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/tasks/queries/gpx/",
    tag: "tasks",
    summary: "Task outlines as GPX 1.1 (a track per task, a segment per ring)",
    auth: "optional",
    params: ProjectParams,
    query: TaskSelectionQuery,
    responses: { 200: { description: "GPX", contentType: "text/xml", schema: z.string() } },
    handler: async ({ params, query, user, ctx }) => {
      await loadProject(db, params.project_id, user, "view");
      const gpx = tasksAsGpx(params.project_id, await outlinesOrNotFound(db, params.project_id, query.tasks));
      return sendText(ctx, gpx, "text/xml", query.as_file ? `HOT-project-${params.project_id}.gpx` : undefined);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/tasks/queries/mapped/",
    tag: "tasks",
    summary: "Tasks currently MAPPED, grouped by the user who mapped them",
    auth: "optional",
    params: ProjectParams,
    responses: { 200: { description: "Mapped tasks by user", schema: MappedTasks } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "view");
      return mappedTasks(db, params.project_id);
    },
  });

  routes.add({
    method: "put",
    path: "/api/v2/projects/{project_id}/tasks/queries/aoi/",
    tag: "tasks",
    summary: "Tasks (or the cells of a proposed grid) that intersect an area of interest",
    description:
      "Body: the official GridDTO {areaOfInterest, grid, clipToAoi} trims `grid` to the AOI as intersecting-tiles does; " +
      "without `grid` (or with a bare GeoJSON (Multi)Polygon/Feature/FeatureCollection) it answers the project's tasks " +
      "intersecting the AOI, clipped only with clipToAoi=true. The AOI is validated in PostGIS as for project creation.",
    auth: "optional",
    params: ProjectParams,
    body: TasksAoiBody,
    responses: { 200: { description: "FeatureCollection", schema: TaskFeatureCollection } },
    handler: async ({ params, body, user, ctx }) => {
      await loadProject(db, params.project_id, user, "view");
      return sendText(ctx, await tasksForAoi(db, services.config.projects, params.project_id, body), "application/json");
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{username}/tasks/queries/own/invalidated/",
    tag: "tasks",
    summary: "A user's invalidated tasks, as mapper (or as the validator who invalidated them with asValidator=true)",
    auth: "optional",
    params: z.object({ username: z.string().min(1) }),
    query: InvalidatedTasksQuery,
    responses: { 200: { description: "Invalidated tasks", schema: InvalidatedTasks } },
    handler: ({ params, query, user, locale }) => listInvalidatedTasks(db, params.username, query, user, locale),
  });
}
