import type { Selectable } from "kysely";
import type { DB } from "../database";
import type { ApplicationKeysTable, UserRow } from "../schema";

export type ApplicationKeyRow = Selectable<ApplicationKeysTable>;

export function applicationKeysOf(db: DB, userId: number): Promise<ApplicationKeyRow[]> {
  return db.selectFrom("application_keys").selectAll().where("user_id", "=", userId).orderBy("id").execute();
}

export function insertApplicationKey(db: DB, userId: number, appKey: string): Promise<ApplicationKeyRow> {
  return db.insertInto("application_keys").values({ user_id: userId, app_key: appKey }).returningAll().executeTakeFirstOrThrow();
}

export function findApplicationKey(db: DB, appKey: string): Promise<ApplicationKeyRow | undefined> {
  return db.selectFrom("application_keys").selectAll().where("app_key", "=", appKey).executeTakeFirst();
}

export async function deleteApplicationKey(db: DB, id: number): Promise<void> {
  await db.deleteFrom("application_keys").where("id", "=", id).execute();
}

/** The user an application key authenticates as. */
export function userByApplicationKey(db: DB, appKey: string): Promise<UserRow | undefined> {
  return db
    .selectFrom("application_keys")
    .innerJoin("users", "users.id", "application_keys.user_id")
    .selectAll("users")
    .where("application_keys.app_key", "=", appKey)
    .executeTakeFirst();
}
