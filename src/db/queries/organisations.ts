import { type Insertable, sql, type Updateable } from "kysely";
import type { DB } from "../database";
import type { OrganisationRow, OrganisationsTable } from "../schema";
import { linkCampaign as linkCampaignTo, ORGANISATION_CAMPAIGNS, unlinkCampaign as unlinkCampaignFrom } from "./campaigns";

/** A numeric id or a slug: the official API addresses an organisation by either. */
export function findOrganisation(db: DB, idOrSlug: number | string): Promise<OrganisationRow | undefined> {
  const query = db.selectFrom("organisations").selectAll();
  return (typeof idOrSlug === "number" ? query.where("id", "=", idOrSlug) : query.where("slug", "=", idOrSlug)).executeTakeFirst();
}

/** Every organisation by name, or only those a user manages. */
export function listOrganisations(db: DB, filter: { managerUserId?: number } = {}): Promise<OrganisationRow[]> {
  let query = db.selectFrom("organisations").selectAll().orderBy("name");
  if (filter.managerUserId !== undefined) {
    const managerUserId = filter.managerUserId;
    query = query.where("id", "in", (eb) =>
      eb.selectFrom("organisation_managers").select("organisation_id").where("user_id", "=", managerUserId),
    );
  }
  return query.execute();
}

export interface OrganisationManager {
  organisationId: number;
  username: string;
  pictureUrl: string | null;
}

export function managersOf(db: DB, organisationIds: number[]): Promise<OrganisationManager[]> {
  if (organisationIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("organisation_managers as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["m.organisation_id as organisationId", "u.username", "u.picture_url as pictureUrl"])
    .where("m.organisation_id", "in", organisationIds)
    .orderBy("u.username")
    .execute();
}

/** Users by username (case-insensitive, as logins are). */
export function usersByUsername(db: DB, usernames: string[]): Promise<{ id: number; username: string }[]> {
  if (usernames.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("users")
    .select(["id", "username"])
    .where(sql`lower(username)`, "in", usernames.map((u) => u.toLowerCase()))
    .execute();
}

/** Names of an organisation's projects, in each project's default locale. */
export async function projectNamesOf(db: DB, organisationId: number): Promise<string[]> {
  const rows = await db
    .selectFrom("projects as p")
    .innerJoin("project_info as i", (join) => join.onRef("i.project_id", "=", "p.id").onRef("i.locale", "=", "p.default_locale"))
    .select("i.name")
    .where("p.organisation_id", "=", organisationId)
    .where("i.name", "is not", null)
    .orderBy("p.id")
    .execute();
  return rows.map((r) => r.name!);
}

export function campaignsOf(db: DB, organisationId: number): Promise<{ id: number; name: string }[]> {
  return db
    .selectFrom("campaign_organisations as co")
    .innerJoin("campaigns as c", "c.id", "co.campaign_id")
    .select(["c.id", "c.name"])
    .where("co.organisation_id", "=", organisationId)
    .orderBy("c.name")
    .execute();
}

export async function insertOrganisationRow(db: DB, values: Insertable<OrganisationsTable>): Promise<number> {
  const row = await db.insertInto("organisations").values(values).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

export async function updateOrganisationRow(db: DB, id: number, values: Updateable<OrganisationsTable>): Promise<void> {
  if (Object.keys(values).length > 0) await db.updateTable("organisations").set(values).where("id", "=", id).execute();
}

/** Makes exactly these users the organisation's managers. */
export async function replaceManagers(db: DB, organisationId: number, userIds: number[]): Promise<void> {
  await db.deleteFrom("organisation_managers").where("organisation_id", "=", organisationId).execute();
  if (userIds.length === 0) return;
  await db
    .insertInto("organisation_managers")
    .values(userIds.map((user_id) => ({ organisation_id: organisationId, user_id })))
    .execute();
}

/**
 * Locks the organisation row against new projects (their foreign key takes a share lock on it)
 * and answers whether it still has any; call inside the transaction that deletes it.
 */
export async function lockOrganisationAndCountProjects(db: DB, organisationId: number): Promise<number> {
  await db.selectFrom("organisations").select("id").where("id", "=", organisationId).forUpdate().execute();
  const row = await db
    .selectFrom("projects")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("organisation_id", "=", organisationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function deleteOrganisationRow(db: DB, organisationId: number): Promise<void> {
  await db.deleteFrom("organisations").where("id", "=", organisationId).execute();
}

export async function campaignExists(db: DB, campaignId: number): Promise<boolean> {
  return (await db.selectFrom("campaigns").select("id").where("id", "=", campaignId).executeTakeFirst()) !== undefined;
}

/** Links a campaign to an organisation; false when they were already linked. */
export function linkCampaign(db: DB, organisationId: number, campaignId: number): Promise<boolean> {
  return linkCampaignTo(db, ORGANISATION_CAMPAIGNS, organisationId, campaignId);
}

/** False when they were not linked. */
export function unlinkCampaign(db: DB, organisationId: number, campaignId: number): Promise<boolean> {
  return unlinkCampaignFrom(db, ORGANISATION_CAMPAIGNS, organisationId, campaignId);
}

export interface OrganisationStats {
  projects: { draft: number; published: number; archived: number; recent: number; stale: number };
  activeTasks: {
    ready: number;
    lockedForMapping: number;
    lockedForValidation: number;
    mapped: number;
    validated: number;
    invalidated: number;
    badImagery: number;
  };
}

/**
 * The official organisation statistics, for many organisations in two queries: projects by status
 * (recent = published this calendar year, stale = published but untouched for six months) and the
 * tasks of published projects by status.
 */
export async function organisationStats(db: DB, organisationIds: number[]): Promise<Map<number, OrganisationStats>> {
  const stats = new Map<number, OrganisationStats>();
  if (organisationIds.length === 0) return stats;
  const ids = sql.join(organisationIds);
  const projects = await sql<{ organisation_id: number } & OrganisationStats["projects"]>`
    SELECT o.id AS organisation_id,
           count(p.id) FILTER (WHERE p.status = 'DRAFT')::int AS draft,
           count(p.id) FILTER (WHERE p.status = 'PUBLISHED')::int AS published,
           count(p.id) FILTER (WHERE p.status = 'ARCHIVED')::int AS archived,
           count(p.id) FILTER (WHERE p.status = 'PUBLISHED' AND p.created >= date_trunc('year', now()))::int AS recent,
           count(p.id) FILTER (WHERE p.status = 'PUBLISHED' AND p.last_updated < now() - interval '6 months')::int AS stale
    FROM unnest(ARRAY[${ids}]::int[]) AS o (id)
    LEFT JOIN projects p ON p.organisation_id = o.id
    GROUP BY o.id
  `.execute(db);
  const tasks = await sql<{ organisation_id: number } & OrganisationStats["activeTasks"]>`
    SELECT o.id AS organisation_id,
           count(t.id) FILTER (WHERE t.task_status = 'READY')::int AS ready,
           count(t.id) FILTER (WHERE t.task_status = 'LOCKED_FOR_MAPPING')::int AS "lockedForMapping",
           count(t.id) FILTER (WHERE t.task_status = 'LOCKED_FOR_VALIDATION')::int AS "lockedForValidation",
           count(t.id) FILTER (WHERE t.task_status = 'MAPPED')::int AS mapped,
           count(t.id) FILTER (WHERE t.task_status = 'VALIDATED')::int AS validated,
           count(t.id) FILTER (WHERE t.task_status = 'INVALIDATED')::int AS invalidated,
           count(t.id) FILTER (WHERE t.task_status = 'BADIMAGERY')::int AS "badImagery"
    FROM unnest(ARRAY[${ids}]::int[]) AS o (id)
    LEFT JOIN projects p ON p.organisation_id = o.id AND p.status = 'PUBLISHED'
    LEFT JOIN tasks t ON t.project_id = p.id
    GROUP BY o.id
  `.execute(db);
  const activeTasks = new Map(tasks.rows.map(({ organisation_id, ...counts }) => [organisation_id, counts]));
  for (const { organisation_id, ...counts } of projects.rows) {
    stats.set(organisation_id, { projects: counts, activeTasks: activeTasks.get(organisation_id)! });
  }
  return stats;
}
