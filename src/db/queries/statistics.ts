import { sql } from "kysely";
import type { DB } from "../database";

/** HomePageStatsDTO from live tables. */
export async function homePageStatistics(db: DB, _options: { abbreviated: boolean }) {
  const users = await db
    .selectFrom("users")
    .select([
      sql<number>`count(*)::int`.as("totalMappers"),
      sql<number>`count(*) FILTER (WHERE tasks_validated > 0)::int`.as("totalValidators"),
      sql<number>`coalesce(sum(tasks_mapped), 0)::int`.as("tasksMapped"),
      sql<number>`coalesce(sum(tasks_validated), 0)::int`.as("tasksValidated"),
    ])
    .executeTakeFirstOrThrow();
  return {
    mappersOnline: 0,
    totalArea: 0,
    tasksMapped: users.tasksMapped,
    tasksValidated: users.tasksValidated,
    totalMappers: users.totalMappers,
    totalValidators: users.totalValidators,
    totalProjects: 0,
    totalMappedArea: 0,
    totalValidatedArea: 0,
    totalOrganisations: 0,
    totalCampaigns: 0,
    averageCompletionTime: null,
  };
}
