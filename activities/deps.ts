import type { Config } from "../src/config";
import type { DB } from "../src/db/database";
import type { Logger } from "../src/logger";

export interface ActivityDeps {
  db: DB;
  config: Config;
  logger: Logger;
}
