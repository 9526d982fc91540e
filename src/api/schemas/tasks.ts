import { z } from "zod";
import { GridDTO } from "./project-create";
import { pathId, queryBoolean } from "./fields";
import { commaList, PaginationDTO } from "./search";
import { TaskAnnotationDTO } from "./annotations";

export const ProjectParams = z.object({ project_id: pathId });
export const ProjectTaskParams = z.object({ project_id: pathId, task_id: pathId });

/** `tasks=1,2,5` and `as_file=true`, as the task listing and its XML/GPX exports take them. */
export const TaskSelectionQuery = z.object({
  tasks: commaList(pathId).optional().describe("Comma-separated task ids; all tasks when omitted"),
  as_file: queryBoolean.optional().describe("true: answer as a download (Content-Disposition: attachment)"),
});

export const TaskFeatureCollection = z
  .object({
    type: z.literal("FeatureCollection"),
    features: z.array(
      z.object({
        type: z.literal("Feature"),
        geometry: z.object({ type: z.literal("MultiPolygon"), coordinates: z.array(z.unknown()) }),
        properties: z.object({
          taskId: z.number().int(),
          taskX: z.number().int().nullable(),
          taskY: z.number().int().nullable(),
          taskZoom: z.number().int().nullable(),
          taskIsSquare: z.boolean(),
          taskStatus: z.string(),
          lockedBy: z.number().int().nullable(),
          mappedBy: z.number().int().nullable(),
          validatedBy: z.number().int().nullable(),
          extraProperties: z.record(z.string(), z.unknown()).optional(),
        }),
      }),
    ),
  })
  .meta({ id: "TaskFeatureCollection" });

export const TaskMappingIssueDTO = z
  .object({ categoryId: z.number().int(), name: z.string(), count: z.number().int() })
  .meta({ id: "TaskMappingIssueDTO" });

export const TaskHistoryDTO = z
  .object({
    historyId: z.number().int(),
    taskId: z.number().int(),
    action: z.string(),
    actionText: z.string().nullable(),
    actionDate: z.string(),
    actionBy: z.string().nullable(),
    pictureUrl: z.string().nullable(),
    issues: z.array(TaskMappingIssueDTO),
  })
  .meta({ id: "TaskHistoryDTO" });

export const TaskDTO = z
  .object({
    taskId: z.number().int(),
    projectId: z.number().int(),
    taskStatus: z.string(),
    lockHolder: z.string().nullable(),
    taskHistory: z.array(TaskHistoryDTO),
    taskAnnotation: z.array(TaskAnnotationDTO),
    perTaskInstructions: z.string().nullable(),
    autoUnlockSeconds: z.number().int(),
    lastUpdated: z.string().nullable(),
    numberOfComments: z.number().int(),
  })
  .meta({ id: "TaskDTO" });

export const MappedTasks = z
  .object({
    mappedTasks: z.array(
      z.object({
        username: z.string(),
        mappedTaskCount: z.number().int(),
        tasksMapped: z.array(z.number().int()),
        lastSeen: z.string().nullable(),
        mappingLevel: z.string(),
        dateRegistered: z.string(),
        lastValidationDate: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "MappedTasks" });

export const InvalidatedTasksQuery = z.object({
  asValidator: queryBoolean.optional().describe("true: tasks this user invalidated; otherwise tasks of theirs that were invalidated"),
  sortBy: z.enum(["updatedDate", "projectId"]).optional().default("updatedDate"),
  sortDirection: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(["asc", "desc"]))
    .optional()
    .default("desc"),
  page: pathId.optional().default(1),
  pageSize: pathId.max(100).optional().default(10),
  project: pathId.optional(),
  closed: queryBoolean.optional(),
});

export const InvalidatedTasks = z
  .object({
    invalidatedTasks: z.array(
      z.object({
        taskId: z.number().int(),
        projectId: z.number().int(),
        projectName: z.string().nullable(),
        historyId: z.number().int().nullable(),
        closed: z.boolean(),
        updatedDate: z.string(),
      }),
    ),
    pagination: PaginationDTO,
  })
  .meta({ id: "InvalidatedTasks" });

export const DeleteTasksBody = z.object({
  tasks: z.array(z.number().int().positive()).min(1, "list at least one task id").max(10_000),
});

const GeoJsonObject = z.looseObject({ type: z.string() });

/**
 * The official GridDTO (trim a proposed grid to an area of interest), or, without a grid, an area
 * of interest (bare or as {areaOfInterest, clipToAoi}) whose intersecting project tasks are wanted.
 * GeoJSON structure and validity are checked by the domain, with the official SubCodes.
 */
export const TasksAoiBody = z.union([
  GridDTO,
  z.object({ areaOfInterest: GeoJsonObject, clipToAoi: z.boolean().optional() }),
  GeoJsonObject.describe("A bare GeoJSON FeatureCollection, Feature, Polygon or MultiPolygon"),
]);
