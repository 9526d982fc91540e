import { sql, type Updateable } from "kysely";
import type { DB } from "../database";
import type { MappingBadgeRow, MappingBadgesTable, MappingLevelRow, MappingLevelsTable } from "../schema";

export interface LevelWithBadges extends MappingLevelRow {
  required_badges: { id: number; name: string }[];
}

function levelsWithBadges(db: DB) {
  return db
    .selectFrom("mapping_levels as l")
    .selectAll("l")
    .select(
      sql<{ id: number; name: string }[]>`coalesce((
        SELECT json_agg(json_build_object('id', b.id, 'name', b.name) ORDER BY b.id)
        FROM mapping_level_badges lb JOIN mapping_badges b ON b.id = lb.badge_id
        WHERE lb.level_id = l.id), '[]'::json)`.as("required_badges"),
    );
}

export function listLevels(db: DB): Promise<LevelWithBadges[]> {
  return levelsWithBadges(db).orderBy("l.ordering").execute();
}

export function findLevel(db: DB, id: number): Promise<LevelWithBadges | undefined> {
  return levelsWithBadges(db).where("l.id", "=", id).executeTakeFirst();
}

export function findLevelByName(db: DB, name: string): Promise<MappingLevelRow | undefined> {
  return db.selectFrom("mapping_levels").selectAll().where(sql`upper(name)`, "=", name.toUpperCase()).executeTakeFirst();
}

/** The level ranked right above `ordering`, if any. */
export function nextLevelAfter(db: DB, ordering: number): Promise<MappingLevelRow | undefined> {
  return db.selectFrom("mapping_levels").selectAll().where("ordering", ">", ordering).orderBy("ordering").limit(1).executeTakeFirst();
}

export type LevelColumns = Updateable<MappingLevelsTable>;

/** A new level ranks above every existing one. */
export async function insertLevel(db: DB, values: LevelColumns & { name: string }): Promise<number> {
  const row = await db
    .insertInto("mapping_levels")
    .values({ ...values, ordering: sql<number>`(SELECT coalesce(max(ordering), 0) + 1 FROM mapping_levels)` })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateLevel(db: DB, id: number, values: LevelColumns): Promise<boolean> {
  if (Object.keys(values).length === 0) return (await db.selectFrom("mapping_levels").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
  const result = await db.updateTable("mapping_levels").set(values).where("id", "=", id).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Only one level is the beginners' level: marking one clears the flag on the others. */
export async function clearBeginnerExcept(db: DB, id: number): Promise<void> {
  await db.updateTable("mapping_levels").set({ is_beginner: false }).where("id", "!=", id).execute();
}

export async function setLevelBadges(db: DB, levelId: number, badgeIds: number[]): Promise<void> {
  await db.deleteFrom("mapping_level_badges").where("level_id", "=", levelId).execute();
  if (badgeIds.length) {
    await db.insertInto("mapping_level_badges").values([...new Set(badgeIds)].map((badge_id) => ({ level_id: levelId, badge_id }))).execute();
  }
}

export async function deleteLevel(db: DB, id: number): Promise<boolean> {
  const result = await db.deleteFrom("mapping_levels").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function countUsersAtLevel(db: DB, name: string): Promise<number> {
  const row = await db.selectFrom("users").select(sql<number>`count(*)::int`.as("n")).where("mapping_level", "=", name).executeTakeFirstOrThrow();
  return row.n;
}

export function listBadges(db: DB, options: { publicOnly?: boolean } = {}): Promise<MappingBadgeRow[]> {
  let query = db.selectFrom("mapping_badges").selectAll().orderBy("id");
  if (options.publicOnly) query = query.where("is_enabled", "=", true).where("is_internal", "=", false);
  return query.execute();
}

export function findBadge(db: DB, id: number): Promise<MappingBadgeRow | undefined> {
  return db.selectFrom("mapping_badges").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function existingBadgeIds(db: DB, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await db.selectFrom("mapping_badges").select("id").where("id", "in", ids).execute();
  return new Set(rows.map((r) => r.id));
}

export async function insertBadge(db: DB, values: Updateable<MappingBadgesTable> & { name: string }): Promise<MappingBadgeRow> {
  return db.insertInto("mapping_badges").values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateBadge(db: DB, id: number, values: Updateable<MappingBadgesTable>): Promise<MappingBadgeRow | undefined> {
  if (Object.keys(values).length === 0) return findBadge(db, id);
  return db.updateTable("mapping_badges").set(values).where("id", "=", id).returningAll().executeTakeFirst();
}

export async function deleteBadge(db: DB, id: number): Promise<boolean> {
  const result = await db.deleteFrom("mapping_badges").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export function badgesOfUser(db: DB, userId: number): Promise<MappingBadgeRow[]> {
  return db
    .selectFrom("user_badges as ub")
    .innerJoin("mapping_badges as b", "b.id", "ub.badge_id")
    .selectAll("b")
    .where("ub.user_id", "=", userId)
    .orderBy("ub.assigned_date")
    .orderBy("b.id")
    .execute();
}

/** Enabled badges the user has not earned yet. */
export function badgesNotYetEarned(db: DB, userId: number): Promise<MappingBadgeRow[]> {
  return db
    .selectFrom("mapping_badges as b")
    .selectAll("b")
    .where("b.is_enabled", "=", true)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("user_badges as ub").select("ub.badge_id").whereRef("ub.badge_id", "=", "b.id").where("ub.user_id", "=", userId))),
    )
    .execute();
}

export async function assignBadges(db: DB, userId: number, badgeIds: number[]): Promise<void> {
  if (!badgeIds.length) return;
  await db
    .insertInto("user_badges")
    .values(badgeIds.map((badge_id) => ({ user_id: userId, badge_id })))
    .onConflict((oc) => oc.columns(["user_id", "badge_id"]).doNothing())
    .execute();
}

/** Badges a level requires, with whether the user holds each. */
export function levelBadgesFor(db: DB, levelId: number, userId: number) {
  return db
    .selectFrom("mapping_level_badges as lb")
    .innerJoin("mapping_badges as b", "b.id", "lb.badge_id")
    .leftJoin("user_badges as ub", (j) => j.onRef("ub.badge_id", "=", "b.id").on("ub.user_id", "=", userId))
    .select(["b.id", "b.requirements", sql<boolean>`ub.user_id IS NOT NULL`.as("earned")])
    .where("lb.level_id", "=", levelId)
    .execute();
}
