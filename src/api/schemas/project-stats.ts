import { z } from "zod";
import { pathId } from "./fields";
import { commaList, isoDate, PaginationDTO } from "./search";
import { TaskHistoryDTO } from "./tasks";

export const ActivityQuery = z.object({ page: pathId.optional().default(1) });

export const ProjectActivityDTO = z.object({ activity: z.array(TaskHistoryDTO), pagination: PaginationDTO }).meta({ id: "ProjectActivityDTO" });

export const ProjectLastActivityDTO = z
  .object({
    activity: z.array(
      z.object({ taskId: z.number().int(), taskStatus: z.string(), actionDate: z.string().nullable(), actionBy: z.string().nullable() }).meta({ id: "TaskStatusDTO" }),
    ),
  })
  .meta({ id: "ProjectLastActivityDTO" });

const taskIds = z.array(z.number().int());

export const ProjectContributionsDTO = z
  .object({
    userContributions: z.array(
      z
        .object({
          username: z.string(),
          mappingLevel: z.string(),
          pictureUrl: z.string().nullable(),
          mapped: z.number().int(),
          validated: z.number().int(),
          badImagery: z.number().int(),
          total: z.number().int(),
          mappedTasks: taskIds,
          validatedTasks: taskIds,
          badImageryTasks: taskIds,
          name: z.string().nullable(),
          dateRegistered: z.string().describe("YYYY-MM-DD"),
        })
        .meta({ id: "UserContribution" }),
    ),
  })
  .meta({ id: "ProjectContributionsDTO" });

export const ProjectContribsDTO = z
  .object({
    stats: z.array(
      z
        .object({
          date: z.string().describe("YYYY-MM-DD (UTC)"),
          mapped: z.number().int(),
          validated: z.number().int(),
          cumulative_mapped: z.number().int(),
          cumulative_validated: z.number().int(),
          total_tasks: z.number().int(),
        })
        .meta({ id: "ProjectContribDTO" }),
    ),
  })
  .meta({ id: "ProjectContribsDTO" });

const seconds = z.number().int().describe("seconds");

export const ProjectStatsDTO = z
  .object({
    projectId: z.number().int(),
    "projectArea(in sq.km)": z.number(),
    totalMappers: z.number().int(),
    totalTasks: z.number().int(),
    totalComments: z.number().int(),
    totalMappingTime: seconds,
    totalValidationTime: seconds,
    totalTimeSpent: seconds,
    averageMappingTime: seconds,
    averageValidationTime: seconds,
    percentMapped: z.number().int(),
    percentValidated: z.number().int(),
    percentBadImagery: z.number().int(),
    aoiCentroid: z.record(z.string(), z.unknown()).describe("GeoJSON Point"),
    timeToFinishMapping: seconds,
    timeToFinishValidating: seconds,
  })
  .meta({ id: "ProjectStatsDTO" });

export const ProjectUserStatsDTO = z
  .object({ timeSpentMapping: seconds, timeSpentValidating: seconds, totalTimeSpent: seconds })
  .meta({ id: "ProjectUserStatsDTO" });

export const ProjectUserParams = z.object({ project_id: pathId, username: z.string().min(1).max(255) });

export const TaskStatsQuery = z.object({
  startDate: isoDate,
  endDate: isoDate.optional().describe("Defaults to today (UTC)"),
  organisationName: z.string().trim().min(1).optional(),
  organisationId: pathId.optional(),
  campaign: z.string().trim().min(1).optional(),
  projectId: commaList(pathId).optional().describe("One project id or several, comma-separated"),
  country: z.string().trim().min(1).optional(),
});

export const TaskStatsDTO = z
  .object({
    taskStats: z.array(
      z.object({ date: z.string(), mapped: z.number().int(), validated: z.number().int(), badImagery: z.number().int() }).meta({ id: "TaskStats" }),
    ),
  })
  .meta({ id: "TaskStatsDTO" });
