import { sql } from "kysely";
import type { DB } from "../database";
import type { UserRow, UsersTable } from "../schema";

export type Role = UsersTable["role"];

export function findUserById(db: DB, id: number): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findUserByUsername(db: DB, username: string): Promise<UserRow | undefined> {
  return db
    .selectFrom("users")
    .selectAll()
    .where(sql`lower(username)`, "=", username.toLowerCase())
    .executeTakeFirst();
}

/** New accounts start at the beginners' level (whatever admins named it). */
const beginnersLevel = sql<string>`(SELECT name FROM mapping_levels WHERE is_beginner ORDER BY ordering LIMIT 1)`;

/** Creates a local account (no OSM id) or, when the username exists, returns it unchanged. */
export async function ensureLocalUser(db: DB, username: string, role: Role): Promise<{ user: UserRow; created: boolean }> {
  const existing = await findUserByUsername(db, username);
  if (existing) return { user: existing, created: false };
  const inserted = await db
    .insertInto("users")
    .values({ id: sql<number>`nextval('local_user_id_seq')`, username, role, mapping_level: beginnersLevel } as never)
    .onConflict((oc) => oc.column("username").doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { user: inserted, created: true };
  // Lost a race with a concurrent create of the same name: the row exists now.
  return { user: (await findUserByUsername(db, username))!, created: false };
}

export interface UserListFilter {
  username?: string;
  roles?: string[];
  levels?: string[];
}

function filteredUsers(db: DB, filter: UserListFilter) {
  let query = db.selectFrom("users");
  if (filter.username) query = query.where("username", "ilike", `%${escapeLike(filter.username)}%`);
  if (filter.roles?.length) query = query.where("role", "in", filter.roles as Role[]);
  if (filter.levels?.length) query = query.where(sql`upper(mapping_level)`, "in", filter.levels.map((l) => l.toUpperCase()));
  return query;
}

/** Users matching the filter, by username; `page` limits to one page (all of them otherwise). */
export async function listUsers(db: DB, filter: UserListFilter, page?: { offset: number; limit: number }) {
  let query = filteredUsers(db, filter).select(["id", "username", "role", "mapping_level", "picture_url"]).orderBy("username");
  if (page) query = query.limit(page.limit).offset(page.offset);
  return query.execute();
}

export async function countUsers(db: DB, filter: UserListFilter): Promise<number> {
  const row = await filteredUsers(db, filter).select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
  return row.n;
}

/** `%` and `_` in user input match themselves in LIKE patterns. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Usernames starting with `prefix` (case-insensitive), one page; with a project, the users who
 * mapped or validated there come first.
 */
export async function usernamesStartingWith(db: DB, prefix: string, projectId: number | undefined, page: { offset: number; limit: number }) {
  const pattern = `${escapeLike(prefix)}%`;
  const participant = projectId === undefined
    ? sql<boolean>`false`
    : sql<boolean>`EXISTS (SELECT 1 FROM task_history th WHERE th.project_id = ${projectId} AND th.user_id = users.id
        AND th.action = 'STATE_CHANGE' AND th.action_text IN ('MAPPED', 'VALIDATED', 'BADIMAGERY', 'INVALIDATED'))`;
  const [rows, total] = await Promise.all([
    db
      .selectFrom("users")
      .select(["username", participant.as("participant")])
      .where("username", "ilike", pattern)
      .orderBy("participant", "desc")
      .orderBy("username")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db.selectFrom("users").select(sql<number>`count(*)::int`.as("n")).where("username", "ilike", pattern).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.n };
}

/** The official anonymisation of a deleted account: identity and contact details go, contributions stay. */
export async function anonymiseUser(db: DB, userId: number): Promise<void> {
  await db
    .updateTable("users")
    .set({
      username: `user_${userId}`,
      city: null, country: null, email_address: null, facebook_id: null, gender: null, irc_id: null, is_email_verified: false,
      is_expert: false, linkedin_id: null, name: null, picture_url: null, self_description_gender: null, skype_id: null,
      slack_id: null, twitter_id: null,
      role: sql<Role>`CASE WHEN role = 'ADMIN' THEN 'MAPPER' ELSE role END`,
    })
    .where("id", "=", userId)
    .execute();
  await db.deleteFrom("user_licenses").where("user_id", "=", userId).execute();
  await db.deleteFrom("user_interests").where("user_id", "=", userId).execute();
  await db.deleteFrom("messages").where("to_user_id", "=", userId).execute();
  await db.deleteFrom("notifications").where("user_id", "=", userId).execute();
}

export function userInterests(db: DB, userId: number) {
  return db
    .selectFrom("user_interests as ui")
    .innerJoin("interests as i", "i.id", "ui.interest_id")
    .select(["i.id", "i.name"])
    .where("ui.user_id", "=", userId)
    .orderBy("i.id")
    .execute();
}

/** Replaces the user's interests; answers the ids that do not exist (and then changes nothing). */
export async function replaceUserInterests(db: DB, userId: number, interestIds: number[]): Promise<number[]> {
  const ids = [...new Set(interestIds)];
  const known = ids.length ? await db.selectFrom("interests").select("id").where("id", "in", ids).execute() : [];
  const missing = ids.filter((id) => !known.some((k) => k.id === id));
  if (missing.length) return missing;
  await db.deleteFrom("user_interests").where("user_id", "=", userId).execute();
  if (ids.length) await db.insertInto("user_interests").values(ids.map((interest_id) => ({ user_id: userId, interest_id }))).execute();
  return [];
}

export function favoriteProjectIds(db: DB, userId: number): Promise<number[]> {
  return db
    .selectFrom("project_favorites")
    .select("project_id")
    .where("user_id", "=", userId)
    .orderBy("project_id")
    .execute()
    .then((rows) => rows.map((r) => r.project_id));
}

/** Whether an email belongs to an account, or was registered before without one. */
export async function emailOwner(db: DB, email: string) {
  const [account, registered] = await Promise.all([
    db.selectFrom("users").select("id").where(sql`lower(email_address)`, "=", email.toLowerCase()).executeTakeFirst(),
    db.selectFrom("users_with_email").select("id").where(sql`lower(email)`, "=", email.toLowerCase()).executeTakeFirst(),
  ]);
  return { account, registered };
}

export async function registerEmail(db: DB, email: string): Promise<number> {
  const row = await db
    .insertInto("users_with_email")
    .values({ email: email.toLowerCase() })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doUpdateSet({ email: (eb) => eb.ref("excluded.email") }))
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}
