import type { DB } from "../db/database";
import type { ProjectRow, UserRow } from "../db/schema";
import { forbidden } from "./errors";

/**
 * Who may do what. Every route and activity asks here, so the rules live in one place and grow
 * (teams arrive in a later issue) without touching their callers.
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

/** A project manager: an admin, or a manager of the organisation that owns the project. */
export function managesProject(db: DB, user: UserRow | undefined, project: Pick<ProjectRow, "organisation_id">): Promise<boolean> {
  return managesOrganisation(db, user, project.organisation_id);
}

/** Private projects are visible to their managers and to the users on their allowed list. */
export async function maySeePrivateProject(db: DB, user: UserRow | undefined, project: Pick<ProjectRow, "id" | "organisation_id">): Promise<boolean> {
  if (!user) return false;
  if (await managesProject(db, user, project)) return true;
  const allowed = await db
    .selectFrom("project_allowed_users")
    .select("user_id")
    .where("project_id", "=", project.id)
    .where("user_id", "=", user.id)
    .executeTakeFirst();
  return allowed !== undefined;
}
