import type { DB } from "../../src/db/database";
import type { TeamJoinMethod, TeamMemberFunction, TeamRole, TeamVisibility } from "../../src/db/schema";

let seq = 0;

/** A team straight in the database, with its members (active unless told otherwise). */
export async function insertTeam(
  db: DB,
  options: {
    organisationId: number;
    name?: string;
    joinMethod?: TeamJoinMethod;
    visibility?: TeamVisibility;
    members?: { userId: number; function?: TeamMemberFunction; active?: boolean; joinRequestNotifications?: boolean }[];
  },
): Promise<number> {
  const team = await db
    .insertInto("teams")
    .values({
      organisation_id: options.organisationId,
      name: options.name ?? `Team ${process.pid}-${Date.now()}-${++seq}`,
      join_method: options.joinMethod ?? "ANY",
      visibility: options.visibility ?? "PUBLIC",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  for (const m of options.members ?? []) {
    await db
      .insertInto("team_members")
      .values({
        team_id: team.id,
        user_id: m.userId,
        function: m.function ?? "MEMBER",
        active: m.active ?? true,
        join_request_notifications: m.joinRequestNotifications ?? false,
      })
      .execute();
  }
  return team.id;
}

export async function linkTeam(db: DB, projectId: number, teamId: number, role: TeamRole): Promise<void> {
  await db.insertInto("project_teams").values({ project_id: projectId, team_id: teamId, role }).execute();
}
