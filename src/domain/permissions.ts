import type { DB } from "../db/database";
import type { ProjectRow, TeamRole, TeamRow, UserRow } from "../db/schema";
import { forbidden } from "./errors";

/**
 * Who may do what. Every route and activity asks here, so the rules live in one place: routes,
 * the lock rules and the lock activity all see the same answer.
 */
export const isAdmin = (user: UserRow | undefined): boolean => user?.role === "ADMIN";

/** Throws 403 OnlyAdminAccess unless the user is an admin; `action` completes "Only admins can ...". */
export function requireAdmin(user: UserRow | undefined, action: string): void {
  if (!isAdmin(user)) throw forbidden(`Only admins can ${action}`, "OnlyAdminAccess");
}

export async function managesOrganisation(db: DB, user: UserRow | undefined, organisationId: number): Promise<boolean> {
  if (!user) return false;
  if (isAdmin(user)) return true;
  const row = await db
    .selectFrom("organisation_managers")
    .select("user_id")
    .where("organisation_id", "=", organisationId)
    .where("user_id", "=", user.id)
    .executeTakeFirst();
  return row !== undefined;
}

/** Organisations the user manages (all of them for an admin is not implied: admins pass every check instead). */
export async function managedOrganisationIds(db: DB, userId: number): Promise<number[]> {
  const rows = await db.selectFrom("organisation_managers").select("organisation_id").where("user_id", "=", userId).execute();
  return rows.map((r) => r.organisation_id);
}

/** An admin, or a manager of at least one organisation (who may curate shared lists such as interests). */
export async function managesAnyOrganisation(db: DB, user: UserRow | undefined): Promise<boolean> {
  if (!user) return false;
  return isAdmin(user) || (await managedOrganisationIds(db, user.id)).length > 0;
}

/** The roles the user plays on a project through the teams they are an active member of. */
export async function teamRolesOnProject(db: DB, userId: number, projectId: number): Promise<TeamRole[]> {
  const rows = await db
    .selectFrom("project_teams as pt")
    .innerJoin("team_members as m", "m.team_id", "pt.team_id")
    .select("pt.role")
    .distinct()
    .where("pt.project_id", "=", projectId)
    .where("m.user_id", "=", userId)
    .where("m.active", "=", true)
    .execute();
  return rows.map((r) => r.role);
}

/** Team roles that let a member map, or validate, a project restricted to teams (official TeamRoles). */
export const TEAM_ROLES_ALLOWED: Record<"MAPPING" | "VALIDATION", readonly TeamRole[]> = {
  MAPPING: ["MAPPER", "VALIDATOR", "PROJECT_MANAGER"],
  VALIDATION: ["VALIDATOR", "PROJECT_MANAGER"],
};

type ProjectRef = Pick<ProjectRow, "id" | "organisation_id">;

/**
 * A project manager: an admin, a manager of the organisation that owns the project, or an active
 * member of a team linked to it with the PROJECT_MANAGER role.
 */
export async function managesProject(db: DB, user: UserRow | undefined, project: ProjectRef): Promise<boolean> {
  if (!user) return false;
  if (await managesOrganisation(db, user, project.organisation_id)) return true;
  return managesThroughTeams(await teamRolesOnProject(db, user.id, project.id));
}

const managesThroughTeams = (roles: readonly TeamRole[]) => roles.includes("PROJECT_MANAGER");

async function onAllowedList(db: DB, userId: number, projectId: number): Promise<boolean> {
  const row = await db.selectFrom("project_allowed_users").select("user_id").where("project_id", "=", projectId).where("user_id", "=", userId).executeTakeFirst();
  return row !== undefined;
}

/** Private projects are visible to their managers, the users on their allowed list and the members of their teams. */
export async function maySeePrivateProject(db: DB, user: UserRow | undefined, project: ProjectRef): Promise<boolean> {
  if (!user) return false;
  if (await managesOrganisation(db, user, project.organisation_id)) return true;
  const [allowed, roles] = await Promise.all([onAllowedList(db, user.id, project.id), teamRolesOnProject(db, user.id, project.id)]);
  return allowed || roles.length > 0;
}

/**
 * The user's standing on a project (manager, may see it, team roles) with each lookup made once:
 * the lock rules need all of it on every lock, where managesProject and maySeePrivateProject would
 * each ask for the team roles again.
 */
export async function projectStanding(db: DB, user: UserRow, project: ProjectRef & Pick<ProjectRow, "private">) {
  const [organisationManager, allowed, teamRoles] = await Promise.all([
    managesOrganisation(db, user, project.organisation_id),
    project.private ? onAllowedList(db, user.id, project.id) : true,
    teamRolesOnProject(db, user.id, project.id),
  ]);
  const manager = organisationManager || managesThroughTeams(teamRoles);
  return { manager, maySee: manager || allowed || teamRoles.length > 0, teamRoles };
}

/** A team manager (official is_user_team_manager): an admin, an active MANAGER of the team, or a manager of its organisation. */
export async function managesTeam(db: DB, user: UserRow | undefined, team: Pick<TeamRow, "id" | "organisation_id">): Promise<boolean> {
  if (!user) return false;
  if (await managesOrganisation(db, user, team.organisation_id)) return true;
  const row = await db
    .selectFrom("team_members")
    .select("user_id")
    .where("team_id", "=", team.id)
    .where("user_id", "=", user.id)
    .where("function", "=", "MANAGER")
    .where("active", "=", true)
    .executeTakeFirst();
  return row !== undefined;
}
