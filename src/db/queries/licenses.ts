import type { Insertable, Selectable, Updateable } from "kysely";
import type { DB } from "../database";
import type { LicensesTable } from "../schema";

export type LicenseRow = Selectable<LicensesTable>;

export function listLicenses(db: DB): Promise<LicenseRow[]> {
  return db.selectFrom("licenses").selectAll().orderBy("id").execute();
}

export function findLicense(db: DB, id: number): Promise<LicenseRow | undefined> {
  return db.selectFrom("licenses").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function insertLicense(db: DB, values: Insertable<LicensesTable>): Promise<number> {
  const row = await db.insertInto("licenses").values(values).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

export function updateLicense(db: DB, id: number, values: Updateable<LicensesTable>): Promise<LicenseRow | undefined> {
  return db.updateTable("licenses").set(values).where("id", "=", id).returningAll().executeTakeFirst();
}

/** True when a license was deleted (projects using it keep no license: ON DELETE SET NULL). */
export async function deleteLicense(db: DB, id: number): Promise<boolean> {
  const result = await db.deleteFrom("licenses").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Records that a user accepted a license; accepting twice is a no-op. */
export async function acceptLicense(db: DB, userId: number, licenseId: number): Promise<void> {
  await db
    .insertInto("user_licenses")
    .values({ user_id: userId, license_id: licenseId })
    .onConflict((oc) => oc.columns(["user_id", "license_id"]).doNothing())
    .execute();
}

export async function hasUserAcceptedLicense(db: DB, userId: number, licenseId: number): Promise<boolean> {
  const row = await db
    .selectFrom("user_licenses")
    .select("license_id")
    .where("user_id", "=", userId)
    .where("license_id", "=", licenseId)
    .executeTakeFirst();
  return row !== undefined;
}
