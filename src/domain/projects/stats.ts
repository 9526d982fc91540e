import type { DB } from "../../db/database";
import {
  contributionsByDay, latestTaskActivity, projectActivityPage, projectContributors, projectTimes, type TaskStatsFilter,
  taskStatsByDay, userTimesInProject,
} from "../../db/queries/project-stats";
import { findUserByUsername } from "../../db/queries/users";
import { badRequest, notFound } from "../errors";
import { pagination } from "../search";
import { toTaskHistoryDTO } from "../tasks/dto";
import { taskPercentages } from "./dto";

/** Project activity, contributions and statistics as the official DTOs (times in whole seconds). */

const iso = (d: Date | null) => d?.toISOString() ?? null;

export async function projectActivity(db: DB, projectId: number, page: number) {
  const { rows, total, perPage } = await projectActivityPage(db, projectId, page);
  return {
    activity: rows.map(toTaskHistoryDTO),
    pagination: pagination(page, perPage, total),
  };
}

export async function projectLastActivity(db: DB, projectId: number) {
  const rows = await latestTaskActivity(db, projectId);
  return { activity: rows.map((r) => ({ taskId: r.task_id, taskStatus: r.task_status, actionDate: iso(r.action_date), actionBy: r.username })) };
}

export async function projectContributions(db: DB, projectId: number) {
  const rows = await projectContributors(db, projectId);
  return {
    userContributions: rows.map((r) => ({
      username: r.username,
      mappingLevel: r.mapping_level,
      pictureUrl: r.picture_url,
      mapped: r.mapped,
      validated: r.validated,
      badImagery: r.bad_imagery,
      total: r.mapped + r.validated + r.bad_imagery,
      mappedTasks: r.mapped_tasks,
      validatedTasks: r.validated_tasks,
      badImageryTasks: r.bad_imagery_tasks,
      name: r.name,
      dateRegistered: r.date_registered.toISOString().slice(0, 10),
    })),
  };
}

/**
 * ProjectContribsDTO: per day, tasks mapped and validated, and the running totals; an invalidated
 * task no longer counts as mapped from the day it was invalidated.
 */
export async function projectContributionsByDay(db: DB, projectId: number, totalTasks: number) {
  let cumulativeMapped = 0;
  let cumulativeValidated = 0;
  const days = await contributionsByDay(db, projectId);
  return {
    stats: days.map((d) => {
      cumulativeMapped += d.mapped - d.invalidated;
      cumulativeValidated += d.validated;
      return {
        date: d.day,
        mapped: d.mapped,
        validated: d.validated,
        cumulative_mapped: cumulativeMapped,
        cumulative_validated: cumulativeValidated,
        total_tasks: totalTasks,
      };
    }),
  };
}

/**
 * ProjectStatsDTO. Average times are per task: time recorded on mapping locks over the tasks ever
 * marked MAPPED (validation: over the tasks ever validated or invalidated); the time to finish is
 * the tasks left times that average.
 */
export async function projectStats(db: DB, projectId: number) {
  const t = await projectTimes(db, projectId);
  if (!t) throw notFound(`Project ${projectId} not found`);
  const averageMappingTime = t.tasks_with_mapping ? Math.round(t.mapping_seconds / t.tasks_with_mapping) : 0;
  const averageValidationTime = t.tasks_with_validation ? Math.round(t.validation_seconds / t.tasks_with_validation) : 0;
  const leftToMap = Math.max(0, t.total_tasks - t.tasks_mapped - t.tasks_validated - t.tasks_bad_imagery);
  const leftToValidate = Math.max(0, t.total_tasks - t.tasks_validated - t.tasks_bad_imagery);
  return {
    projectId,
    "projectArea(in sq.km)": Math.round(t.area_km2 * 100) / 100,
    totalMappers: t.mappers,
    totalTasks: t.total_tasks,
    totalComments: t.comments,
    totalMappingTime: t.mapping_seconds,
    totalValidationTime: t.validation_seconds,
    totalTimeSpent: t.mapping_seconds + t.validation_seconds,
    averageMappingTime,
    averageValidationTime,
    ...taskPercentages(t),
    aoiCentroid: t.centroid,
    timeToFinishMapping: leftToMap * averageMappingTime,
    timeToFinishValidating: leftToValidate * averageValidationTime,
  };
}

/** ProjectUserStatsDTO; 404 UserNotFound for an unknown username. */
export async function projectUserStats(db: DB, projectId: number, username: string) {
  const user = await findUserByUsername(db, username);
  if (!user) throw notFound(`User ${username} not found`, "UserNotFound");
  const t = await userTimesInProject(db, projectId, user.id);
  return { timeSpentMapping: t.mapping_seconds, timeSpentValidating: t.validation_seconds, totalTimeSpent: t.mapping_seconds + t.validation_seconds };
}

const DAY_MS = 86_400_000;
/** The official limit of a statistics date range. */
export const MAX_STATS_RANGE_DAYS = 366;

/** Checks a YYYY-MM-DD range (end defaults to today, UTC): 400 when it is reversed or longer than a year. */
export function statsRange(startDate: string, endDate: string | undefined): { startDate: string; endDate: string } {
  const end = endDate ?? new Date().toISOString().slice(0, 10);
  const days = (Date.parse(end) - Date.parse(startDate)) / DAY_MS;
  if (days < 0) throw badRequest("Start date must be earlier than end date");
  if (days > MAX_STATS_RANGE_DAYS) throw badRequest("Date range can not be bigger than 1 year");
  return { startDate, endDate: end };
}

/** TaskStatsDTO: one entry per day of the range, days without activity included with zeros. */
export async function taskStatistics(db: DB, filter: TaskStatsFilter) {
  const byDay = new Map((await taskStatsByDay(db, filter)).map((d) => [d.day, d]));
  const taskStats = [];
  for (let t = Date.parse(filter.startDate); t <= Date.parse(filter.endDate); t += DAY_MS) {
    const date = new Date(t).toISOString().slice(0, 10);
    const d = byDay.get(date);
    taskStats.push({ date, mapped: d?.mapped ?? 0, validated: d?.validated ?? 0, badImagery: d?.bad_imagery ?? 0 });
  }
  return { taskStats };
}
