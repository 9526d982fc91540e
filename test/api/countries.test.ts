import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countriesIntersecting, tagProjectCountries } from "../../src/db/queries/countries";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertProject } from "../helpers/fixtures";

describe("countries", () => {
  let app: TestApp;
  let authorId: number;
  beforeAll(async () => {
    app = await startTestApp();
    authorId = (await app.user("MAPPER")).id;
  });
  afterAll(() => app.close());

  it("has every Natural Earth country loaded as valid geometry", async () => {
    const { rows } = await sql<{ n: number; invalid: number }>`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE NOT ST_IsValid(geometry))::int AS invalid FROM countries
    `.execute(app.services.db);
    expect(rows[0]!.n).toBeGreaterThan(200);
    expect(rows[0]!.invalid).toBe(0);
  });

  it("tags a project with the countries its area intersects, inside a transaction too", async () => {
    const db = app.services.db;
    const kenya = await insertProject(db, { authorId, size: 2 });
    expect(await tagProjectCountries(db, kenya.projectId)).toEqual(["Kenya"]);

    // Across the France–Germany border on the Rhine near Strasbourg.
    const border = await insertProject(db, { authorId, lon: 7.7, lat: 48.5, size: 10 });
    const tags = await db.transaction().execute((tx) => tagProjectCountries(tx, border.projectId));
    expect(tags).toEqual(["France", "Germany"]);
    const stored = await db.selectFrom("projects").select("country_tag").where("id", "=", border.projectId).executeTakeFirstOrThrow();
    expect(stored.country_tag).toEqual(["France", "Germany"]);

    // Open ocean: no country.
    const ocean = await insertProject(db, { authorId, lon: -30, lat: 0, size: 1 });
    expect(await tagProjectCountries(db, ocean.projectId)).toEqual([]);
    expect(await countriesIntersecting(db, sql`ST_SetSRID(ST_MakePoint(2.35, 48.85), 4326)`)).toEqual(["France"]);
  });

  it("lists the distinct tagged countries, sorted", async () => {
    const db = app.services.db;
    for (const lon of [36.8, 36.9]) {
      const { projectId } = await insertProject(db, { authorId, lon, size: 1 });
      await tagProjectCountries(db, projectId);
    }
    const peru = await insertProject(db, { authorId, lon: -77.05, lat: -12.05, size: 1 });
    await tagProjectCountries(db, peru.projectId);

    const res = await app.request("GET", "/api/v2/countries/");
    expect(res.status).toBe(200);
    expect(res.body.tags).toEqual(expect.arrayContaining(["Kenya", "Peru"]));
    expect(res.body.tags).toEqual([...new Set(res.body.tags)].sort());
  });
});
