import { z } from "zod";
import { deletePartnership, findPartner, findPartnership, insertPartnership, partnershipsOfProject, updatePartnershipRange } from "../../db/queries/partners";
import type { UserRow } from "../../db/schema";
import { notFound } from "../../domain/errors";
import { assertPartnershipRange, toPartnershipDTO } from "../../domain/partners";
import { findProject, loadProject } from "../../domain/projects/access";
import type { RouteTable } from "../openapi/routes";
import { pathId, SuccessDTO } from "../schemas/fields";
import { ProjectParams } from "../schemas/tasks";
import { NewProjectPartnershipDTO, ProjectPartnershipDTO, ProjectPartnershipUpdateDTO } from "../schemas/partners";
import type { Services } from "../services";

const PartnershipParams = z.object({ partnership_id: pathId });
const partnershipNotFound = (id: number) => notFound(`Partnership ${id} not found`);

/** Partners linked to projects over a date range; the project's managers link and unlink them. */
export function projectPartnershipRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;

  /** The partnership, once the user is known to manage its project (404 first, then 403 UserPermissionError). */
  async function managedPartnership(id: number, user: UserRow | undefined) {
    const partnership = await findPartnership(db, id);
    if (!partnership) throw partnershipNotFound(id);
    await loadProject(db, partnership.project_id, user, "manage");
    return partnership;
  }

  routes.add({
    method: "post",
    path: "/api/v2/projects/partnerships/",
    tag: "projects",
    summary: "Link a partner to a project (project managers)",
    description: "startedOn defaults to now; endedOn may stay open. An endedOn before startedOn answers 400.",
    auth: "required",
    body: NewProjectPartnershipDTO,
    status: 201,
    responses: { 201: { description: "Linked", schema: SuccessDTO.extend({ partnershipId: z.number().int() }) } },
    handler: async ({ body, user }) => {
      await loadProject(db, body.projectId, user, "manage");
      if (!(await findPartner(db, body.partnerId))) throw notFound(`Partner ${body.partnerId} not found`);
      const range = { startedOn: body.startedOn ?? new Date(), endedOn: body.endedOn ?? null };
      assertPartnershipRange(range);
      const partnership = await insertPartnership(db, { projectId: body.projectId, partnerId: body.partnerId, ...range });
      return { Success: `Partner ${body.partnerId} assigned to project ${body.projectId}`, partnershipId: partnership.id };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/partnerships/{partnership_id}/",
    tag: "projects",
    summary: "One project partnership",
    auth: "none",
    params: PartnershipParams,
    responses: { 200: { description: "Partnership", schema: ProjectPartnershipDTO } },
    handler: async ({ params }) => {
      const partnership = await findPartnership(db, params.partnership_id);
      if (!partnership) throw partnershipNotFound(params.partnership_id);
      return toPartnershipDTO(partnership);
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/projects/partnerships/{partnership_id}/",
    tag: "projects",
    summary: "Change a partnership's date range (project managers)",
    description: "Give startedOn, endedOn or both; endedOn null reopens it. The change is kept in the partnership history.",
    auth: "required",
    params: PartnershipParams,
    body: ProjectPartnershipUpdateDTO,
    responses: {
      200: {
        description: "Updated",
        schema: SuccessDTO.extend({ startedOn: z.string(), endedOn: z.string().nullable() }),
      },
    },
    handler: async ({ params, body, user }) => {
      const current = await managedPartnership(params.partnership_id, user);
      const range = {
        startedOn: body.startedOn ?? current.started_on,
        endedOn: body.endedOn === undefined ? current.ended_on : body.endedOn,
      };
      assertPartnershipRange(range);
      const updated = await updatePartnershipRange(db, params.partnership_id, range);
      if (!updated) throw partnershipNotFound(params.partnership_id);
      const { startedOn, endedOn } = toPartnershipDTO(updated);
      return { Success: `Updated time range. startedOn: ${startedOn}, endedOn: ${endedOn}`, startedOn, endedOn };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/projects/partnerships/{partnership_id}/",
    tag: "projects",
    summary: "Unlink a partner from a project (project managers)",
    auth: "required",
    params: PartnershipParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      await managedPartnership(params.partnership_id, user);
      if (!(await deletePartnership(db, params.partnership_id))) throw partnershipNotFound(params.partnership_id);
      return { Success: `Partnership ID ${params.partnership_id} deleted` };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/partners/",
    tag: "projects",
    summary: "The partnerships of a project, past and present",
    auth: "none",
    params: ProjectParams,
    responses: { 200: { description: "Partnerships", schema: z.object({ partnerships: z.array(ProjectPartnershipDTO) }) } },
    handler: async ({ params }) => {
      if (!(await findProject(db, params.project_id))) throw notFound(`Project ${params.project_id} not found`);
      return { partnerships: (await partnershipsOfProject(db, params.project_id)).map(toPartnershipDTO) };
    },
  });
}
