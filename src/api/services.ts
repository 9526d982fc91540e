import type { Config } from "../config";
import type { DB } from "../db/database";
import type { Logger } from "../logger";
import type { TemporalHandle } from "../temporal/client";

/** What route handlers may use; built once per process (or per test run). */
export interface Services {
  config: Config;
  db: DB;
  temporal: TemporalHandle;
  logger: Logger;
}
