import type { DB } from "../../db/database";
import { deleteProjectRow, hasMappedWork, lockProjectRow } from "../../db/queries/project-create";
import type { UserRow } from "../../db/schema";
import { forbidden, notFound } from "../errors";
import { managesProject } from "../permissions";
import { findProject } from "./access";

/**
 * Deletes a project with everything hanging off it, as the official API allows: only for its
 * managers (403 DeletePermissionError) and only while no task has been mapped (403 HasMappedTasks).
 * The project row stays locked between the check and the delete, so work recorded meanwhile wins.
 */
export async function deleteProject(db: DB, projectId: number, user: UserRow): Promise<void> {
  const project = await findProject(db, projectId);
  if (!project) throw notFound(`Project ${projectId} not found`);
  if (!(await managesProject(db, user, project))) throw forbidden("User does not have permissions to delete project", "DeletePermissionError");
  await db.transaction().execute(async (trx) => {
    if (!(await lockProjectRow(trx, projectId))) throw notFound(`Project ${projectId} not found`);
    if (await hasMappedWork(trx, projectId)) throw forbidden("Project has mapped tasks, cannot be deleted", "HasMappedTasks");
    await deleteProjectRow(trx, projectId);
  });
}
