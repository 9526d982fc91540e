import { z } from "zod";
import { ProjectTeamDTO } from "./project-teams";
import { PolygonGeometry } from "../../domain/geojson";

/** Project enums as they travel on the wire (enums.md). */
export const ProjectStatus = z.enum(["ARCHIVED", "PUBLISHED", "DRAFT"]);
export const ProjectPriority = z.enum(["URGENT", "HIGH", "MEDIUM", "LOW"]);
export const ProjectDifficulty = z.enum(["EASY", "MODERATE", "CHALLENGING"]);
export const TaskCreationMode = z.enum(["GRID", "ARBITRARY"]);
export const MappingType = z.enum(["ROADS", "BUILDINGS", "WATERWAYS", "LAND_USE", "OTHER"]);
export const Editor = z.enum(["ID", "JOSM", "POTLATCH_2", "FIELD_PAPERS", "CUSTOM", "RAPID"]);
/** ANY and TEAMS today; LEVEL and TEAMS_LEVEL survive in older data and are still accepted. */
export const Permission = z.enum(["ANY", "LEVEL", "TEAMS", "TEAMS_LEVEL"]);

const GeoJsonObject = z.record(z.string(), z.unknown());
const Timestamp = z.string().meta({ description: "ISO 8601 date-time" });

export const ProjectInfoDTO = z
  .object({
    locale: z.string(),
    name: z.string().nullable(),
    shortDescription: z.string().nullable(),
    description: z.string().nullable(),
    instructions: z.string().nullable(),
    perTaskInstructions: z.string().nullable(),
  })
  .meta({ id: "ProjectInfoDTO" });

export const CustomEditorDTO = z
  .object({ name: z.string(), description: z.string().nullable(), url: z.string() })
  .meta({ id: "CustomEditorDTO" });

export const IdNameDTO = z.object({ id: z.number().int(), name: z.string() });

/** Fields ProjectDTO and ProjectSummary share (built by commonFields in src/domain/projects/dto.ts). */
const projectCommonShape = {
  projectId: z.number().int(),
  status: ProjectStatus,
  projectPriority: ProjectPriority,
  defaultLocale: z.string(),
  difficulty: ProjectDifficulty,
  mappingPermission: z.string(),
  validationPermission: z.string(),
  enforceRandomTaskSelection: z.boolean(),
  private: z.boolean(),
  changesetComment: z.string().nullable(),
  osmchaFilterId: z.string().nullable(),
  dueDate: Timestamp.nullable(),
  imagery: z.string().nullable(),
  idPresets: z.array(z.string()),
  extraIdParams: z.string().nullable(),
  rapidPowerUser: z.boolean(),
  mappingTypes: z.array(z.string()),
  campaigns: z.array(IdNameDTO),
  organisation: z.number().int(),
  organisationName: z.string(),
  organisationSlug: z.string(),
  organisationLogo: z.string().nullable(),
  countryTag: z.array(z.string()),
  licenseId: z.number().int().nullable(),
  allowedUsernames: z.array(z.string()),
  created: Timestamp,
  lastUpdated: Timestamp,
  author: z.string(),
  percentMapped: z.number().int(),
  percentValidated: z.number().int(),
  percentBadImagery: z.number().int(),
  teams: z.array(ProjectTeamDTO),
  projectInfo: ProjectInfoDTO,
  mappingEditors: z.array(z.string()),
  validationEditors: z.array(z.string()),
  customEditor: CustomEditorDTO.nullable(),
};

export const ProjectDTO = z
  .object({
    ...projectCommonShape,
    areaOfInterest: GeoJsonObject.optional().meta({ description: "MultiPolygon; omitted when abbreviated" }),
    aoiBBOX: z.array(z.number()).length(4),
    projectInfoLocales: z.array(ProjectInfoDTO),
    mappingPermissionLevelId: z.number().int().nullable(),
    validationPermissionLevelId: z.number().int().nullable(),
    josmPreset: z.string().nullable(),
    priorityAreas: z.array(GeoJsonObject).optional().meta({ description: "Polygons; omitted when abbreviated" }),
    activeMappers: z.number().int(),
    taskCreationMode: TaskCreationMode,
    interests: z.array(IdNameDTO),
  })
  .meta({ id: "ProjectDTO" });

export const ProjectSummary = z
  .object({ ...projectCommonShape, aoiCentroid: GeoJsonObject, shortDescription: z.string().nullable() })
  .meta({ id: "ProjectSummary" });

/**
 * Project cards (featured, similar, popular): items with the ListSearchResultDTO fields, as the
 * project search answers them (that schema is declared with the search routes).
 */
export const ProjectCardsDTO = z
  .object({ results: z.array(z.record(z.string(), z.unknown())) })
  .meta({ id: "ProjectCardsDTO" });

export const PMDashboardDTO = z
  .object({ draftProjects: z.array(ProjectSummary), activeProjects: z.array(ProjectSummary), archivedProjects: z.array(ProjectSummary) })
  .meta({ id: "PMDashboardDTO" });

export const FeatureCollectionDTO = z
  .object({ type: z.literal("FeatureCollection"), features: z.array(GeoJsonObject) })
  .meta({ id: "FeatureCollection" });

export const MappedProjectsDTO = z
  .object({
    mappedProjects: z.array(
      z.object({
        projectId: z.number().int(),
        name: z.string().nullable(),
        tasksMapped: z.number().int(),
        tasksValidated: z.number().int(),
        status: ProjectStatus,
        centroid: GeoJsonObject,
      }),
    ),
  })
  .meta({ id: "UserMappedProjectsDTO" });

const nullableText = (max: number) => z.string().max(max).nullable().optional();

/** One locale of project info in a PATCH; absent fields keep their stored value. */
export const ProjectInfoInput = z.object({
  locale: z.string().trim().min(2).max(10),
  name: nullableText(512),
  shortDescription: nullableText(5_000),
  description: nullableText(100_000),
  instructions: nullableText(100_000),
  perTaskInstructions: nullableText(100_000),
});

/**
 * PATCH body: the ProjectDTO fields a manager may change. Every field is optional so a client may
 * send the whole DTO it read (read-only fields such as percentMapped are ignored) or just a few.
 */
export const ProjectUpdateInput = z
  .object({
    status: ProjectStatus,
    projectPriority: ProjectPriority,
    defaultLocale: z.string().trim().min(2).max(10),
    difficulty: ProjectDifficulty,
    mappingPermission: Permission,
    validationPermission: Permission,
    mappingPermissionLevelId: z.number().int().positive().nullable(),
    validationPermissionLevelId: z.number().int().positive().nullable(),
    enforceRandomTaskSelection: z.boolean(),
    private: z.boolean(),
    changesetComment: nullableText(1_000),
    osmchaFilterId: nullableText(200),
    dueDate: z.iso.datetime({ offset: true, local: true }).nullable(),
    imagery: nullableText(2_000),
    josmPreset: nullableText(100_000),
    idPresets: z.array(z.string().max(200)).max(500),
    extraIdParams: nullableText(2_000),
    rapidPowerUser: z.boolean(),
    mappingTypes: z.array(MappingType),
    mappingEditors: z.array(Editor).min(1, "at least one mapping editor is required"),
    validationEditors: z.array(Editor).min(1, "at least one validation editor is required"),
    customEditor: z
      .object({ name: z.string().trim().min(1).max(100), description: nullableText(1_000), url: z.url().max(2_000) })
      .nullable(),
    organisation: z.number().int().positive(),
    countryTag: z.array(z.string().trim().min(1).max(100)).max(50),
    licenseId: z.number().int().positive().nullable(),
    allowedUsernames: z.array(z.string().min(1).max(255)).max(10_000),
    priorityAreas: z.array(PolygonGeometry).max(100).nullable(),
    projectInfoLocales: z.array(ProjectInfoInput).max(100),
    taskCreationMode: TaskCreationMode,
    campaigns: z.array(z.object({ id: z.number().int().positive() }).loose()).max(100),
    interests: z.array(z.object({ id: z.number().int().positive() }).loose()).max(100),
  })
  .partial()
  .meta({ id: "ProjectUpdateDTO" });

export type ProjectUpdate = z.output<typeof ProjectUpdateInput>;
