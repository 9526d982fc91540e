import type { DB } from "../db/database";
import {
  deleteProjectTeam, findProjectTeam, insertProjectTeam, linkedRoles, lockProjectPermissions, teamsOfProjects, updateProjectTeamRole,
} from "../db/queries/teams";
import type { TeamRole, UserRow } from "../db/schema";
import { ApiError, badRequest, forbidden, notFound } from "./errors";
import { managesProject, managesTeam, TEAM_ROLES_ALLOWED } from "./permissions";
import { findProject, type ProjectRecord } from "./projects/access";
import { projectTeamDTO } from "./projects/dto";
import { requireTeam } from "./teams";

/** The teams linked to a project and their roles (official ListTeamsDTO of ProjectTeamDTO). */
export async function projectTeamsDTO(db: DB, projectId: number) {
  await requireProject(db, projectId);
  const rows = await teamsOfProjects(db, [projectId]);
  return { teams: rows.map(projectTeamDTO) };
}

async function requireProject(db: DB, projectId: number): Promise<ProjectRecord> {
  const project = await findProject(db, projectId);
  if (!project) throw notFound(`Project ${projectId} not found`);
  return project;
}

async function requireManagedProject(db: DB, user: UserRow, projectId: number): Promise<ProjectRecord> {
  const project = await requireProject(db, projectId);
  if (!(await managesProject(db, user, project))) throw forbidden("User is not a manager of the project", "UserPermissionError");
  return project;
}

/** Links a team to a project: the caller manages both (official UserPermissionError otherwise); 400 when already linked. */
export async function assignTeam(db: DB, user: UserRow, projectId: number, teamId: number, role: TeamRole): Promise<void> {
  const team = await requireTeam(db, teamId);
  const project = await requireProject(db, projectId);
  if (!(await managesTeam(db, user, team))) throw forbidden("User is not an admin or a manager for the team", "UserPermissionError");
  if (!(await managesProject(db, user, project))) throw forbidden("User is not a manager of the project", "UserPermissionError");
  if (!(await insertProjectTeam(db, projectId, teamId, role))) {
    throw badRequest(`Team ${teamId} is already assigned to project ${projectId}; change its role instead`, "InvalidRequest");
  }
}

/** Project managers change the role a linked team plays (404 when not linked). */
export async function changeTeamRole(db: DB, user: UserRow, projectId: number, teamId: number, role: TeamRole): Promise<void> {
  await requireManagedProject(db, user, projectId);
  if (!(await updateProjectTeamRole(db, projectId, teamId, role))) throw notFound(`Team ${teamId} is not assigned to project ${projectId}`);
}

/** Project managers unlink a team from their project (404 when not linked). */
export async function removeTeamFromProject(db: DB, user: UserRow, projectId: number, teamId: number): Promise<void> {
  await requireManagedProject(db, user, projectId);
  if (!(await deleteProjectTeam(db, projectId, teamId))) throw notFound(`Team ${teamId} is not assigned to project ${projectId}`);
}

export interface ProjectTeamPair {
  projectId: number;
  teamId: number;
}

/**
 * The team side's unlinks (one pair, all projects of a team, or a list): the caller manages every
 * team, and no unlink may leave a project restricted to teams without a team that can map (or
 * validate) it, 403 ProjectPermissionError as officially: that is for the project's managers to
 * change. All pairs are checked and removed in one transaction, in order, so a refused pair leaves
 * every link in place.
 */
export async function unlinkTeams(db: DB, user: UserRow, pairs: ProjectTeamPair[]): Promise<ProjectTeamPair[]> {
  const unique = [...new Map(pairs.map((p) => [`${p.projectId}/${p.teamId}`, p])).values()];
  const teamIds = [...new Set(unique.map((p) => p.teamId))];
  for (const teamId of teamIds) {
    const team = await requireTeam(db, teamId);
    if (!(await managesTeam(db, user, team))) {
      throw forbidden(`Cannot unlink team with team id-${teamId}: user ${user.id} is not a manager of the team`, "UserPermissionError");
    }
  }
  await db.transaction().execute(async (tx) => {
    for (const pair of unique) {
      await refuseUnlinkLeavingNoTeam(tx, pair);
      await deleteProjectTeam(tx, pair.projectId, pair.teamId);
    }
  });
  return unique;
}

async function refuseUnlinkLeavingNoTeam(tx: DB, { projectId, teamId }: ProjectTeamPair): Promise<void> {
  const cannot = `Cannot unlink team with team id-${teamId}`;
  const project = await lockProjectPermissions(tx, projectId);
  if (!project) throw notFound(`${cannot}: project ${projectId} not found`);
  const link = await findProjectTeam(tx, projectId, teamId);
  if (!link) throw notFound(`${cannot}: project ${projectId} has no such linked team`);
  const remaining = await linkedRoles(tx, projectId);
  remaining.splice(remaining.indexOf(link.role), 1);
  const restricted = (permission: string) => permission === "TEAMS" || permission === "TEAMS_LEVEL";
  for (const [mode, permission, what] of [
    ["MAPPING", project.mapping_permission, "mapping"],
    ["VALIDATION", project.validation_permission, "validation"],
  ] as const) {
    const allowed = TEAM_ROLES_ALLOWED[mode];
    if (restricted(permission) && allowed.includes(link.role) && !remaining.some((r) => allowed.includes(r))) {
      throw new ApiError(
        403,
        "ProjectPermissionError",
        `${cannot}: project ${projectId} ${what} is restricted to assigned teams and this is the only team that can do it. ` +
          "Contact the project admin to unlink the team and assign another team.",
      );
    }
  }
}
