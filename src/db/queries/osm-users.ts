import { sql } from "kysely";
import type { DB } from "../database";
import type { UserRow } from "../schema";

/**
 * Creates the local account of an OSM user logging in for the first time (keyed by the OSM id), or
 * follows a rename and a new picture on later logins. The email address is only taken on registration,
 * as officially; `created` says which happened.
 */
export async function upsertOsmUser(
  db: DB,
  input: { id: number; username: string; pictureUrl: string | null; mappingLevel: string; email: string | null },
): Promise<{ user: UserRow; created: boolean }> {
  const user = await db
    .insertInto("users")
    .values({ id: input.id, username: input.username, picture_url: input.pictureUrl, mapping_level: input.mappingLevel, email_address: input.email, role: "MAPPER" })
    .onConflict((oc) =>
      oc.column("id").doUpdateSet({
        username: input.username,
        picture_url: sql<string | null>`coalesce(excluded.picture_url, users.picture_url)`,
      }),
    )
    .returningAll()
    // xmax = 0 only on a freshly inserted row.
    .returning(sql<boolean>`(xmax = 0)`.as("created"))
    .executeTakeFirstOrThrow();
  const { created, ...row } = user;
  return { user: row, created };
}
