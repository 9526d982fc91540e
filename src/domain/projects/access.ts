import type { DB } from "../../db/database";
import type { ProjectRow, UserRow } from "../../db/schema";
import { forbidden, notFound } from "../errors";
import { managesProject, maySeePrivateProject } from "../permissions";

export type ProjectAccess = "view" | "manage";

/** The project's row without its geometry columns (read those with the PostGIS functions). */
export type ProjectRecord = Omit<ProjectRow, "geometry" | "centroid">;

export const PROJECT_COLUMNS = [
  "id", "status", "created", "last_updated", "due_date", "author_id", "organisation_id", "priority", "difficulty",
  "default_locale", "mapping_permission", "validation_permission", "mapping_permission_level_id",
  "validation_permission_level_id", "enforce_random_task_selection", "private", "featured", "changeset_comment",
  "osmcha_filter_id", "imagery", "josm_preset", "id_presets", "extra_id_params", "rapid_power_user", "mapping_types",
  "mapping_editors", "validation_editors", "license_id", "country_tag", "task_creation_mode", "total_tasks",
  "tasks_mapped", "tasks_validated", "tasks_bad_imagery",
] as const satisfies readonly (keyof ProjectRecord)[];

export function findProject(db: DB, projectId: number): Promise<ProjectRecord | undefined> {
  return db.selectFrom("projects").select(PROJECT_COLUMNS).where("id", "=", projectId).executeTakeFirst();
}

/**
 * Loads a project for a user, or throws the official answer: 404 when it does not exist; for
 * "view", 403 PrivateProject when it is private and the user is not allowed, and 403
 * ProjectNotPublished for a draft seen by someone who does not manage it; for "manage", 403
 * UserPermissionError unless the user manages it.
 */
export async function loadProject(db: DB, projectId: number, user: UserRow | undefined, access: ProjectAccess = "view"): Promise<ProjectRecord> {
  const project = await findProject(db, projectId);
  if (!project) throw notFound(`Project ${projectId} not found`);
  if (access === "manage") {
    if (!(await managesProject(db, user, project))) throw forbidden("User is not a manager of this project", "UserPermissionError");
    return project;
  }
  if (project.private && !(await maySeePrivateProject(db, user, project))) {
    throw forbidden("User not permitted: private project", "PrivateProject");
  }
  if (project.status === "DRAFT" && !(await managesProject(db, user, project))) {
    throw forbidden("Project is a draft and can only be seen by its managers", "ProjectNotPublished");
  }
  return project;
}
