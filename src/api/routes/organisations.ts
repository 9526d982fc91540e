import { z } from "zod";
import { campaignExists, campaignsOf, linkCampaign, organisationStats, unlinkCampaign } from "../../db/queries/organisations";
import { badRequest, notFound } from "../../domain/errors";
import {
  createOrganisation,
  deleteOrganisation,
  listOrganisationDTOs,
  organisationDTO,
  requireManagedOrganisation,
  requireOrganisation,
  updateOrganisation,
} from "../../domain/organisations";
import { requireAdmin } from "../../domain/permissions";
import type { RouteTable } from "../openapi/routes";
import { nameExistsResponse, pathId, queryBoolean, SuccessDTO } from "../schemas/fields";
import {
  ListOrganisationsDTO,
  NewOrganisationDTO,
  OrganisationCampaignListDTO,
  OrganisationDTO,
  OrganizationStatsDTO,
  UpdateOrganisationDTO,
} from "../schemas/organisations";
import type { Services } from "../services";

const OrganisationParams = z.object({ organisation_id: pathId });
const CampaignLinkParams = z.object({ organisation_id: pathId, campaign_id: pathId });

export function organisationRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;

  routes.add({
    method: "get",
    path: "/api/v2/organisations/",
    tag: "organisations",
    summary: "All organisations, optionally only those a user manages",
    description:
      "Managers are listed only to logged-in callers; filtering by manager_user_id requires logging in (403 LoginToFilterManager). " +
      "Statistics are included when omitOrgStats=false.",
    auth: "optional",
    query: z.object({
      manager_user_id: pathId.optional().describe("Only organisations this user manages"),
      omitManagerList: queryBoolean.default(false),
      omitOrgStats: queryBoolean.default(true),
    }),
    responses: { 200: { description: "Organisations, by name", schema: ListOrganisationsDTO } },
    handler: async ({ query, user }) => ({
      organisations: await listOrganisationDTOs(db, user, {
        managerUserId: query.manager_user_id,
        omitManagers: query.omitManagerList,
        omitStats: query.omitOrgStats,
      }),
    }),
  });

  routes.add({
    method: "post",
    path: "/api/v2/organisations/",
    tag: "organisations",
    summary: "Create an organisation (admins only)",
    description:
      "The slug is derived from the name when absent; the creating admin becomes a manager. Unknown manager usernames answer 400 " +
      "UserNotFound; a taken name or slug answers 409 NameExists.",
    auth: "required",
    body: NewOrganisationDTO,
    status: 201,
    responses: { 201: { description: "Created", schema: z.object({ organisationId: z.number().int() }) }, 409: nameExistsResponse },
    handler: async ({ body, user }) => {
      requireAdmin(user, "create organisations");
      return { organisationId: await createOrganisation(db, user!, body) };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/organisations/{organisation_id}/",
    tag: "organisations",
    summary: "One organisation, by numeric id or by slug",
    description:
      "The official API has two routes, `{organisation_id:int}` and `{slug:str}`; here one path takes either: all digits is an id, " +
      "anything else a slug (slugs are never all digits). isManager is for the caller.",
    auth: "optional",
    params: z.object({
      organisation_id: z
        .string()
        .min(1)
        .transform((v) => (/^\d+$/.test(v) ? Number(v) : v))
        .describe("Numeric id or slug"),
    }),
    query: z.object({ omitManagerList: queryBoolean.default(false) }),
    responses: { 200: { description: "Organisation", schema: OrganisationDTO } },
    handler: async ({ params, query, user }) => {
      const org = await requireOrganisation(db, params.organisation_id);
      return organisationDTO(db, org, user, { omitManagers: query.omitManagerList });
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/organisations/{organisation_id}/",
    tag: "organisations",
    summary: "Update an organisation (its managers and admins)",
    description:
      "Fields left out stay unchanged; `managers` replaces the manager list. type and subscriptionTier change only for admins " +
      "(ignored for others, as officially). 403 UserNotOrgAdmin for non-managers; 409 NameExists for a taken name or slug.",
    auth: "required",
    params: OrganisationParams,
    body: UpdateOrganisationDTO,
    status: 201,
    responses: { 201: { description: "Updated", schema: z.object({ Status: z.string() }) }, 409: nameExistsResponse },
    handler: async ({ params, body, user }) => {
      await updateOrganisation(db, user!, params.organisation_id, body);
      return { Status: "Updated" };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/organisations/{organisation_id}/",
    tag: "organisations",
    summary: "Delete an organisation (its managers and admins)",
    description: "Refused with 403 OrgHasProjects while it has projects.",
    auth: "required",
    params: OrganisationParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      await deleteOrganisation(db, user!, params.organisation_id);
      return { Success: "Organisation deleted" };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/organisations/{organisation_id}/statistics/",
    tag: "organisations",
    summary: "An organisation's projects by status and the tasks of its published projects by status",
    auth: "none",
    params: OrganisationParams,
    responses: { 200: { description: "Statistics", schema: OrganizationStatsDTO } },
    handler: async ({ params }) => {
      const org = await requireOrganisation(db, params.organisation_id);
      return (await organisationStats(db, [org.id])).get(org.id);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/organisations/{organisation_id}/campaigns/",
    tag: "organisations",
    summary: "The campaigns an organisation takes part in",
    auth: "none",
    params: OrganisationParams,
    responses: { 200: { description: "Campaigns, by name", schema: OrganisationCampaignListDTO } },
    handler: async ({ params }) => {
      const org = await requireOrganisation(db, params.organisation_id);
      return { campaigns: await campaignsOf(db, org.id) };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/organisations/{organisation_id}/campaigns/{campaign_id}/",
    tag: "organisations",
    summary: "Add an organisation to a campaign (its managers and admins)",
    description: "403 UserNotPermitted for non-managers; 400 CampaignAlreadyAssigned when already linked.",
    auth: "required",
    params: CampaignLinkParams,
    responses: { 200: { description: "Linked", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      const { organisation_id: orgId, campaign_id: campaignId } = params;
      await requireManagedOrganisation(db, user, orgId, "UserNotPermitted");
      if (!(await campaignExists(db, campaignId))) throw notFound(`Campaign ${campaignId} not found`);
      if (!(await linkCampaign(db, orgId, campaignId))) {
        throw badRequest(`Campaign ${campaignId} is already assigned to organisation ${orgId}.`, "CampaignAlreadyAssigned");
      }
      return { Success: `campaign with id ${campaignId} assigned for organisation with id ${orgId}` };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/organisations/{organisation_id}/campaigns/{campaign_id}/",
    tag: "organisations",
    summary: "Remove an organisation from a campaign (its managers and admins)",
    description: "404 when they are not linked.",
    auth: "required",
    params: CampaignLinkParams,
    responses: { 200: { description: "Unlinked", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      await requireManagedOrganisation(db, user, params.organisation_id, "UserNotPermitted");
      if (!(await unlinkCampaign(db, params.organisation_id, params.campaign_id))) {
        throw notFound(`Campaign ${params.campaign_id} is not linked to organisation ${params.organisation_id}`);
      }
      return { Success: "Organisation and campaign unassociated successfully" };
    },
  });
}
