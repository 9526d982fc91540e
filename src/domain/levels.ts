import type { DB } from "../db/database";
import {
  assignBadges, badgesNotYetEarned, findLevelByName, levelBadgesFor, type LevelWithBadges, nextLevelAfter,
} from "../db/queries/levels";
import type { MappingBadgeRow, UserRow } from "../db/schema";
import { badRequest, forbidden } from "./errors";

/** Statistic name → value, as ohsome reports a user's contributions (plus OSM's changeset count). */
export type UserStatistics = Record<string, number>;

export function toMappingLevelDTO(level: LevelWithBadges) {
  return {
    id: level.id,
    name: level.name,
    imagePath: level.image_path,
    approvalsRequired: level.approvals_required,
    color: level.color,
    ordering: level.ordering,
    isBeginner: level.is_beginner,
    requiredBadges: level.required_badges,
  };
}

export const toMappingBadgePublicDTO = (badge: MappingBadgeRow) => ({
  id: badge.id,
  name: badge.name,
  description: badge.description,
  imagePath: badge.image_path,
});

export const toMappingBadgeDTO = (badge: MappingBadgeRow) => ({
  ...toMappingBadgePublicDTO(badge),
  requirements: badge.requirements,
  isEnabled: badge.is_enabled,
  isInternal: badge.is_internal,
});

/**
 * A badge's requirements: a JSON object of statistic names to the (non-negative) values needed.
 * Throws 400 InvalidData on anything else, so only well-formed requirements are stored.
 */
export function parseRequirements(text: string | null): Record<string, number> {
  if (text === null || text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest("requirements must be a JSON object such as {\"changeset\": 100}");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw badRequest("requirements must be a JSON object of statistic names to numbers");
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw badRequest(`requirements.${key} must be a non-negative number`);
    }
  }
  return parsed as Record<string, number>;
}

const satisfies = (requirements: string | null, stats: UserStatistics) =>
  Object.entries(parseRequirements(requirements)).every(([key, needed]) => (stats[key] ?? 0) >= needed);

async function currentLevel(db: DB, user: UserRow) {
  const level = await findLevelByName(db, user.mapping_level);
  if (!level) throw new Error(`User ${user.id} holds unknown mapping level ${user.mapping_level}`);
  return level;
}

async function notifyLevelUpgrade(db: DB, user: UserRow, levelName: string): Promise<void> {
  await db
    .insertInto("messages")
    .values({
      to_user_id: user.id,
      message_type: "SYSTEM",
      subject: `Congratulations, you're now an ${levelName} mapper.`,
      message: `Hi ${user.username}, your mapping level is now ${levelName}. Thank you for mapping!`,
    })
    .execute();
}

async function promote(db: DB, user: UserRow, level: { id: number; name: string }): Promise<void> {
  await db.updateTable("users").set({ mapping_level: level.name }).where("id", "=", user.id).execute();
  await db.deleteFrom("user_next_level").where("user_id", "=", user.id).execute();
  await db.deleteFrom("user_level_votes").where("user_id", "=", user.id).where("level_id", "=", level.id).execute();
  await notifyLevelUpgrade(db, user, level.name);
}

/**
 * The official check_and_update_mapper_level: awards every enabled badge whose requirements the
 * statistics meet, then, when the user holds all badges of the next level, promotes them (no
 * approvals needed) or nominates them for approval. Run inside the caller's transaction.
 */
export async function awardBadgesAndLevel(db: DB, user: UserRow, stats: UserStatistics): Promise<void> {
  const earnable = (await badgesNotYetEarned(db, user.id)).filter((b) => satisfies(b.requirements, stats));
  await assignBadges(db, user.id, earnable.map((b) => b.id));
  const next = await nextLevelAfter(db, (await currentLevel(db, user)).ordering);
  if (!next) return;
  const required = await levelBadgesFor(db, next.id, user.id);
  if (!required.every((b) => b.earned)) return;
  if (next.approvals_required === 0) {
    await promote(db, user, next);
  } else {
    await db
      .insertInto("user_next_level")
      .values({ user_id: user.id, level_id: next.id })
      .onConflict((oc) => oc.columns(["user_id", "level_id"]).doNothing())
      .execute();
  }
}

/**
 * A vote for a nominated user's next level. Voters must be admins or already hold that level (or a
 * higher one), and may not vote for themselves. Enough votes promote the user. Run in a transaction.
 * Answers whether the user was promoted.
 */
export async function approveLevel(db: DB, user: UserRow, voter: UserRow): Promise<boolean> {
  if (user.id === voter.id) throw forbidden("Users cannot approve their own level", "UserPermissionError");
  const nomination = await db
    .selectFrom("user_next_level as n")
    .innerJoin("mapping_levels as l", "l.id", "n.level_id")
    .select(["l.id", "l.name", "l.ordering", "l.approvals_required"])
    .where("n.user_id", "=", user.id)
    .forUpdate()
    .executeTakeFirst();
  if (!nomination) throw badRequest(`${user.username} has not been nominated for a new level`, "InvalidRequest");
  if (voter.role !== "ADMIN" && (await currentLevel(db, voter)).ordering < nomination.ordering) {
    throw forbidden(`Only admins and ${nomination.name} mappers can approve this level`, "UserPermissionError");
  }
  await db
    .insertInto("user_level_votes")
    .values({ user_id: user.id, level_id: nomination.id, voter_id: voter.id })
    .onConflict((oc) => oc.columns(["user_id", "level_id", "voter_id"]).doNothing())
    .execute();
  const votes = await db
    .selectFrom("user_level_votes")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", user.id)
    .where("level_id", "=", nomination.id)
    .executeTakeFirstOrThrow();
  if (Number(votes.n) < nomination.approvals_required) return false;
  await promote(db, user, nomination);
  return true;
}

/** UserNextLevelDTO: the next level, and progress on the statistics its badges require. */
export async function nextLevelProgress(db: DB, user: UserRow) {
  const next = await nextLevelAfter(db, (await currentLevel(db, user)).ordering);
  if (!next) return { nextLevel: null, aggregatedProgress: 0, aggregatedGoal: 0, metrics: [] as string[] };
  const [badges, statsRow] = await Promise.all([
    levelBadgesFor(db, next.id, user.id),
    db.selectFrom("user_stats").select("stats").where("user_id", "=", user.id).executeTakeFirst(),
  ]);
  const stats: UserStatistics = statsRow?.stats ?? {};
  let aggregatedGoal = 0;
  const metrics = new Set<string>();
  for (const badge of badges) {
    for (const [key, needed] of Object.entries(parseRequirements(badge.requirements))) {
      aggregatedGoal += needed;
      metrics.add(key);
    }
  }
  const aggregatedProgress = [...metrics].reduce((sum, key) => sum + (stats[key] ?? 0), 0);
  return { nextLevel: next.name, aggregatedProgress, aggregatedGoal, metrics: [...metrics] };
}
