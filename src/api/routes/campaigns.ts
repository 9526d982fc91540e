import { z } from "zod";
import { listCampaigns } from "../../db/queries/campaigns";
import {
  assignCampaignToProject,
  campaignDTO,
  campaignsOfProject,
  createCampaign,
  deleteCampaign,
  removeCampaignFromProject,
  updateCampaign,
} from "../../domain/campaigns";
import type { RouteTable } from "../openapi/routes";
import { CampaignDTO, CampaignListDTO, NewCampaignDTO, UpdateCampaignDTO } from "../schemas/campaigns";
import { nameExistsResponse, pathId, SuccessDTO } from "../schemas/fields";
import { ProjectParams } from "../schemas/tasks";
import type { Services } from "../services";

const CampaignParams = z.object({ campaign_id: pathId });
const ProjectCampaignParams = z.object({ project_id: pathId, campaign_id: pathId });
const CURATORS = "(organisation managers and admins)";

export function campaignRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;

  routes.add({
    method: "get",
    path: "/api/v2/campaigns/",
    tag: "campaigns",
    summary: "All campaigns, by name",
    auth: "none",
    responses: { 200: { description: "Campaigns", schema: CampaignListDTO } },
    handler: async () => ({ campaigns: await listCampaigns(db) }),
  });

  routes.add({
    method: "post",
    path: "/api/v2/campaigns/",
    tag: "campaigns",
    summary: `Create a campaign ${CURATORS}`,
    description:
      "403 UserNotPermitted for users who manage no organisation; unknown organisation ids answer 400 naming them; " +
      "a taken name answers 409 NameExists.",
    auth: "required",
    body: NewCampaignDTO,
    status: 201,
    responses: { 201: { description: "Created", schema: z.object({ campaignId: z.number().int() }) }, 409: nameExistsResponse },
    handler: async ({ body, user }) => ({ campaignId: await createCampaign(db, user, body) }),
  });

  routes.add({
    method: "get",
    path: "/api/v2/campaigns/{campaign_id}/",
    tag: "campaigns",
    summary: "One campaign with the organisations taking part",
    auth: "none",
    params: CampaignParams,
    responses: { 200: { description: "Campaign", schema: CampaignDTO } },
    handler: ({ params }) => campaignDTO(db, params.campaign_id),
  });

  routes.add({
    method: "patch",
    path: "/api/v2/campaigns/{campaign_id}/",
    tag: "campaigns",
    summary: `Update a campaign ${CURATORS}`,
    description:
      "Fields left out stay unchanged; `organisations` replaces the list. A taken name answers 400 NameExists, as the official " +
      "API documents for this endpoint (creation answers 409).",
    auth: "required",
    params: CampaignParams,
    body: UpdateCampaignDTO,
    responses: { 200: { description: "Updated", schema: SuccessDTO } },
    handler: async ({ params, body, user }) => {
      await updateCampaign(db, user, params.campaign_id, body);
      return { Success: `Campaign ${params.campaign_id} updated` };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/campaigns/{campaign_id}/",
    tag: "campaigns",
    summary: `Delete a campaign ${CURATORS}`,
    description: "Its links to projects and organisations go with it.",
    auth: "required",
    params: CampaignParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      await deleteCampaign(db, user, params.campaign_id);
      return { Success: "Campaign deleted" };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/campaigns/",
    tag: "projects",
    summary: "A project's campaigns, by name",
    description: "Public, as officially; 404 for an unknown project.",
    auth: "none",
    params: ProjectParams,
    responses: { 200: { description: "Campaigns", schema: CampaignListDTO } },
    handler: async ({ params }) => ({ campaigns: await campaignsOfProject(db, params.project_id) }),
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/campaigns/{campaign_id}/",
    tag: "projects",
    summary: "Tag a project with a campaign (its managers and admins)",
    description:
      "Answers 201, the status the official endpoint list gives (its prose says 200), with the official message. 403 " +
      "UserPermissionError for non-managers; 404 for an unknown project or campaign; 400 CampaignAlreadyAssigned when already tagged.",
    auth: "required",
    params: ProjectCampaignParams,
    status: 201,
    responses: { 201: { description: "Assigned", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      const { project_id: projectId, campaign_id: campaignId } = params;
      await assignCampaignToProject(db, user, projectId, campaignId);
      return { Success: `campaign with id ${campaignId} assigned successfully for project with id ${projectId}` };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/projects/{project_id}/campaigns/{campaign_id}/",
    tag: "projects",
    summary: "Remove a campaign from a project (its managers and admins); the campaign itself stays",
    description: "403 UserPermissionError for non-managers; 404 when the campaign is unknown or not assigned to the project.",
    auth: "required",
    params: ProjectCampaignParams,
    responses: { 200: { description: "Removed", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      await removeCampaignFromProject(db, user, params.project_id, params.campaign_id);
      return { Success: "Campaigns Deleted" };
    },
  });
}
