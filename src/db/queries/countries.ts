import { type RawBuilder, sql } from "kysely";
import type { DB } from "../database";

/**
 * Country tagging against the `countries` table (Natural Earth boundaries loaded by migration 0003).
 * Every function takes a DB or a transaction (a Kysely Transaction is a DB), so project creation can
 * tag inside its own transaction.
 */

/** Names of the countries a geometry (SQL expression in EPSG:4326) intersects, sorted. */
export async function countriesIntersecting(db: DB, geometry: RawBuilder<unknown>): Promise<string[]> {
  const rows = await db
    .selectFrom("countries")
    .select("name")
    .where(sql<boolean>`ST_Intersects(geometry, ${geometry})`)
    .orderBy("name")
    .execute();
  return rows.map((r) => r.name);
}

/** Sets projects.country_tag from the countries its AOI intersects; returns the tags. */
export async function tagProjectCountries(db: DB, projectId: number): Promise<string[]> {
  const row = await db
    .updateTable("projects as p")
    .set({
      country_tag: sql<string[]>`coalesce(
        (SELECT array_agg(c.name ORDER BY c.name) FROM countries c WHERE ST_Intersects(c.geometry, p.geometry)),
        '{}'::text[])`,
    })
    .where("p.id", "=", projectId)
    .returning("p.country_tag")
    .executeTakeFirst();
  return row?.country_tag ?? [];
}

/** The distinct countries projects are tagged with, sorted. */
export async function listTaggedCountries(db: DB): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT DISTINCT unnest(country_tag) AS name FROM projects ORDER BY name
  `.execute(db);
  return rows.map((r) => r.name);
}
