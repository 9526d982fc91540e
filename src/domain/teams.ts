import { randomUUID } from "node:crypto";
import type { DB } from "../db/database";
import { insertMessage } from "../db/queries/messages";
import { findOrganisation, usersByUsername } from "../db/queries/organisations";
import {
  countProjectsOfTeam, deleteMember, findOrganisationByName, deleteTeamRow, findMember, findTeam, findTeamWithOrganisation, insertTeamRow, listTeams,
  lockTeam, managersWantingJoinRequests, memberCounts, membersOf, projectsOfTeam, removeMembersExcept, type TeamFilter,
  type TeamMemberRow, type TeamWithOrganisation, updateTeamRow, upsertMember,
} from "../db/queries/teams";
import { findUserByUsername } from "../db/queries/users";
import type { TeamJoinMethod, TeamMemberFunction, TeamRow, TeamVisibility, UserRow } from "../db/schema";
import { badRequest, forbidden, notFound } from "./errors";
import type { MessageType } from "./messages";
import { isAdmin, managedOrganisationIds, managesOrganisation, managesTeam } from "./permissions";
import { pagination } from "./search";

export async function requireTeam(db: DB, teamId: number): Promise<TeamRow> {
  const team = await findTeam(db, teamId);
  if (!team) throw notFound(`Team ${teamId} not found`);
  return team;
}

/** 404 for an unknown team, then 403 with the caller's SubCode unless the user manages the team. */
export async function requireManagedTeam(db: DB, user: UserRow | undefined, teamId: number, subCode: string): Promise<TeamRow> {
  const team = await requireTeam(db, teamId);
  if (!(await managesTeam(db, user, team))) throw forbidden("User is not a manager of the team", subCode);
  return team;
}

/** A user named in a body, or 404 UserNotFound. */
export async function requireUserNamed(db: DB, username: string): Promise<UserRow> {
  const user = await findUserByUsername(db, username);
  if (!user) throw notFound(`User ${username} not found`, "UserNotFound");
  return user;
}

// ---- DTOs ------------------------------------------------------------------------------------------

const memberDTO = (m: TeamMemberRow) => ({
  username: m.username,
  function: m.function,
  active: m.active,
  joinRequestNotifications: m.join_request_notifications,
  pictureUrl: m.picture_url,
  joinedDate: m.joined_date.toISOString(),
});

/** The logo shown for a team: its own, else its organisation's (the official DTO shows the organisation's). */
const logoOf = (t: TeamWithOrganisation) => t.logo ?? t.organisation_logo;

const groupByTeam = (members: TeamMemberRow[]) => {
  const byTeam = new Map<number, TeamMemberRow[]>();
  for (const m of members) byTeam.set(m.team_id, [...(byTeam.get(m.team_id) ?? []), m]);
  return byTeam;
};

/** GET /teams/{id}/: the team, the caller's standing in its organisation, its members and projects. */
export async function teamDetailsDTO(db: DB, teamId: number, user: UserRow | undefined, options: { omitMembers: boolean }) {
  const team = await findTeamWithOrganisation(db, teamId);
  if (!team) throw notFound(`Team ${teamId} not found`);
  const [orgManager, members, projects] = await Promise.all([
    user ? managedOrganisationIds(db, user.id).then((ids) => ids.includes(team.organisation_id)) : false,
    options.omitMembers ? [] : membersOf(db, [team.id]),
    options.omitMembers ? [] : projectsOfTeam(db, team.id),
  ]);
  return {
    teamId: team.id,
    organisation_id: team.organisation_id,
    organisation: team.organisation_name,
    organisationSlug: team.organisation_slug,
    name: team.name,
    logo: logoOf(team),
    description: team.description,
    joinMethod: team.join_method,
    visibility: team.visibility,
    is_org_admin: orgManager,
    is_general_admin: isAdmin(user),
    members: members.map(memberDTO),
    team_projects: projects.map((p) => ({ project_name: p.project_name ?? "", project_id: p.project_id, role: p.role })),
  };
}

export interface TeamListOptions {
  filter: Omit<TeamFilter, "visibleTo">;
  omitMembers: boolean;
  fullMembers: boolean;
  page?: { page: number; perPage: number };
}

/** GET /teams/: private teams only for their members, their organisation's managers and admins. */
export async function teamsListDTO(db: DB, user: UserRow, options: TeamListOptions) {
  const filter: TeamFilter = { ...options.filter, visibleTo: isAdmin(user) ? undefined : user.id };
  const { rows, total } = await listTeams(db, filter, options.page);
  const ids = rows.map((t) => t.id);
  const [members, counts] = await Promise.all([
    options.omitMembers ? [] : membersOf(db, ids, options.fullMembers ? {} : { perFunction: 10 }),
    memberCounts(db, ids),
  ]);
  const membersByTeam = groupByTeam(members);
  const teams = rows.map((t) => ({
    teamId: t.id,
    organisationId: t.organisation_id,
    organisation: t.organisation_name,
    name: t.name,
    logo: logoOf(t),
    description: t.description,
    joinMethod: t.join_method,
    visibility: t.visibility,
    members: (membersByTeam.get(t.id) ?? []).map(memberDTO),
    membersCount: counts.get(t.id)?.members ?? 0,
    managersCount: counts.get(t.id)?.managers ?? 0,
  }));
  return options.page ? { teams, pagination: pagination(options.page.page, options.page.perPage, total) } : { teams };
}

/** An organisation's teams as its DTO lists them (official OrganisationTeamsDTO), private ones only to those who may see them. */
export async function organisationTeamsDTO(db: DB, organisationId: number, user: UserRow | undefined) {
  if (!user) return [];
  const { rows } = await listTeams(db, { organisationId, visibleTo: isAdmin(user) ? undefined : user.id });
  const membersByTeam = groupByTeam(await membersOf(db, rows.map((t) => t.id)));
  return rows.map((t) => ({
    teamId: t.id,
    name: t.name,
    description: t.description,
    joinMethod: t.join_method,
    visibility: t.visibility,
    members: (membersByTeam.get(t.id) ?? []).map(memberDTO),
  }));
}

// ---- create, update, delete ------------------------------------------------------------------------

export interface TeamInput {
  name?: string;
  logo?: string | null;
  description?: string | null;
  joinMethod?: TeamJoinMethod;
  visibility?: TeamVisibility;
}

function columns(input: TeamInput) {
  return {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.logo !== undefined && { logo: input.logo }),
    ...(input.description !== undefined && { description: input.description }),
    ...(input.joinMethod !== undefined && { join_method: input.joinMethod }),
    ...(input.visibility !== undefined && { visibility: input.visibility }),
  };
}

/** Organisation managers and admins create teams; the creator becomes the team's first (active) manager. */
export async function createTeam(db: DB, creator: UserRow, input: TeamInput & { name: string; organisationId: number }): Promise<number> {
  const org = await findOrganisation(db, input.organisationId);
  if (!org) throw notFound(`Organisation ${input.organisationId} not found`);
  if (!(await managesOrganisation(db, creator, org.id))) {
    throw forbidden("User not permitted to create team for the Organisation", "CreateTeamNotPermitted");
  }
  return db.transaction().execute(async (tx) => {
    const teamId = await insertTeamRow(tx, { ...columns(input), name: input.name, organisation_id: org.id });
    await upsertMember(tx, { team_id: teamId, user_id: creator.id, function: "MANAGER", active: true });
    return teamId;
  });
}

export interface MemberInput {
  username: string;
  function?: TeamMemberFunction;
  active?: boolean;
  joinRequestNotifications?: boolean;
}

/**
 * Team managers (and their organisation's managers, and admins) edit a team. `members`, when not
 * empty, becomes the member list: those left out are removed, the others added or updated. Moving the
 * team to another organisation (organisation_id or organisation name) needs managing that one too.
 */
export async function updateTeam(
  db: DB,
  user: UserRow,
  teamId: number,
  input: TeamInput & { organisationId?: number; organisation?: string; members?: MemberInput[] },
): Promise<void> {
  await requireManagedTeam(db, user, teamId, "UserNotTeamManager");
  const target = input.organisationId ?? input.organisation;
  let organisationId: number | undefined;
  if (target !== undefined) {
    const org = typeof target === "number" ? await findOrganisation(db, target) : await findOrganisationByName(db, target);
    if (!org) throw notFound(`Organisation ${target} not found`);
    if (!(await managesOrganisation(db, user, org.id))) throw forbidden("User is not a manager of the new organisation", "UserNotOrgAdmin");
    organisationId = org.id;
  }
  const members = input.members?.length ? await resolveMembers(db, input.members) : undefined;
  await db.transaction().execute(async (tx) => {
    await lockTeam(tx, teamId);
    await updateTeamRow(tx, teamId, { ...columns(input), ...(organisationId !== undefined && { organisation_id: organisationId }) });
    if (!members) return;
    await removeMembersExcept(tx, teamId, members.map((m) => m.userId));
    for (const m of members) {
      await upsertMember(tx, {
        team_id: teamId,
        user_id: m.userId,
        ...(m.function !== undefined && { function: m.function }),
        ...(m.active !== undefined && { active: m.active }),
        ...(m.joinRequestNotifications !== undefined && { join_request_notifications: m.joinRequestNotifications }),
      });
    }
  });
}

/** Members by username; 404 UserNotFound naming any that does not exist. */
async function resolveMembers(db: DB, members: MemberInput[]) {
  const found = await usersByUsername(db, members.map((m) => m.username));
  const ids = new Map(found.map((u) => [u.username.toLowerCase(), u.id]));
  const missing = members.filter((m) => !ids.has(m.username.toLowerCase())).map((m) => m.username);
  if (missing.length) throw notFound(`members: unknown user(s) ${missing.join(", ")}`, "UserNotFound");
  return members.map((m) => ({ ...m, userId: ids.get(m.username.toLowerCase())! }));
}

/** Team managers delete a team; refused (400) while it is linked to projects, as officially. */
export async function deleteTeam(db: DB, user: UserRow, teamId: number): Promise<void> {
  await requireManagedTeam(db, user, teamId, "UserNotTeamManager");
  await db.transaction().execute(async (tx) => {
    await lockTeam(tx, teamId);
    if ((await countProjectsOfTeam(tx, teamId)) > 0) {
      throw badRequest("Team has projects, cannot be deleted. Unlink its projects first.", "InvalidRequest");
    }
    await deleteTeamRow(tx, teamId);
  });
}

// ---- membership --------------------------------------------------------------------------------------

/** An in-app notice about a team, written in the caller's transaction. */
function teamNotice(db: DB, input: { to: number; from: number; type: MessageType; subject: string; message: string }) {
  return insertMessage(db, {
    to_user_id: input.to,
    from_user_id: input.from,
    project_id: null,
    task_id: null,
    message_type: input.type,
    subject: input.subject,
    message: input.message,
    idempotency_key: `team-notice/${randomUUID()}`,
  });
}

/**
 * POST join (official request_to_join_team): a team manager joins at once; a BY_INVITE team cannot be
 * joined; an ANY team takes the user as an active member; a BY_REQUEST team records a pending request
 * and tells the managers who want join-request notices.
 */
export async function requestToJoin(db: DB, user: UserRow, teamId: number): Promise<void> {
  const team = await requireTeam(db, teamId);
  const manager = await managesTeam(db, user, team);
  await db.transaction().execute(async (tx) => {
    await lockTeam(tx, teamId);
    if (await findMember(tx, teamId, user.id)) {
      throw badRequest("The user is already a member of the team or has requested to join.", "InvalidRequest");
    }
    if (!manager && team.join_method === "BY_INVITE") throw badRequest("Team join method is BY_INVITE", "InvalidRequest");
    const active = manager || team.join_method === "ANY";
    await upsertMember(tx, { team_id: teamId, user_id: user.id, function: "MEMBER", active });
    if (active) return;
    for (const managerId of await managersWantingJoinRequests(tx, teamId)) {
      await teamNotice(tx, {
        to: managerId,
        from: user.id,
        type: "REQUEST_TEAM_NOTIFICATION",
        subject: `${user.username} requested to join ${team.name}`,
        message: `${user.username} has requested to join the ${team.name} team. Accept or reject the request on the team's page.`,
      });
    }
  });
}

/** PATCH join: a team manager accepts (the member becomes active) or rejects (the request is removed) a request. */
export async function answerJoinRequest(db: DB, manager: UserRow, teamId: number, input: { username: string; action: "accept" | "reject" }): Promise<void> {
  const team = await requireTeam(db, teamId);
  if (!(await managesTeam(db, manager, team))) {
    throw forbidden("You don't have permissions to approve this join team request", "ApproveJoinError");
  }
  const requester = await requireUserNamed(db, input.username);
  await db.transaction().execute(async (tx) => {
    await lockTeam(tx, teamId);
    const member = await findMember(tx, teamId, requester.id);
    if (!member) throw notFound(`${requester.username} has not requested to join team ${teamId}`);
    if (input.action === "accept") await upsertMember(tx, { team_id: teamId, user_id: requester.id, active: true });
    else await deleteMember(tx, teamId, requester.id);
    const verdict = input.action === "accept" ? "accepted" : "rejected";
    await teamNotice(tx, {
      to: requester.id,
      from: manager.id,
      type: "REQUEST_TEAM_NOTIFICATION",
      subject: `Your request to join ${team.name} has been ${verdict}`,
      message: `${manager.username} has ${verdict} your request to join the ${team.name} team.`,
    });
  });
}

/** POST add: a team manager adds a user (active at once) or changes an existing member's function. */
export async function addMember(db: DB, manager: UserRow, teamId: number, input: { username: string; role?: TeamMemberFunction }): Promise<void> {
  const team = await requireManagedTeam(db, manager, teamId, "UserNotTeamManager");
  const user = await requireUserNamed(db, input.username);
  await db.transaction().execute(async (tx) => {
    await lockTeam(tx, teamId);
    const existing = await findMember(tx, teamId, user.id);
    const fn = input.role ?? existing?.function ?? "MEMBER";
    await upsertMember(tx, { team_id: teamId, user_id: user.id, function: fn, active: true });
    if (existing?.active) return;
    await teamNotice(tx, {
      to: user.id,
      from: manager.id,
      type: "INVITATION_NOTIFICATION",
      subject: `You have been added to team ${team.name}`,
      message: `${manager.username} has added you to the ${team.name} team as ${fn}.`,
    });
  });
}

/** POST leave: users leave by themselves; team managers remove anyone (404 when not a member). */
export async function removeMember(db: DB, caller: UserRow, teamId: number, username: string): Promise<void> {
  const team = await requireTeam(db, teamId);
  const self = caller.username.toLowerCase() === username.toLowerCase();
  if (!self && !(await managesTeam(db, caller, team))) {
    throw forbidden(`You don't have permissions to remove ${username} from this team.`, "RemoveUserError");
  }
  const user = await requireUserNamed(db, username);
  if (!(await deleteMember(db, teamId, user.id))) throw notFound(`${username} is not a member of team ${teamId}`);
}

/** GET join_requests: the team's pending requests as the official CSV, or the official message when there are none. */
export function joinRequestsCsv(rows: { username: string; joined_date: Date }[], teamName: string): string {
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [["Username", "Application Date (UTC)", "Team Name"]];
  for (const r of rows) lines.push([r.username, r.joined_date.toISOString().slice(0, 19), teamName]);
  return lines.map((l) => l.map(quote).join(",")).join("\r\n") + "\r\n";
}
