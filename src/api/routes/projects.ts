import { z } from "zod";
import {
  activeProjects,
  addFavorite,
  bboxPolygon,
  featuredProjectIds,
  isFavorite,
  popularProjectIds,
  priorityAreaRows,
  projectAoi,
  projectIdsInScope,
  projectInterestRows,
  projectsInBbox,
  removeFavorite,
  setFeatured,
  similarProjectIds,
  touchedProjects,
} from "../../db/queries/projects";
import { findUserByUsername } from "../../db/queries/users";
import { badRequest, forbidden, notFound } from "../../domain/errors";
import { isAdmin, managedOrganisationIds } from "../../domain/permissions";
import { findProject, loadProject } from "../../domain/projects/access";
import { buildProjectDTO, buildProjectSummaries, buildSearchResults, projectNames } from "../../domain/projects/dto";
import { setProjectInterests, transferProjectOwnership, updateProject } from "../../domain/projects/update";
import type { UserRow } from "../../db/schema";
import type { AppContext } from "../http/state";
import type { RouteTable } from "../openapi/routes";
import {
  FeatureCollectionDTO,
  IdNameDTO,
  MappedProjectsDTO,
  PMDashboardDTO,
  ProjectCardsDTO,
  ProjectDTO,
  ProjectStatus,
  ProjectSummary,
  ProjectUpdateInput,
} from "../schemas/projects";
import type { Services } from "../services";

const ProjectParams = z.object({ project_id: z.coerce.number().int().positive() });

/** Query booleans as the official API reads them (strtobool). */
const queryBool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no", "True", "False"])
    .optional()
    .transform((v) => (v === undefined ? fallback : ["true", "1", "yes", "True"].includes(v)));

/** The official map-viewport limit for the PM dashboard's bbox query: (1250 km)². */
export const MAX_BBOX_AREA_KM2 = 1250 * 1250;

const BBox = z
  .string()
  .transform((s, ctx) => {
    const parts = s.split(",").map((p) => Number(p.trim()));
    const [minx, miny, maxx, maxy] = parts;
    if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n)) || !(minx! < maxx!) || !(miny! < maxy!)) {
      ctx.addIssue({ code: "custom", message: "bbox must be minx,miny,maxx,maxy with min < max" });
      return z.NEVER;
    }
    return parts as [number, number, number, number];
  })
  .meta({ description: "minx,miny,maxx,maxy in the given srid", example: "34.404,-1.034,34.717,-0.624" });

const Success = z.object({ Success: z.union([z.boolean(), z.string()]) });

/** Answers a JSON value as a downloadable file, as the official `as_file=true` does. */
function attachment(ctx: AppContext, filename: string, value: unknown): void {
  ctx.status = 200;
  ctx.set("Content-Disposition", `attachment; filename="${filename}"`);
  ctx.type = "application/json";
  ctx.body = JSON.stringify(value);
}

async function requireProjectManagerOfSomething(services: Services, user: UserRow): Promise<number[] | undefined> {
  if (isAdmin(user)) return undefined;
  const orgs = await managedOrganisationIds(services.db, user.id);
  if (orgs.length === 0) throw forbidden("User is not a project manager", "UserPermissionError");
  return orgs;
}

export function projectRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;

  /** The full ProjectDTO, or 404 (the project vanished between the access check and the read). */
  const projectDTO = async (projectId: number, locale: string, abbreviated: boolean) => {
    const dto = await buildProjectDTO(db, projectId, locale, { abbreviated });
    if (!dto) throw notFound(`Project ${projectId} not found`);
    return dto;
  };

  /** ProjectDTO for a viewer, as JSON or (as_file) as a downloadable file. */
  const viewProject = async (
    ctx: AppContext,
    projectId: number,
    user: UserRow | undefined,
    locale: string,
    options: { as_file: boolean; abbreviated: boolean },
  ) => {
    await loadProject(db, projectId, user, "view");
    const dto = await projectDTO(projectId, locale, options.abbreviated);
    if (!options.as_file) return dto;
    attachment(ctx, `project_${projectId}.json`, dto);
  };

  // ---- queries across projects (static paths first, so they win over {project_id}) ----

  routes.add({
    method: "get",
    path: "/api/v2/projects/queries/bbox/",
    tag: "projects",
    summary: "AOIs of the projects the caller manages that intersect a bounding box (PM dashboard map)",
    auth: "required",
    query: z.object({
      bbox: BBox,
      srid: z.enum(["4326", "3857"]).optional().default("4326").transform(Number),
      projectStatuses: z
        .string()
        .optional()
        .transform((s) => (s ? s.split(",").map((x) => x.trim()) : undefined))
        .pipe(z.array(ProjectStatus).optional()),
      createdByMe: queryBool(false),
    }),
    responses: { 200: { description: "FeatureCollection (projectId, projectStatus, projectName)", schema: FeatureCollectionDTO } },
    handler: async ({ query, user, locale }) => {
      const organisationIds = await requireProjectManagerOfSomething(services, user!);
      const box = await bboxPolygon(db, query.bbox, query.srid);
      if (!box.valid || box.area_km2 === null) throw badRequest("bbox: not a valid box in that srid");
      if (box.area_km2 > MAX_BBOX_AREA_KM2) {
        throw forbidden(`Bounding box too large: ${Math.round(box.area_km2)} km² (limit ${MAX_BBOX_AREA_KM2} km²)`, "BBoxTooBigError");
      }
      const rows = await projectsInBbox(db, query.bbox, query.srid, {
        organisationIds,
        statuses: query.projectStatuses,
        authorId: query.createdByMe ? user!.id : undefined,
      });
      const names = await projectNames(db, rows.map((r) => r.id), locale);
      return {
        type: "FeatureCollection",
        features: rows.map((r) => ({
          type: "Feature",
          geometry: r.geometry,
          properties: { projectId: r.id, projectStatus: r.status, projectName: names.get(r.id) ?? null },
        })),
      };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/queries/myself/owner/",
    tag: "projects",
    summary: "The caller's PM dashboard: projects they manage, by status",
    auth: "required",
    responses: { 200: { description: "PMDashboardDTO", schema: PMDashboardDTO } },
    handler: async ({ user, locale }) => {
      const organisationIds = await requireProjectManagerOfSomething(services, user!);
      const summaries = await buildProjectSummaries(db, await projectIdsInScope(db, { organisationIds }), locale);
      const withStatus = (status: string) => summaries.filter((s) => s.status === status);
      return { draftProjects: withStatus("DRAFT"), activeProjects: withStatus("PUBLISHED"), archivedProjects: withStatus("ARCHIVED") };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/queries/featured/",
    tag: "projects",
    summary: "Featured projects (published, public)",
    auth: "none",
    responses: { 200: { description: "Project cards", schema: ProjectCardsDTO } },
    handler: async ({ locale }) => ({ results: await buildSearchResults(db, await featuredProjectIds(db), locale) }),
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/queries/active/",
    tag: "projects",
    summary: "AOIs of published projects with task activity in the last `interval` hours",
    auth: "none",
    query: z.object({ interval: z.coerce.number().int().min(1).max(24).optional().default(24) }),
    responses: { 200: { description: "FeatureCollection (project_id, mapping_types)", schema: FeatureCollectionDTO } },
    handler: async ({ query }) => {
      const rows = await activeProjects(db, new Date(Date.now() - query.interval * 3_600_000));
      return {
        type: "FeatureCollection",
        features: rows.map((r) => ({ type: "Feature", geometry: r.geometry, properties: { project_id: r.id, mapping_types: r.mapping_types } })),
      };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/queries/popular/",
    tag: "projects",
    summary: "Published projects with the most contributors in the last 90 days",
    auth: "none",
    responses: { 200: { description: "Project cards", schema: ProjectCardsDTO } },
    handler: async ({ locale }) => {
      const ids = await popularProjectIds(db, new Date(Date.now() - 90 * 86_400_000), 10);
      return { results: await buildSearchResults(db, ids, locale) };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/queries/{username}/touched/",
    tag: "projects",
    summary: "Projects a user has worked on, with the tasks they mapped and validated there",
    auth: "none",
    params: z.object({ username: z.string().min(1).max(255) }),
    responses: { 200: { description: "Mapped projects", schema: MappedProjectsDTO } },
    handler: async ({ params, locale }) => {
      const found = await findUserByUsername(db, params.username);
      if (!found) throw notFound("User not found", "UserNotFound");
      const rows = await touchedProjects(db, found.id);
      const names = await projectNames(db, rows.map((r) => r.id), locale);
      return {
        mappedProjects: rows.map((r) => ({
          projectId: r.id,
          name: names.get(r.id) ?? null,
          tasksMapped: r.mapped,
          tasksValidated: r.validated,
          status: r.status,
          centroid: r.centroid,
        })),
      };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/queries/{project_id}/similar-projects/",
    tag: "projects",
    summary: "Published public projects like this one (mapping types, difficulty, organisation; nearest first)",
    auth: "optional",
    params: ProjectParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(50).optional().default(4) }),
    responses: { 200: { description: "Project cards", schema: ProjectCardsDTO } },
    handler: async ({ params, query, user, locale }) => {
      await loadProject(db, params.project_id, user, "view");
      return { results: await buildSearchResults(db, await similarProjectIds(db, params.project_id, query.limit), locale) };
    },
  });

  // ---- one project ----

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/",
    tag: "projects",
    summary: "A project (ProjectDTO) in the request locale",
    description:
      "Private projects: managers and allowed users only (403 PrivateProject); drafts: managers only. " +
      "`abbreviated=true` leaves out the geometries (areaOfInterest, priorityAreas); `as_file=true` answers a JSON attachment.",
    auth: "optional",
    params: ProjectParams,
    query: z.object({ as_file: queryBool(false), abbreviated: queryBool(false) }),
    responses: { 200: { description: "ProjectDTO", schema: ProjectDTO } },
    handler: ({ params, query, user, locale, ctx }) => viewProject(ctx, params.project_id, user, locale, query),
  });

  routes.add({
    method: "patch",
    path: "/api/v2/projects/{project_id}/",
    tag: "projects",
    summary: "Update a project (its managers)",
    description:
      "Any subset of the ProjectDTO fields; projectInfoLocales are upserted per locale. Publishing needs a name, " +
      "description and instructions in the default locale (400 InfoForLocaleRequired). A rejected update changes nothing.",
    auth: "required",
    params: ProjectParams,
    body: ProjectUpdateInput,
    responses: { 200: { description: "Updated", schema: z.object({ Status: z.literal("Updated") }) } },
    handler: async ({ params, body, user }) => {
      const project = await loadProject(db, params.project_id, user, "manage");
      await updateProject(db, project, user!, body);
      return { Status: "Updated" };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/queries/summary/",
    tag: "projects",
    summary: "A project's summary (ProjectSummary)",
    auth: "optional",
    params: ProjectParams,
    responses: { 200: { description: "ProjectSummary", schema: ProjectSummary } },
    handler: async ({ params, user, locale }) => {
      await loadProject(db, params.project_id, user, "view");
      const [summary] = await buildProjectSummaries(db, [params.project_id], locale);
      if (!summary) throw notFound(`Project ${params.project_id} not found`);
      return summary;
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/queries/aoi/",
    tag: "projects",
    summary: "A project's area of interest (GeoJSON MultiPolygon); a file download unless as_file=false",
    auth: "optional",
    params: ProjectParams,
    query: z.object({ as_file: queryBool(true) }),
    responses: { 200: { description: "MultiPolygon", schema: z.record(z.string(), z.unknown()) } },
    handler: async ({ params, query, user, ctx }) => {
      await loadProject(db, params.project_id, user, "view");
      const aoi = await projectAoi(db, params.project_id);
      if (!aoi) throw notFound(`Project ${params.project_id} not found`);
      if (!query.as_file) return aoi;
      attachment(ctx, `${params.project_id}.geojson`, aoi);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/queries/nogeometries/",
    tag: "projects",
    summary: "A project without its geometries (ProjectDTO without areaOfInterest and priorityAreas)",
    auth: "optional",
    params: ProjectParams,
    query: z.object({ as_file: queryBool(false) }),
    responses: { 200: { description: "ProjectDTO without geometries", schema: ProjectDTO } },
    handler: ({ params, query, user, locale, ctx }) =>
      viewProject(ctx, params.project_id, user, locale, { as_file: query.as_file, abbreviated: true }),
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/queries/notasks/",
    tag: "projects",
    summary: "A project for its managers: the ProjectDTO, without tasks (the project editor's view)",
    auth: "required",
    params: ProjectParams,
    responses: { 200: { description: "ProjectDTO", schema: ProjectDTO } },
    handler: async ({ params, user, locale }) => {
      await loadProject(db, params.project_id, user, "manage");
      return projectDTO(params.project_id, locale, false);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/queries/priority-areas/",
    tag: "projects",
    summary: "A project's priority areas (list of GeoJSON polygons)",
    auth: "optional",
    params: ProjectParams,
    responses: { 200: { description: "Polygons", schema: z.array(z.record(z.string(), z.unknown())) } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "view");
      return (await priorityAreaRows(db, [params.project_id])).map((r) => r.geometry);
    },
  });

  // ---- actions ----

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/actions/feature/",
    tag: "projects",
    summary: "Feature a project on the home page (its managers)",
    auth: "required",
    params: ProjectParams,
    responses: { 200: { description: "Featured", schema: Success } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "manage");
      if (!(await setFeatured(db, params.project_id, true))) throw forbidden("Project is already featured", "AlreadyFeatured");
      return { Success: true };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/actions/remove-feature/",
    tag: "projects",
    summary: "Stop featuring a project (its managers)",
    auth: "required",
    params: ProjectParams,
    responses: { 200: { description: "No longer featured", schema: Success } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "manage");
      if (!(await setFeatured(db, params.project_id, false))) throw badRequest("Project is not featured");
      return { Success: true };
    },
  });

  const InterestIds = z.array(z.number().int().positive()).max(100);
  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/actions/set-interests/",
    tag: "projects",
    summary: "Replace a project's interests (its managers)",
    description: 'Body `{"interests": [ids]}` (or the bare list); every id must exist.',
    auth: "required",
    params: ProjectParams,
    body: z.union([z.object({ interests: InterestIds }), InterestIds]),
    responses: { 200: { description: "The project's interests now", schema: z.object({ interests: z.array(IdNameDTO) }) } },
    handler: async ({ params, body, user }) => {
      await loadProject(db, params.project_id, user, "manage");
      await setProjectInterests(db, params.project_id, Array.isArray(body) ? body : body.interests);
      return { interests: (await projectInterestRows(db, [params.project_id])).map(({ id, name }) => ({ id, name })) };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/actions/transfer-ownership/",
    tag: "projects",
    summary: "Transfer a project to another admin or manager of its organisation",
    auth: "required",
    params: ProjectParams,
    body: z.object({ username: z.string().trim().min(1).max(255) }),
    responses: { 200: { description: "Transferred", schema: Success } },
    handler: async ({ params, body, user }) => {
      const project = await findProject(db, params.project_id);
      if (!project) throw notFound(`Project ${params.project_id} not found`);
      await transferProjectOwnership(db, project, user!, body.username);
      return { Success: "Project Transferred" };
    },
  });

  // ---- favourites ----

  const FavoriteAnswer = z.object({ project_id: z.number().int() });
  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/favorite/",
    tag: "projects",
    summary: "Whether the caller has favourited the project",
    auth: "required",
    params: ProjectParams,
    responses: { 200: { description: "Favourite state", schema: z.object({ favorited: z.boolean() }) } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "view");
      return { favorited: await isFavorite(db, params.project_id, user!.id) };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/favorite/",
    tag: "projects",
    summary: "Favourite a project (idempotent)",
    auth: "required",
    params: ProjectParams,
    responses: { 200: { description: "Favourited", schema: FavoriteAnswer } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "view");
      await addFavorite(db, params.project_id, user!.id);
      return { project_id: params.project_id };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/projects/{project_id}/favorite/",
    tag: "projects",
    summary: "Remove a project from the caller's favourites",
    auth: "required",
    params: ProjectParams,
    responses: { 200: { description: "Removed", schema: FavoriteAnswer } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "view");
      if (!(await removeFavorite(db, params.project_id, user!.id))) throw badRequest("Project has not been favorited by user");
      return { project_id: params.project_id };
    },
  });
}
