import { type Insertable, type Selectable, sql, type Updateable } from "kysely";
import type { DB } from "../database";
import type { CampaignsTable } from "../schema";

export type CampaignRow = Selectable<CampaignsTable>;

/** Every campaign, by name (ListCampaignDTO). */
export function listCampaigns(db: DB): Promise<{ id: number; name: string }[]> {
  return db.selectFrom("campaigns").select(["id", "name"]).orderBy("name").execute();
}

export function findCampaign(db: DB, id: number): Promise<CampaignRow | undefined> {
  return db.selectFrom("campaigns").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Locks the campaign row for the rest of the transaction, so a concurrent delete cannot slip in
 * between an update's checks and its writes; false when it does not exist.
 */
export async function lockCampaign(db: DB, id: number): Promise<boolean> {
  return (await db.selectFrom("campaigns").select("id").where("id", "=", id).forUpdate().executeTakeFirst()) !== undefined;
}

export async function insertCampaignRow(db: DB, values: Insertable<CampaignsTable>): Promise<number> {
  return (await db.insertInto("campaigns").values(values).returning("id").executeTakeFirstOrThrow()).id;
}

export async function updateCampaignRow(db: DB, id: number, values: Updateable<CampaignsTable>): Promise<void> {
  if (Object.keys(values).length > 0) await db.updateTable("campaigns").set(values).where("id", "=", id).execute();
}

/** True when it existed; its project and organisation links go with it (ON DELETE CASCADE). */
export async function deleteCampaignRow(db: DB, id: number): Promise<boolean> {
  const result = await db.deleteFrom("campaigns").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The organisations taking part in a campaign, by name, as CampaignDTO lists them. */
export function organisationsOfCampaign(db: DB, campaignId: number) {
  return db
    .selectFrom("campaign_organisations as co")
    .innerJoin("organisations as o", "o.id", "co.organisation_id")
    .select(["o.id as organisationId", "o.name", "o.slug", "o.logo", "o.url"])
    .where("co.campaign_id", "=", campaignId)
    .orderBy("o.name")
    .execute();
}

/** Makes exactly these organisations the campaign's. */
export async function replaceCampaignOrganisations(db: DB, campaignId: number, organisationIds: number[]): Promise<void> {
  await db.deleteFrom("campaign_organisations").where("campaign_id", "=", campaignId).execute();
  const unique = [...new Set(organisationIds)];
  if (unique.length === 0) return;
  await db
    .insertInto("campaign_organisations")
    .values(unique.map((organisation_id) => ({ campaign_id: campaignId, organisation_id })))
    .execute();
}

/** The two ways a campaign is linked: to projects and to organisations. */
export type CampaignLink = { table: "campaign_projects"; column: "project_id" } | { table: "campaign_organisations"; column: "organisation_id" };
export const PROJECT_CAMPAIGNS: CampaignLink = { table: "campaign_projects", column: "project_id" };
export const ORGANISATION_CAMPAIGNS: CampaignLink = { table: "campaign_organisations", column: "organisation_id" };

/** Links a campaign to a project or organisation; false when they were already linked. */
export async function linkCampaign(db: DB, link: CampaignLink, ownerId: number, campaignId: number): Promise<boolean> {
  const { rows } = await sql`
    INSERT INTO ${sql.table(link.table)} (campaign_id, ${sql.ref(link.column)}) VALUES (${campaignId}, ${ownerId})
    ON CONFLICT DO NOTHING RETURNING campaign_id
  `.execute(db);
  return rows.length > 0;
}

/** False when they were not linked. */
export async function unlinkCampaign(db: DB, link: CampaignLink, ownerId: number, campaignId: number): Promise<boolean> {
  const result = await sql`
    DELETE FROM ${sql.table(link.table)} WHERE campaign_id = ${campaignId} AND ${sql.ref(link.column)} = ${ownerId}
  `.execute(db);
  return (result.numAffectedRows ?? 0n) > 0n;
}
