import type { Migration } from "kysely";
import * as m0001 from "./0001_users_and_banner";

/**
 * Every migration, in order. A migration is never edited once it has landed on main: add a new file
 * and list it here.
 */
export const migrations: Record<string, Migration> = {
  "0001_users_and_banner": m0001,
};
