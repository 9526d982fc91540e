import { z } from "zod";
import { pathId, queryBoolean } from "./fields";

/** Query-string building blocks shared by the search and task read routes (values arrive as strings). */

/** A comma-separated list whose items each satisfy `item` (empty items are ignored). */
export function commaList<T extends z.ZodType>(item: T) {
  return z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item) as unknown as z.ZodType<z.output<T>[], string[]>);
}

/** YYYY-MM-DD, a real calendar date. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD")
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "not a valid date");

export const PROJECT_STATUSES = ["ARCHIVED", "PUBLISHED", "DRAFT"] as const;
export const MAPPING_TYPES = ["ROADS", "BUILDINGS", "WATERWAYS", "LAND_USE", "OTHER"] as const;

/** Sort keys of the project search; the snake_case spellings are what the official frontend sends. */
export const SEARCH_ORDER_BY = [
  "id", "difficulty", "priority", "status", "last_updated", "due_date", "created", "percentMapped", "percentValidated",
  "percent_mapped", "percent_validated",
] as const;

export const ProjectSearchQuery = z.object({
  textSearch: z.string().trim().max(200).optional(),
  orderBy: z.enum(SEARCH_ORDER_BY).optional().default("priority"),
  orderByType: z
    .string()
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(["ASC", "DESC"]))
    .optional()
    .default("ASC"),
  difficulty: z
    .string()
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(["EASY", "MODERATE", "CHALLENGING", "ALL"]))
    .optional(),
  mappingTypes: commaList(z.enum(MAPPING_TYPES)).optional(),
  mappingTypesExact: queryBoolean.optional(),
  organisationName: z.string().trim().min(1).optional(),
  organisationId: pathId.optional(),
  campaign: z.string().trim().min(1).optional(),
  country: z.string().trim().min(1).optional(),
  projectStatuses: commaList(z.enum(PROJECT_STATUSES)).optional(),
  interests: commaList(pathId).optional(),
  lastUpdatedFrom: isoDate.optional(),
  lastUpdatedTo: isoDate.optional(),
  createdFrom: isoDate.optional(),
  createdTo: isoDate.optional(),
  createdByMe: queryBoolean.optional(),
  mappedByMe: queryBoolean.optional(),
  favoritedByMe: queryBoolean.optional(),
  managedByMe: queryBoolean.optional(),
  basedOnMyInterests: queryBoolean.optional(),
  teamId: pathId.optional(),
  partnerId: pathId.optional(),
  partnershipFrom: isoDate.optional(),
  partnershipTo: isoDate.optional(),
  action: z.enum(["map", "validate", "any"]).optional(),
  page: pathId.optional().default(1),
  omitMapResults: queryBoolean.optional(),
});
export type ProjectSearchQuery = z.output<typeof ProjectSearchQuery>;

export const PaginationDTO = z
  .object({
    hasNext: z.boolean(),
    hasPrev: z.boolean(),
    nextNum: z.number().int().nullable(),
    page: z.number().int(),
    pages: z.number().int(),
    prevNum: z.number().int().nullable(),
    perPage: z.number().int(),
    total: z.number().int(),
  })
  .meta({ id: "Pagination" });

export const ListSearchResultDTO = z
  .object({
    projectId: z.number().int(),
    locale: z.string().nullable(),
    name: z.string().nullable(),
    shortDescription: z.string().nullable(),
    difficulty: z.string(),
    priority: z.string(),
    organisationName: z.string().nullable(),
    organisationLogo: z.string().nullable(),
    campaigns: z.array(z.object({ id: z.number().int(), name: z.string() })),
    percentMapped: z.number().int(),
    percentValidated: z.number().int(),
    status: z.string(),
    activeMappers: z.number().int(),
    lastUpdated: z.string(),
    dueDate: z.string().nullable(),
    totalContributors: z.number().int(),
    country: z.array(z.string()),
    creationDate: z.string(),
    author: z.string().nullable(),
    partnerNames: z.array(z.string()),
    totalAreaSquareKilometers: z.number(),
  })
  .meta({ id: "ListSearchResultDTO" });

export const ProjectSearchResultsDTO = z
  .object({
    mapResults: z
      .object({ type: z.literal("FeatureCollection"), features: z.array(z.unknown()) })
      .nullable()
      .describe("Centroids of every matching project (Point features: projectId, projectStatus, priority); null with omitMapResults=true"),
    results: z.array(ListSearchResultDTO),
    pagination: PaginationDTO,
  })
  .meta({ id: "ProjectSearchResultsDTO" });
