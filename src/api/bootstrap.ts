import type { Config } from "../config";
import { createDb } from "../db/database";
import { migrateToLatest } from "../db/migrate";
import type { Logger } from "../logger";
import { createTemporal } from "../temporal/client";
import type { Services } from "./services";

/** Connects to PostgreSQL (migrating it) and, lazily, to Temporal. */
export async function buildServices(config: Config, logger: Logger, options: { migrate?: boolean } = {}): Promise<Services> {
  const db = createDb(config.databaseUrl);
  if (options.migrate !== false) {
    const applied = await migrateToLatest(db);
    if (applied.length) logger.info({ applied }, "migrations applied");
  }
  const temporal = createTemporal(config.temporal);
  return { config, db, temporal, logger };
}

export async function closeServices(services: Services): Promise<void> {
  await Promise.allSettled([services.db.destroy(), services.temporal.close()]);
}
