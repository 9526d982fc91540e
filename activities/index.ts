import type { Config } from "../src/config";
import type { DB } from "../src/db/database";
import type { Logger } from "../src/logger";

export interface ActivityDeps {
  db: DB;
  config: Config;
  logger: Logger;
}

/** Every activity the worker registers, bound to its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    /** Reports whether the worker's database answers (used by operators to probe a worker). */
    async workerDatabaseCheck(): Promise<boolean> {
      await deps.db.selectNoFrom((eb) => eb.lit(1).as("ok")).execute();
      return true;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
