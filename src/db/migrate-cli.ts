import { config } from "../config";
import { createDb } from "./database";
import { migrateToLatest } from "./migrate";

const db = createDb(config().databaseUrl, { max: 1 });
try {
  const applied = await migrateToLatest(db);
  console.error(applied.length ? `applied: ${applied.join(", ")}` : "schema is up to date");
} finally {
  await db.destroy();
}
