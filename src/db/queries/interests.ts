import { sql } from "kysely";
import type { DB } from "../database";

export interface InterestWithCounts {
  id: number;
  name: string;
  countProjects: number;
  countUsers: number;
}

function selectInterests(db: DB) {
  return db
    .selectFrom("interests as i")
    .select([
      "i.id",
      "i.name",
      sql<number>`(SELECT count(*)::int FROM project_interests pi WHERE pi.interest_id = i.id)`.as("countProjects"),
      sql<number>`(SELECT count(*)::int FROM user_interests ui WHERE ui.interest_id = i.id)`.as("countUsers"),
    ]);
}

export function listInterests(db: DB): Promise<InterestWithCounts[]> {
  return selectInterests(db).orderBy("i.name").execute();
}

export function findInterest(db: DB, id: number): Promise<InterestWithCounts | undefined> {
  return selectInterests(db).where("i.id", "=", id).executeTakeFirst();
}

export function insertInterest(db: DB, name: string): Promise<{ id: number; name: string }> {
  return db.insertInto("interests").values({ name }).returning(["id", "name"]).executeTakeFirstOrThrow();
}

export async function renameInterest(db: DB, id: number, name: string): Promise<boolean> {
  const result = await db.updateTable("interests").set({ name }).where("id", "=", id).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** True when it existed; the project and user links go with it (ON DELETE CASCADE). */
export async function deleteInterest(db: DB, id: number): Promise<boolean> {
  const result = await db.deleteFrom("interests").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
