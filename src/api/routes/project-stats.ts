import { loadProject } from "../../domain/projects/access";
import {
  projectActivity, projectContributions, projectContributionsByDay, projectLastActivity, projectStats, projectUserStats,
  statsRange, taskStatistics,
} from "../../domain/projects/stats";
import type { RouteTable } from "../openapi/routes";
import {
  ActivityQuery, ProjectActivityDTO, ProjectContribsDTO, ProjectContributionsDTO, ProjectLastActivityDTO, ProjectStatsDTO,
  ProjectUserParams, ProjectUserStatsDTO, TaskStatsDTO, TaskStatsQuery,
} from "../schemas/project-stats";
import { ProjectParams } from "../schemas/tasks";
import type { Services } from "../services";

/**
 * A project's activity, contributions and statistics, and task statistics across projects. Project
 * reads follow the project's visibility (private and draft projects as for the project itself).
 */
export function projectStatsRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/activities/",
    tag: "projects",
    summary: "The project's task history except comments, newest first, 10 a page (ProjectActivityDTO)",
    auth: "optional",
    params: ProjectParams,
    query: ActivityQuery,
    responses: { 200: { description: "Activity", schema: ProjectActivityDTO } },
    handler: async ({ params, query, user }) => {
      await loadProject(db, params.project_id, user, "view");
      return projectActivity(db, params.project_id, query.page);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/activities/latest/",
    tag: "projects",
    summary: "Every task's status and its latest action other than a comment (ProjectLastActivityDTO)",
    auth: "optional",
    params: ProjectParams,
    responses: { 200: { description: "Latest activity per task", schema: ProjectLastActivityDTO } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "view");
      return projectLastActivity(db, params.project_id);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/contributions/",
    tag: "projects",
    summary: "Per contributor: tasks mapped, validated and marked bad imagery, with their ids (ProjectContributionsDTO)",
    auth: "optional",
    params: ProjectParams,
    responses: { 200: { description: "Contributions", schema: ProjectContributionsDTO } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "view");
      return projectContributions(db, params.project_id);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/contributions/queries/day/",
    tag: "projects",
    summary: "Tasks mapped and validated per day (UTC), with running totals (ProjectContribsDTO)",
    auth: "optional",
    params: ProjectParams,
    responses: { 200: { description: "Contributions per day", schema: ProjectContribsDTO } },
    handler: async ({ params, user }) => {
      const project = await loadProject(db, params.project_id, user, "view");
      return projectContributionsByDay(db, project.id, project.total_tasks);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/statistics/",
    tag: "projects",
    summary: "Project statistics: area, mappers, comments, time spent, percentages, time to finish (ProjectStatsDTO)",
    description:
      "Times are seconds, from the durations recorded on lock rows. Average times are per task (mapping: tasks ever " +
      "marked MAPPED; validation: tasks ever validated or invalidated); time to finish is the tasks left times the average.",
    auth: "optional",
    params: ProjectParams,
    responses: { 200: { description: "Statistics", schema: ProjectStatsDTO } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "view");
      return projectStats(db, params.project_id);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/statistics/queries/{username}/",
    tag: "projects",
    summary: "Time a user spent mapping and validating in the project, in seconds (ProjectUserStatsDTO)",
    auth: "optional",
    params: ProjectUserParams,
    responses: { 200: { description: "The user's time", schema: ProjectUserStatsDTO } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "view");
      return projectUserStats(db, params.project_id, params.username);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/tasks/statistics/",
    tag: "tasks",
    summary: "Tasks mapped, validated and marked bad imagery per day over a date range (TaskStatsDTO)",
    description:
      "startDate is required, endDate defaults to today; the range may not be reversed or longer than a year (400). " +
      "Filters: organisationId, organisationName, campaign (name), projectId (comma-separated), country. Every day of " +
      "the range is listed; a task counts once per status in the range.",
    auth: "required",
    query: TaskStatsQuery,
    responses: { 200: { description: "Statistics per day", schema: TaskStatsDTO } },
    handler: ({ query }) =>
      taskStatistics(db, {
        ...statsRange(query.startDate, query.endDate),
        organisationId: query.organisationId,
        organisationName: query.organisationName,
        campaign: query.campaign,
        projectIds: query.projectId,
        country: query.country,
      }),
  });
}
