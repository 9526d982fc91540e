import { z } from "zod";
import { PERMALINK_PATTERN, WEBSITE_LINK_SLOTS } from "../../domain/partners";
import { requiredText } from "./fields";

const optionalText = (max: number) => z.string().trim().max(max).nullish();

const linkFields = Object.fromEntries(
  WEBSITE_LINK_SLOTS.flatMap((i) => [
    [`name_${i}`, optionalText(150).describe(`Name of website link ${i}`)],
    [`url_${i}`, optionalText(500).describe(`URL of website link ${i}`)],
  ]),
) as Record<`name_${number}` | `url_${number}`, ReturnType<typeof optionalText>>;

const partnerFields = {
  name: requiredText.max(150),
  primary_hashtag: requiredText.max(200),
  secondary_hashtag: optionalText(200),
  logo_url: optionalText(500),
  link_meta: optionalText(300),
  link_x: optionalText(300),
  link_instagram: optionalText(300),
  current_projects: optionalText(10000).describe("Comma-separated ids of the partner's current projects"),
  permalink: z
    .string()
    .trim()
    .max(200)
    .regex(PERMALINK_PATTERN, "letters, digits, '-' and '_' only, and not all digits")
    .nullish()
    .describe("The partner's page name; derived from the name when not given"),
  mapswipe_group_id: optionalText(200),
  ...linkFields,
};

export const NewPartnerDTO = z.object(partnerFields).meta({ id: "NewPartnerDTO" });

export const UpdatePartnerDTO = z
  .object(partnerFields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, "give at least one field to change")
  .meta({ id: "UpdatePartnerDTO" });

const partnerOutput = {
  id: z.number().int(),
  name: z.string(),
  primary_hashtag: z.string(),
  secondary_hashtag: z.string().nullable(),
  link_x: z.string().nullable(),
  link_meta: z.string().nullable(),
  link_instagram: z.string().nullable(),
  logo_url: z.string().nullable(),
  current_projects: z.string().nullable(),
  permalink: z.string().nullable(),
  mapswipe_group_id: z.string().nullable(),
};

export const PartnerDTO = z
  .object({ ...partnerOutput, website_links: z.array(z.object({ name: z.string(), url: z.string() })) })
  .meta({ id: "PartnerDTO" });

export const FlatPartnerDTO = z
  .object(partnerOutput)
  .catchall(z.string())
  .meta({ id: "FlatPartnerDTO", description: "PartnerDTO with website_links flattened into name_1/url_1, name_2/url_2, ..." });

/** An ISO-8601 date or date-time; one without an offset is UTC, as the official API stores them. */
const dateTime = z
  .union([z.iso.datetime({ offset: true, local: true }), z.iso.date()], { error: "must be an ISO-8601 date or date-time" })
  .transform((v) => new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) || !v.includes("T") ? v : `${v}Z`));

export const ProjectPartnershipDTO = z
  .object({
    id: z.number().int(),
    projectId: z.number().int(),
    partnerId: z.number().int(),
    startedOn: z.string(),
    endedOn: z.string().nullable(),
  })
  .meta({ id: "ProjectPartnershipDTO" });

export const NewProjectPartnershipDTO = z
  .object({
    projectId: z.number().int().positive(),
    partnerId: z.number().int().positive(),
    startedOn: dateTime.optional().describe("Defaults to now"),
    endedOn: dateTime.nullish(),
  })
  .meta({ id: "NewProjectPartnershipDTO" });

export const ProjectPartnershipUpdateDTO = z
  .object({ startedOn: dateTime.optional(), endedOn: dateTime.nullish() })
  .refine((v) => v.startedOn !== undefined || v.endedOn !== undefined, "give startedOn or endedOn")
  .meta({ id: "ProjectPartnershipUpdateDTO" });

const member = z.object({
  id: z.string(),
  userId: z.string(),
  username: z.string(),
  isActive: z.boolean(),
  totalMappingProjects: z.number().int(),
  totalcontributionTime: z.number().int(),
  totalcontributions: z.number().int(),
});

export const GroupedPartnerStatsDTO = z
  .object({
    id: z.number().int(),
    provider: z.string(),
    idInsideProvider: z.string(),
    nameInsideProvider: z.string(),
    descriptionInsideProvider: z.string().nullable(),
    membersCount: z.number().int(),
    members: z.array(member),
    totalContributors: z.number().int(),
    totalcontributions: z.number().int(),
    totalcontributionTime: z.number().int(),
    totalRecentContributors: z.number().int(),
    totalRecentcontributions: z.number().int(),
    totalRecentcontributionTime: z.number().int(),
  })
  .meta({ id: "GroupedPartnerStatsDTO" });

export const FilteredPartnerStatsDTO = z
  .object({
    id: z.number().int(),
    provider: z.string(),
    idInsideProvider: z.string(),
    fromDate: z.string(),
    toDate: z.string(),
    contributionsByUser: z.array(member.omit({ id: true, isActive: true })),
    contributionsByGeo: z.array(z.object({ geojson: z.object({ type: z.string(), coordinates: z.array(z.number()) }), totalcontributions: z.number().int() })),
    areaSwipedByProjectType: z.array(z.object({ totalArea: z.number().nullable(), projectType: z.string(), projectTypeDisplay: z.string() })),
    contributionsByProjectType: z.array(z.object({ projectType: z.string(), projectTypeDisplay: z.string(), totalcontributions: z.number().int() })),
    contributionsByDate: z.array(z.object({ taskDate: z.string(), totalcontributions: z.number().int() })),
    contributionsByorganizationName: z.array(z.object({ organizationName: z.string(), totalcontributions: z.number().int() })),
    contributionTimeByDate: z.array(z.object({ date: z.string(), totalcontributionTime: z.number().int() })),
  })
  .meta({ id: "FilteredPartnerStatsDTO" });
