import type { Client } from "@temporalio/client";
import type { Config } from "../src/config";
import type { DB } from "../src/db/database";
import type { Logger } from "../src/logger";

export interface ActivityDeps {
  db: DB;
  config: Config;
  logger: Logger;
  /** For activities that talk to other workflows (bulk operations ending locks through their workflow). */
  temporalClient: Client;
}
