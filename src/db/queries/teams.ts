import { type Insertable, sql, type Updateable } from "kysely";
import type { DB } from "../database";
import type { TeamMemberFunction, TeamMembersTable, TeamRole, TeamRow, TeamsTable } from "../schema";

export function findTeam(db: DB, teamId: number): Promise<TeamRow | undefined> {
  return db.selectFrom("teams").selectAll().where("id", "=", teamId).executeTakeFirst();
}

/** An organisation by its exact name (the official UpdateTeamDTO names it so). */
export function findOrganisationByName(db: DB, name: string) {
  return db.selectFrom("organisations").select(["id", "name"]).where("name", "=", name).executeTakeFirst();
}

/** Locks the team row, so that concurrent deletes, links and membership changes are decided one after the other. */
export function lockTeam(db: DB, teamId: number): Promise<TeamRow | undefined> {
  return db.selectFrom("teams").selectAll().where("id", "=", teamId).forUpdate().executeTakeFirst();
}

export interface TeamFilter {
  /** Case-insensitive substring of the name. */
  name?: string;
  organisationId?: number;
  /** Teams the user is an active member of. */
  memberId?: number;
  /** Teams the user manages: as an active MANAGER, or as a manager of the team's organisation. */
  managerId?: number;
  /** Teams the user has asked to join (a pending, inactive membership). */
  requestedById?: number;
  /** Teams linked to at least one project with this role. */
  projectRole?: TeamRole;
  /** Private teams are listed only to their members and their organisation's managers; undefined lists all (admins). */
  visibleTo?: number;
}

/** The list's teams with their organisation, by name. */
function filteredTeams(db: DB, f: TeamFilter) {
  const membership = (userId: number, active: boolean, fn?: TeamMemberFunction) =>
    db
      .selectFrom("team_members")
      .select("team_id")
      .where("user_id", "=", userId)
      .where("active", "=", active)
      .$if(fn !== undefined, (qb) => qb.where("function", "=", fn!));
  const managedOrganisations = (userId: number) =>
    db.selectFrom("organisation_managers").select("organisation_id").where("user_id", "=", userId);
  return db
    .selectFrom("teams as t")
    .innerJoin("organisations as o", "o.id", "t.organisation_id")
    .$if(f.name !== undefined, (qb) => qb.where("t.name", "ilike", `%${escapeLike(f.name!)}%`))
    .$if(f.organisationId !== undefined, (qb) => qb.where("t.organisation_id", "=", f.organisationId!))
    .$if(f.memberId !== undefined, (qb) => qb.where("t.id", "in", membership(f.memberId!, true)))
    .$if(f.requestedById !== undefined, (qb) => qb.where("t.id", "in", membership(f.requestedById!, false)))
    .$if(f.managerId !== undefined, (qb) =>
      qb.where((eb) => eb.or([eb("t.id", "in", membership(f.managerId!, true, "MANAGER")), eb("t.organisation_id", "in", managedOrganisations(f.managerId!))])),
    )
    .$if(f.projectRole !== undefined, (qb) =>
      qb.where("t.id", "in", db.selectFrom("project_teams").select("team_id").where("role", "=", f.projectRole!)),
    )
    .$if(f.visibleTo !== undefined, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb("t.visibility", "=", "PUBLIC"),
          eb("t.id", "in", db.selectFrom("team_members").select("team_id").where("user_id", "=", f.visibleTo!)),
          eb("t.organisation_id", "in", managedOrganisations(f.visibleTo!)),
        ]),
      ),
    );
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const TEAM_COLUMNS = [
  "t.id", "t.organisation_id", "t.name", "t.logo", "t.description", "t.join_method", "t.visibility",
  "o.name as organisation_name", "o.slug as organisation_slug", "o.logo as organisation_logo",
] as const;

export async function listTeams(db: DB, filter: TeamFilter, page?: { page: number; perPage: number }) {
  const [rows, total] = await Promise.all([
    filteredTeams(db, filter)
      .select(TEAM_COLUMNS)
      .orderBy("t.name")
      .orderBy("t.id")
      .$if(page !== undefined, (qb) => qb.limit(page!.perPage).offset((page!.page - 1) * page!.perPage))
      .execute(),
    page ? filteredTeams(db, filter).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow() : undefined,
  ]);
  return { rows, total: total ? Number(total.n) : rows.length };
}

export type TeamWithOrganisation = Awaited<ReturnType<typeof listTeams>>["rows"][number];

export function findTeamWithOrganisation(db: DB, teamId: number): Promise<TeamWithOrganisation | undefined> {
  return db
    .selectFrom("teams as t")
    .innerJoin("organisations as o", "o.id", "t.organisation_id")
    .select(TEAM_COLUMNS)
    .where("t.id", "=", teamId)
    .executeTakeFirst();
}

/**
 * Members of the teams, managers first then by username. With `perFunction`, only the first
 * active managers and members of each team (the list's abbreviated member lists).
 */
export async function membersOf(db: DB, teamIds: number[], options: { perFunction?: number } = {}) {
  if (teamIds.length === 0) return [];
  const ranked = db
    .selectFrom("team_members as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select([
      "m.team_id", "m.user_id", "u.username", "u.picture_url", "m.function", "m.active", "m.join_request_notifications", "m.joined_date",
      sql<number>`row_number() OVER (PARTITION BY m.team_id, m.function, m.active ORDER BY u.username)`.as("rank"),
    ])
    .where("m.team_id", "in", teamIds);
  return db
    .selectFrom(ranked.as("r"))
    .selectAll()
    .$if(options.perFunction !== undefined, (qb) => qb.where("r.active", "=", true).where("r.rank", "<=", options.perFunction!))
    .orderBy("r.team_id")
    .orderBy(sql`r.function = 'MANAGER'`, "desc")
    .orderBy("r.username")
    .execute();
}

export type TeamMemberRow = Awaited<ReturnType<typeof membersOf>>[number];

/** Active members and managers of each team. */
export async function memberCounts(db: DB, teamIds: number[]): Promise<Map<number, { members: number; managers: number }>> {
  const counts = new Map<number, { members: number; managers: number }>();
  if (teamIds.length === 0) return counts;
  const rows = await db
    .selectFrom("team_members")
    .select([
      "team_id",
      sql<number>`count(*) FILTER (WHERE function = 'MEMBER')::int`.as("members"),
      sql<number>`count(*) FILTER (WHERE function = 'MANAGER')::int`.as("managers"),
    ])
    .where("team_id", "in", teamIds)
    .where("active", "=", true)
    .groupBy("team_id")
    .execute();
  for (const r of rows) counts.set(r.team_id, { members: r.members, managers: r.managers });
  return counts;
}

/** The name of a project in its default locale. */
const projectName = sql<string | null>`(SELECT pi.name FROM projects p JOIN project_info pi ON pi.project_id = p.id AND pi.locale = p.default_locale WHERE p.id = pt.project_id)`;

/** The projects a team is linked to, with the team's role there. */
export function projectsOfTeam(db: DB, teamId: number) {
  return db
    .selectFrom("project_teams as pt")
    .select(["pt.project_id", "pt.role", projectName.as("project_name")])
    .where("pt.team_id", "=", teamId)
    .orderBy("pt.project_id")
    .execute();
}

/** The teams linked to each project (official ProjectTeamDTO fields), by name. */
export function teamsOfProjects(db: DB, projectIds: number[]) {
  if (projectIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("project_teams as pt")
    .innerJoin("teams as t", "t.id", "pt.team_id")
    .select(["pt.project_id", "pt.team_id as teamId", "t.name", "pt.role"])
    .where("pt.project_id", "in", projectIds)
    .orderBy("t.name")
    .orderBy("pt.team_id")
    .execute();
}

export function findMember(db: DB, teamId: number, userId: number) {
  return db.selectFrom("team_members").selectAll().where("team_id", "=", teamId).where("user_id", "=", userId).executeTakeFirst();
}

/** Adds a member, or changes an existing one (e.g. a pending request turned active by a manager). */
export async function upsertMember(db: DB, member: Insertable<TeamMembersTable>): Promise<void> {
  const { team_id: _team, user_id: _user, ...changes } = member;
  const query = db.insertInto("team_members").values(member);
  await (Object.keys(changes).length
    ? query.onConflict((oc) => oc.columns(["team_id", "user_id"]).doUpdateSet(changes))
    : query.onConflict((oc) => oc.columns(["team_id", "user_id"]).doNothing())
  ).execute();
}

/** False when the user was not a member (nor had asked to be one). */
export async function deleteMember(db: DB, teamId: number, userId: number): Promise<boolean> {
  const result = await db.deleteFrom("team_members").where("team_id", "=", teamId).where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Leaves exactly these users in the team (the others are removed). */
export async function removeMembersExcept(db: DB, teamId: number, keepUserIds: number[]): Promise<void> {
  await db
    .deleteFrom("team_members")
    .where("team_id", "=", teamId)
    .$if(keepUserIds.length > 0, (qb) => qb.where("user_id", "not in", keepUserIds))
    .execute();
}

/** The active managers of a team who asked to hear about join requests. */
export async function managersWantingJoinRequests(db: DB, teamId: number): Promise<number[]> {
  const rows = await db
    .selectFrom("team_members")
    .select("user_id")
    .where("team_id", "=", teamId)
    .where("function", "=", "MANAGER")
    .where("active", "=", true)
    .where("join_request_notifications", "=", true)
    .execute();
  return rows.map((r) => r.user_id);
}

/** Pending join requests of a team: who asked and when. */
export function joinRequestsOf(db: DB, teamId: number) {
  return db
    .selectFrom("team_members as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["u.username", "m.joined_date"])
    .where("m.team_id", "=", teamId)
    .where("m.active", "=", false)
    .orderBy("m.joined_date")
    .orderBy("u.username")
    .execute();
}

export async function insertTeamRow(db: DB, values: Insertable<TeamsTable>): Promise<number> {
  const row = await db.insertInto("teams").values(values).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

export async function updateTeamRow(db: DB, teamId: number, values: Updateable<TeamsTable>): Promise<void> {
  if (Object.keys(values).length > 0) await db.updateTable("teams").set(values).where("id", "=", teamId).execute();
}

export async function deleteTeamRow(db: DB, teamId: number): Promise<void> {
  await db.deleteFrom("teams").where("id", "=", teamId).execute();
}

export async function countProjectsOfTeam(db: DB, teamId: number): Promise<number> {
  const row = await db.selectFrom("project_teams").select((eb) => eb.fn.countAll<number>().as("n")).where("team_id", "=", teamId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function findProjectTeam(db: DB, projectId: number, teamId: number) {
  return db.selectFrom("project_teams").selectAll().where("project_id", "=", projectId).where("team_id", "=", teamId).executeTakeFirst();
}

/** Links a team to a project; false when it was already linked. */
export async function insertProjectTeam(db: DB, projectId: number, teamId: number, role: TeamRole): Promise<boolean> {
  const rows = await db
    .insertInto("project_teams")
    .values({ project_id: projectId, team_id: teamId, role })
    .onConflict((oc) => oc.columns(["team_id", "project_id"]).doNothing())
    .returning("team_id")
    .execute();
  return rows.length > 0;
}

/** False when the team is not linked to the project. */
export async function updateProjectTeamRole(db: DB, projectId: number, teamId: number, role: TeamRole): Promise<boolean> {
  const result = await db.updateTable("project_teams").set({ role }).where("project_id", "=", projectId).where("team_id", "=", teamId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** False when the team was not linked to the project. */
export async function deleteProjectTeam(db: DB, projectId: number, teamId: number): Promise<boolean> {
  const result = await db.deleteFrom("project_teams").where("project_id", "=", projectId).where("team_id", "=", teamId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function projectIdsOfTeam(db: DB, teamId: number): Promise<number[]> {
  const rows = await db.selectFrom("project_teams").select("project_id").where("team_id", "=", teamId).orderBy("project_id").execute();
  return rows.map((r) => r.project_id);
}

/** The project's team permissions, its row locked so that concurrent unlinks are decided one after the other. */
export function lockProjectPermissions(db: DB, projectId: number) {
  return db
    .selectFrom("projects")
    .select(["id", "mapping_permission", "validation_permission"])
    .where("id", "=", projectId)
    .forUpdate()
    .executeTakeFirst();
}

/** The roles of the teams still linked to a project. */
export async function linkedRoles(db: DB, projectId: number): Promise<TeamRole[]> {
  const rows = await db.selectFrom("project_teams").select("role").where("project_id", "=", projectId).execute();
  return rows.map((r) => r.role);
}
