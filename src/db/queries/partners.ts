import { type Insertable, type Selectable, sql, type Updateable } from "kysely";
import type { DB } from "../database";
import type { PartnersTable, ProjectPartnershipsTable } from "../schema";

export type PartnerRow = Selectable<PartnersTable>;
export type PartnershipRow = Selectable<ProjectPartnershipsTable>;

export function listPartners(db: DB): Promise<PartnerRow[]> {
  return db.selectFrom("partners").selectAll().orderBy("id").execute();
}

export function findPartner(db: DB, id: number): Promise<PartnerRow | undefined> {
  return db.selectFrom("partners").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findPartnerByPermalink(db: DB, permalink: string): Promise<PartnerRow | undefined> {
  return db.selectFrom("partners").selectAll().where("permalink", "=", permalink).executeTakeFirst();
}

export function insertPartner(db: DB, values: Insertable<PartnersTable>): Promise<PartnerRow> {
  return db.insertInto("partners").values(values).returningAll().executeTakeFirstOrThrow();
}

export function updatePartner(db: DB, id: number, values: Updateable<PartnersTable>): Promise<PartnerRow | undefined> {
  return db.updateTable("partners").set(values).where("id", "=", id).returningAll().executeTakeFirst();
}

/** True when a partner was deleted; its partnerships go with it (their history stays). */
export async function deletePartner(db: DB, id: number): Promise<boolean> {
  const result = await db.deleteFrom("partners").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export function findPartnership(db: DB, id: number): Promise<PartnershipRow | undefined> {
  return db.selectFrom("project_partnerships").selectAll().where("id", "=", id).executeTakeFirst();
}

export function partnershipsOfProject(db: DB, projectId: number): Promise<PartnershipRow[]> {
  return db.selectFrom("project_partnerships").selectAll().where("project_id", "=", projectId).orderBy("started_on").orderBy("id").execute();
}

type Range = { startedOn: Date; endedOn: Date | null };

/** Links a partner to a project and records it in the history, in one transaction. */
export function insertPartnership(db: DB, input: { projectId: number; partnerId: number } & Range): Promise<PartnershipRow> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("project_partnerships")
      .values({ project_id: input.projectId, partner_id: input.partnerId, started_on: input.startedOn, ended_on: input.endedOn })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("project_partnership_history")
      .values({ partnership_id: row.id, project_id: row.project_id, partner_id: row.partner_id, started_on_new: row.started_on, ended_on_new: row.ended_on, action: "CREATE" })
      .execute();
    return row;
  });
}

/** Changes a partnership's date range, recording old and new in the history; undefined when it is gone. */
export function updatePartnershipRange(db: DB, id: number, range: Range): Promise<PartnershipRow | undefined> {
  return db.transaction().execute(async (trx) => {
    const old = await trx.selectFrom("project_partnerships").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
    if (!old) return undefined;
    const row = await trx
      .updateTable("project_partnerships")
      .set({ started_on: range.startedOn, ended_on: range.endedOn })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("project_partnership_history")
      .values({
        partnership_id: id,
        project_id: row.project_id,
        partner_id: row.partner_id,
        started_on_old: old.started_on,
        ended_on_old: old.ended_on,
        started_on_new: row.started_on,
        ended_on_new: row.ended_on,
        action: "UPDATE",
      })
      .execute();
    return row;
  });
}

/** Deletes a partnership, recording it in the history; false when it was already gone. */
export function deletePartnership(db: DB, id: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.deleteFrom("project_partnerships").where("id", "=", id).returningAll().executeTakeFirst();
    if (!row) return false;
    await trx
      .insertInto("project_partnership_history")
      .values({ partnership_id: id, project_id: row.project_id, partner_id: row.partner_id, started_on_old: row.started_on, ended_on_old: row.ended_on, action: "DELETE" })
      .execute();
    return true;
  });
}

/** The names of the partners each project is linked to now (partnership started and not ended). */
export async function currentPartnerNames(db: DB, projectIds: number[]): Promise<Map<number, string[]>> {
  const byProject = new Map<number, string[]>();
  if (!projectIds.length) return byProject;
  const rows = await db
    .selectFrom("project_partnerships as pp")
    .innerJoin("partners", "partners.id", "pp.partner_id")
    .select(["pp.project_id", "partners.name"])
    .distinct()
    .where("pp.project_id", "in", projectIds)
    .where("pp.started_on", "<=", sql<Date>`now()`)
    .where((eb) => eb.or([eb("pp.ended_on", "is", null), eb("pp.ended_on", ">", sql<Date>`now()`)]))
    .orderBy("partners.name")
    .execute();
  for (const row of rows) byProject.set(row.project_id, [...(byProject.get(row.project_id) ?? []), row.name]);
  return byProject;
}
