import { sql } from "kysely";
import type { DB } from "../database";

/** Task annotations: what outside tools (e.g. ML predictions) attach to tasks, one row per task and type. */

export function listAnnotations(db: DB, projectId: number, filter: { type?: string; taskId?: number } = {}) {
  return db
    .selectFrom("task_annotations")
    .select(["task_id", "annotation_type", "annotation_source", "annotation_markdown", "properties"])
    .where("project_id", "=", projectId)
    .$if(filter.type !== undefined, (qb) => qb.where("annotation_type", "=", filter.type!))
    .$if(filter.taskId !== undefined, (qb) => qb.where("task_id", "=", filter.taskId!))
    .orderBy("task_id")
    .orderBy("annotation_type")
    .execute();
}

export type AnnotationRow = Awaited<ReturnType<typeof listAnnotations>>[number];

export interface AnnotationInput {
  taskId: number;
  source: string | null;
  markdown: string | null;
  properties: Record<string, unknown>;
}

/** Task ids among `taskIds` that the project does not have. */
export async function missingTaskIds(db: DB, projectId: number, taskIds: number[]): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    SELECT id FROM unnest(${taskIds}::int[]) AS wanted (id)
    WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.project_id = ${projectId} AND t.id = wanted.id)
    ORDER BY id
  `.execute(db);
  return rows.map((r) => r.id);
}

/** Creates or replaces the annotations of one type on the given tasks, in one statement. */
export async function upsertAnnotations(db: DB, projectId: number, type: string, annotations: AnnotationInput[]): Promise<void> {
  await db
    .insertInto("task_annotations")
    .values(
      annotations.map((a) => ({
        project_id: projectId,
        task_id: a.taskId,
        annotation_type: type,
        annotation_source: a.source,
        annotation_markdown: a.markdown,
        properties: JSON.stringify(a.properties),
      })),
    )
    .onConflict((oc) =>
      oc.columns(["project_id", "task_id", "annotation_type"]).doUpdateSet((eb) => ({
        annotation_source: eb.ref("excluded.annotation_source"),
        annotation_markdown: eb.ref("excluded.annotation_markdown"),
        properties: eb.ref("excluded.properties"),
        updated_timestamp: sql<Date>`now()`,
      })),
    )
    .execute();
}
