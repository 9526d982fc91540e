import pg from "pg";
import { createDb } from "../../src/db/database";
import { migrateToLatest } from "../../src/db/migrate";

/** Creates a database with PostGIS next to the one in `baseUrl`, migrates it, and returns its URL. */
export async function createTestDatabase(baseUrl: string, name: string) {
  const admin = new URL(baseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();

  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), { max: 1 });
  await migrateToLatest(db);
  await db.destroy();

  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
