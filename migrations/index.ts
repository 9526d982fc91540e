import type { Migration } from "kysely";
import * as m0001 from "./0001_users_and_banner";
import * as m0002 from "./0002_projects_tasks";
import * as m0003 from "./0003_countries";
import * as m0007 from "./0007_task_lock_workflow";
import * as m0008 from "./0008_messages";
import * as m0009 from "./0009_teams";
import * as m0010 from "./0010_levels_badges";
import * as m0011 from "./0011_partners_applications";
import * as m0012 from "./0012_project_chat_annotations";
import * as m0013 from "./0013_release_version";

/**
 * Every migration, in order. A migration is never edited once it has landed on main: add a new file
 * and list it here.
 */
export const migrations: Record<string, Migration> = {
  "0001_users_and_banner": m0001,
  "0002_projects_tasks": m0002,
  "0003_countries": m0003,
  "0007_task_lock_workflow": m0007,
  "0008_messages": m0008,
  "0009_teams": m0009,
  "0010_levels_badges": m0010,
  "0011_partners_applications": m0011,
  "0012_project_chat_annotations": m0012,
  "0013_release_version": m0013,
};
