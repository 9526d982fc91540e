import { z } from "zod";
import { TEAM_JOIN_METHODS, TEAM_VISIBILITIES } from "../../domain/team-enums";
import { requiredText } from "./fields";
import { TeamMembersDTO } from "./teams";

const OrganisationType = z.enum(["FREE", "DISCOUNTED", "FULL_FEE"]);
const Slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "lowercase letters, digits and single dashes")
  .refine((s) => !/^\d+$/.test(s), "must not be all digits (it would read as an id)");
const Username = requiredText;

export const OrganisationManagerDTO = z
  .object({ username: z.string(), pictureUrl: z.string().nullable() })
  .meta({ id: "OrganisationManagerDTO" });

const count = z.number().int();
export const OrganizationStatsDTO = z
  .object({
    projects: z
      .object({ draft: count, published: count, archived: count, recent: count, stale: count })
      .meta({ id: "OrganizationProjectsStatsDTO", description: "recent: published this year; stale: published, not updated for 6 months" }),
    activeTasks: z
      .object({
        ready: count,
        lockedForMapping: count,
        lockedForValidation: count,
        mapped: count,
        validated: count,
        invalidated: count,
        badImagery: count,
      })
      .meta({ id: "OrganizationTasksStatsDTO", description: "Tasks of the organisation's published projects, by status" }),
  })
  .meta({ id: "OrganizationStatsDTO" });

const OrganisationTeamsDTO = z
  .object({
    teamId: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    joinMethod: z.enum(TEAM_JOIN_METHODS),
    visibility: z.enum(TEAM_VISIBILITIES),
    members: z.array(TeamMembersDTO),
  })
  .meta({ id: "OrganisationTeamsDTO" });

export const OrganisationDTO = z
  .object({
    organisationId: z.number().int(),
    managers: z.array(OrganisationManagerDTO).optional(),
    name: z.string(),
    slug: z.string(),
    logo: z.string().nullable(),
    description: z.string().nullable(),
    url: z.string().nullable(),
    isManager: z.boolean().optional(),
    projects: z.array(z.string()).optional().describe("Names of the organisation's projects"),
    teams: z.array(OrganisationTeamsDTO).optional().describe("The organisation's teams the caller may see (none for anonymous callers)"),
    campaigns: z.array(z.array(z.string())).optional().describe("[campaign id, campaign name] pairs"),
    stats: OrganizationStatsDTO.optional(),
    type: OrganisationType,
    subscriptionTier: z.number().int().nullable(),
  })
  .meta({ id: "OrganisationDTO" });

export const ListOrganisationsDTO = z.object({ organisations: z.array(OrganisationDTO) }).meta({ id: "ListOrganisationsDTO" });

const editable = {
  slug: Slug.optional(),
  logo: z.string().nullish(),
  description: z.string().nullish(),
  url: z.string().nullish(),
  subscriptionTier: z.number().int().nullish(),
};

export const NewOrganisationDTO = z
  .object({
    name: requiredText.max(255),
    type: OrganisationType,
    managers: z.array(Username).describe("Usernames; the creating admin is added"),
    ...editable,
  })
  .meta({ id: "NewOrganisationDTO" });

export const UpdateOrganisationDTO = z
  .object({
    name: requiredText.max(255).optional(),
    type: OrganisationType.optional(),
    managers: z.array(Username).min(1, "an organisation keeps at least one manager").optional().describe("Replaces the manager list"),
    ...editable,
  })
  .meta({ id: "UpdateOrganisationDTO", description: "type and subscriptionTier are changed only by admins" });

export const OrganisationCampaignListDTO = z
  .object({ campaigns: z.array(z.object({ id: z.number().int(), name: z.string() })) })
  .meta({ id: "OrganisationCampaignListDTO" });
