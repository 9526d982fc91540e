import { z } from "zod";
import {
  contributionsByDay, countriesContributed, interestsOfContributedProjects, recommendedProjectIds, registrationStats, taskCounts,
  tasksOfUser,
} from "../../db/queries/user-stats";
import { badRequest, forbidden } from "../../domain/errors";
import { fetchUserStatistics, ohsomeProxy, osmUserDetails } from "../../domain/external";
import { awardBadgesAndLevel, nextLevelProgress } from "../../domain/levels";
import { isAdmin, requireAdmin } from "../../domain/permissions";
import { buildSearchResults } from "../../domain/projects/dto";
import { pagination } from "../../domain/search";
import { getTaskDTO } from "../../domain/tasks/dto";
import type { RouteTable } from "../openapi/routes";
import { SuccessDTO } from "../schemas/fields";
import {
  GeneralUserStatsDTO, InterestRateListDTO, OhsomeQuery, RecommendedProjectsDTO, UserIdParams, UsernameParams, UserNextLevelDTO,
  UserOSMDTO, UsersStatisticsQuery, UserStatsDTO, UserTaskDTOs, UserTasksQuery,
} from "../schemas/users";
import type { Services } from "../services";
import { requireUserById, requireUserByName } from "./users";

const MAX_STATISTICS_DAYS = 366;
const RECOMMENDED_PROJECTS = 20;
const DAY_MS = 86_400_000;

const startOfDay = (isoDate: string) => new Date(`${isoDate}T00:00:00Z`);

/** Statistics routes of the users group; registered before userRoutes so /users/statistics/ is not read as a user id. */
export function userStatisticsRoutes(routes: RouteTable, services: Services): void {
  const { db, config } = services;

  routes.add({
    method: "get",
    path: "/api/v2/users/statistics/",
    tag: "users",
    summary: "Users registered in a period, by level and gender (admins only)",
    description: `startDate is required; endDate (inclusive) defaults to today. At most ${MAX_STATISTICS_DAYS} days.`,
    auth: "required",
    query: UsersStatisticsQuery,
    responses: { 200: { description: "Statistics", schema: GeneralUserStatsDTO } },
    handler: async ({ query, user }) => {
      requireAdmin(user, "see user statistics");
      const from = startOfDay(query.startDate);
      const to = new Date((query.endDate ? startOfDay(query.endDate) : startOfDay(new Date().toISOString().slice(0, 10))).getTime() + DAY_MS);
      if (to <= from) throw badRequest("startDate must not be after endDate");
      if ((to.getTime() - from.getTime()) / DAY_MS > MAX_STATISTICS_DAYS) throw badRequest(`The period may span at most ${MAX_STATISTICS_DAYS} days`);
      const s = await registrationStats(db, from, to);
      return {
        total: s.total!,
        beginnerMappers: s.beginner!,
        intermediateMappers: s.intermediate!,
        advancedMappers: s.advanced!,
        contributed: s.contributed!,
        emailVerified: s.email_verified!,
        genders: { male: s.male!, female: s.female!, preferNotIdentify: s.prefer_not!, selfDescribe: s.self_describe! },
      };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/statistics/nextlevel/",
    tag: "users",
    summary: "The logged-in user's progress towards their next mapping level",
    description: "Progress sums the user's last saved statistics over the metrics the next level's badges require.",
    auth: "required",
    responses: { 200: { description: "Progress", schema: UserNextLevelDTO } },
    handler: ({ user }) => nextLevelProgress(db, user!),
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/statistics/ohsome/",
    tag: "users",
    summary: "Proxy to the ohsome statistics API",
    description: "url must be under OHSOME_STATS_BASE_URL (or a path relative to it); the answer is ohsome's JSON. 502 when ohsome fails.",
    auth: "required",
    query: OhsomeQuery,
    responses: { 200: { description: "ohsome's answer", schema: z.unknown() } },
    handler: ({ query }) => ohsomeProxy(config.external, query.url),
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/{user_id}/statistics/interests/",
    tag: "users",
    summary: "How a user's contributions spread over interests",
    description: "rate is the share of the user's contributed projects (counted per interest) that carry each interest.",
    auth: "required",
    params: UserIdParams,
    responses: { 200: { description: "Rates", schema: InterestRateListDTO } },
    handler: async ({ params }) => {
      await requireUserById(db, params.user_id);
      const interests = await interestsOfContributedProjects(db, params.user_id);
      const total = interests.reduce((sum, i) => sum + i.count_projects, 0);
      return { rates: interests.map((i) => ({ name: i.name, rate: Math.round((i.count_projects / total) * 100) / 100 })) };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/{user_id}/tasks/",
    tag: "users",
    summary: "Tasks a user acted on",
    description:
      "Filters: status (the status the user set), project_status, project_id, start_date/end_date (of the user's actions). " +
      "sort_by action_date, -action_date (default), project_id or -project_id. page_size defaults to 10.",
    auth: "required",
    params: UserIdParams,
    query: UserTasksQuery,
    responses: { 200: { description: "Tasks", schema: UserTaskDTOs } },
    handler: async ({ params, query, locale }) => {
      await requireUserById(db, params.user_id);
      const { rows, total } = await tasksOfUser(
        db,
        params.user_id,
        {
          status: query.status as never,
          projectStatus: query.project_status,
          projectId: query.project_id,
          startDate: query.start_date ? startOfDay(query.start_date) : undefined,
          endDate: query.end_date ? new Date(startOfDay(query.end_date).getTime() + DAY_MS - 1) : undefined,
          sortBy: query.sort_by,
        },
        { offset: (query.page - 1) * query.page_size, limit: query.page_size },
      );
      const tasks = await Promise.all(
        rows.map(async (r) => ({
          ...(await getTaskDTO(db, r.project_id, r.task_id, locale, { autoUnlockMs: config.taskAutoUnlockMs })),
          lastUpdated: r.last_action.toISOString(),
        })),
      );
      return { tasks, pagination: pagination(query.page, query.page_size, total) };
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/users/{username}/actions/update-stats",
    tag: "users",
    summary: "Refresh a user's statistics from ohsome and OSM, then award badges and levels",
    description: "The user themselves or an admin. 502 when ohsome or the OSM API fails (nothing is saved then).",
    auth: "required",
    params: UsernameParams,
    responses: { 200: { description: "Updated", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      const target = await requireUserByName(db, params.username);
      if (target.id !== user!.id && !isAdmin(user)) throw forbidden("Only the user or an admin can update their statistics", "UserPermissionError");
      const stats = await fetchUserStatistics(config.external, target.id, config.projects.defaultChangesetComment);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto("user_stats")
          .values({ user_id: target.id, stats: JSON.stringify(stats) })
          .onConflict((oc) => oc.column("user_id").doUpdateSet({ stats: JSON.stringify(stats), date_obtained: new Date() }))
          .execute();
        await awardBadgesAndLevel(trx, target, stats);
      });
      return { Success: "User stats updated" };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/{username}/openstreetmap/",
    tag: "users",
    summary: "A user's OpenStreetMap account details",
    description: "From OSM_SERVER_URL's API. 502 OSMServiceError when OSM fails.",
    auth: "required",
    params: UsernameParams,
    responses: { 200: { description: "OSM details", schema: UserOSMDTO } },
    handler: async ({ params }) => osmUserDetails(config.external, (await requireUserByName(db, params.username)).id),
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/{username}/recommended-projects/",
    tag: "users",
    summary: "Projects to suggest to a user",
    description:
      `Up to ${RECOMMENDED_PROJECTS} published public projects: those sharing a campaign with projects the user worked on first, ` +
      "then those whose difficulty suits the user's level; never their own or ones they already worked on.",
    auth: "required",
    params: UsernameParams,
    responses: { 200: { description: "Projects", schema: RecommendedProjectsDTO } },
    handler: async ({ params, locale }) => {
      const target = await requireUserByName(db, params.username);
      const ids = await recommendedProjectIds(db, target, RECOMMENDED_PROJECTS);
      return { mapResults: null, results: await buildSearchResults(db, ids, locale), pagination: null };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/{username}/statistics/",
    tag: "users",
    summary: "A user's contribution statistics",
    description: "From task history: tasks mapped/validated/invalidated, time spent in locks (seconds), countries, daily activity, interests.",
    auth: "required",
    params: UsernameParams,
    responses: { 200: { description: "Statistics", schema: UserStatsDTO } },
    handler: async ({ params }) => {
      const target = await requireUserByName(db, params.username);
      const [counts, countries, byDay, interests] = await Promise.all([
        taskCounts(db, target.id),
        countriesContributed(db, target.id),
        contributionsByDay(db, target.id),
        interestsOfContributedProjects(db, target.id),
      ]);
      return {
        totalTimeSpent: counts.time_mapping + counts.time_validating,
        timeSpentMapping: counts.time_mapping,
        timeSpentValidating: counts.time_validating,
        projectsMapped: counts.projects_mapped,
        countriesContributed: { countries, total: countries.length },
        contributionsByDay: byDay,
        tasksMapped: counts.tasks_mapped,
        tasksValidated: counts.tasks_validated,
        tasksInvalidated: counts.tasks_invalidated,
        tasksInvalidatedByOthers: counts.tasks_invalidated_by_others,
        tasksValidatedByOthers: counts.tasks_validated_by_others,
        ContributionsByInterest: interests.map((i) => ({ id: i.id, name: i.name, countProjects: i.count_projects })),
      };
    },
  });
}
