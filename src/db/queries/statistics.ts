import { sql } from "kysely";
import type { DB } from "../database";

const KM2 = 1_000_000;

/**
 * HomePageStatsDTO from live tables. Areas are computed on the sphere (geography); the mapped and
 * validated areas sum task shapes and are only computed when `abbreviated` is false, as officially.
 */
export async function homePageStatistics(db: DB, options: { abbreviated: boolean }) {
  const [users, projects, online, organisations, campaigns, areas] = await Promise.all([
    db
      .selectFrom("users")
      .select([
        sql<number>`count(*)::int`.as("totalMappers"),
        sql<number>`count(*) FILTER (WHERE tasks_validated > 0)::int`.as("totalValidators"),
      ])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("projects")
      .select([
        sql<number>`count(*)::int`.as("totalProjects"),
        sql<number>`coalesce(sum(tasks_mapped + tasks_validated), 0)::int`.as("tasksMapped"),
        sql<number>`coalesce(sum(tasks_validated), 0)::int`.as("tasksValidated"),
        sql<number>`coalesce(round(sum(ST_Area(geometry::geography)) / ${KM2}), 0)::int`.as("totalArea"),
      ])
      .executeTakeFirstOrThrow(),
    db.selectFrom("tasks").select(sql<number>`count(DISTINCT locked_by)::int`.as("n")).where("locked_by", "is not", null).executeTakeFirstOrThrow(),
    db.selectFrom("organisations").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow(),
    db.selectFrom("campaigns").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow(),
    options.abbreviated
      ? undefined
      : db
          .selectFrom("tasks")
          .select([
            sql<number>`coalesce(sum(ST_Area(geometry::geography)) FILTER (WHERE task_status IN ('MAPPED', 'VALIDATED')), 0) / ${KM2}`.as("mapped"),
            sql<number>`coalesce(sum(ST_Area(geometry::geography)) FILTER (WHERE task_status = 'VALIDATED'), 0) / ${KM2}`.as("validated"),
          ])
          .executeTakeFirstOrThrow(),
  ]);
  return {
    mappersOnline: online.n,
    totalArea: projects.totalArea,
    tasksMapped: projects.tasksMapped,
    tasksValidated: projects.tasksValidated,
    totalMappers: users.totalMappers,
    totalValidators: users.totalValidators,
    totalProjects: projects.totalProjects,
    totalMappedArea: areas ? Math.round(Number(areas.mapped) * 100) / 100 : null,
    totalValidatedArea: areas ? Math.round(Number(areas.validated) * 100) / 100 : null,
    totalOrganisations: organisations.n,
    totalCampaigns: campaigns.n,
    averageCompletionTime: null,
  };
}
