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

/** Creates a local account (no OSM id) or, when the username exists, returns it unchanged. */
export async function ensureLocalUser(db: DB, username: string, role: Role): Promise<{ user: UserRow; created: boolean }> {
  const existing = await findUserByUsername(db, username);
  if (existing) return { user: existing, created: false };
  const inserted = await db
    .insertInto("users")
    .values({ id: sql<number>`nextval('local_user_id_seq')`, username, role, mapping_level: "BEGINNER" } as never)
    .onConflict((oc) => oc.column("username").doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { user: inserted, created: true };
  // Lost a race with a concurrent create of the same name: the row exists now.
  return { user: (await findUserByUsername(db, username))!, created: false };
}
