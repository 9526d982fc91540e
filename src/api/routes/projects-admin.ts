import { z } from "zod";
import { createDraftProject } from "../../domain/projects/create";
import { deleteProject } from "../../domain/projects/delete";
import { intersectingTiles } from "../../domain/projects/intersecting-tiles";
import type { RouteTable } from "../openapi/routes";
import { SuccessDTO } from "../schemas/fields";
import { DraftProjectDTO, GridDTO, GridFeatureCollection, ProjectCreated } from "../schemas/project-create";
import type { Services } from "../services";

/** Creating and deleting projects, and trimming a task grid to an area of interest. */
export function projectAdminRoutes(routes: RouteTable, services: Services): void {
  const limits = services.config.projects;

  routes.add({
    method: "post",
    path: "/api/v2/projects/",
    tag: "projects",
    summary: "Create a draft project",
    description:
      "Creates a DRAFT project owned by an organisation the caller manages, from an area of interest and either a grid " +
      "of squares (`tasks`), one task per AOI feature (`arbitraryTasks`), or, as an extension, a grid the server builds " +
      "(`zoomLevel`, `clipToAoi`). `cloneFromProjectId` copies another project's settings and descriptions. " +
      `Limits: AOI area ${limits.maxAoiAreaSqKm} km² (TM_MAX_AOI_AREA_SQKM), ${limits.maxTasks} tasks (TM_MAX_TASKS).`,
    auth: "required",
    body: DraftProjectDTO,
    status: 201,
    responses: { 201: { description: "The new project's id", schema: ProjectCreated } },
    handler: async ({ body, user }) => ({ projectId: await createDraftProject(services.db, limits, user!, body) }),
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/actions/intersecting-tiles/",
    tag: "projects",
    summary: "The grid squares that intersect an area of interest",
    description: "Keeps the squares of `grid` that overlap `areaOfInterest`; with `clipToAoi`, border squares are cut to the area (isSquare false).",
    auth: "required",
    body: GridDTO,
    responses: { 200: { description: "The intersecting squares", schema: GridFeatureCollection } },
    handler: ({ body }) => intersectingTiles(services.db, limits, body),
  });

  routes.add({
    method: "delete",
    path: "/api/v2/projects/{project_id}/",
    tag: "projects",
    summary: "Delete a project that has no mapped tasks",
    auth: "required",
    params: z.object({ project_id: z.coerce.number().int().positive() }),
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      await deleteProject(services.db, params.project_id, user!);
      return { Success: "Project deleted" };
    },
  });
}
