import type { DB } from "../db/database";
import { type AnnotationInput, type AnnotationRow, listAnnotations, missingTaskIds, upsertAnnotations } from "../db/queries/annotations";
import { badRequest } from "./errors";

export const toTaskAnnotationDTO = (a: AnnotationRow) => ({
  taskId: a.task_id,
  annotationType: a.annotation_type,
  annotationSource: a.annotation_source,
  annotationMarkdown: a.annotation_markdown,
  properties: a.properties,
});

/** ProjectTaskAnnotationsDTO: the project's annotations, optionally of one type. */
export async function projectAnnotations(db: DB, projectId: number, type?: string) {
  return { projectId, tasks: (await listAnnotations(db, projectId, { type })).map(toTaskAnnotationDTO) };
}

/**
 * Stores annotations of one type, replacing those a task already has of that type. All or nothing:
 * a task id the project does not have, or the same task twice, is a 400 and nothing is written.
 */
export async function saveAnnotations(db: DB, projectId: number, type: string, annotations: AnnotationInput[]) {
  const ids = annotations.map((a) => a.taskId);
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length) throw badRequest(`tasks: task ${repeated[0]} is annotated twice`);
  const missing = await missingTaskIds(db, projectId, ids);
  if (missing.length) throw badRequest(`tasks: project ${projectId} has no task ${missing.join(", ")}`);
  await upsertAnnotations(db, projectId, type, annotations);
  return projectAnnotations(db, projectId, type);
}
