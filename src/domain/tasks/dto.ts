import { config } from "../../config";
import type { DB } from "../../db/database";
import { listAnnotations } from "../../db/queries/annotations";
import { taskDetail, taskHistory, type TaskHistoryRow } from "../../db/queries/tasks";
import { toTaskAnnotationDTO } from "../annotations";
import { notFound } from "../errors";

export interface TaskDTOOptions {
  /** TM_TASK_AUTOUNLOCK_AFTER in ms (services.config.taskAutoUnlockMs); the process config when omitted. */
  autoUnlockMs?: number;
  now?: Date;
}

/**
 * The project's per-task instructions for one task: `{x}`, `{y}`, `{z}` become the task's tile
 * coordinates, and `{key}` any of its extra properties (as the official API substitutes them).
 */
export function perTaskInstructions(
  template: string | null,
  task: { x: number | null; y: number | null; zoom: number | null; extra_properties: Record<string, unknown> | null },
): string | null {
  if (!template) return template;
  const values: Record<string, unknown> = { ...task.extra_properties, x: task.x, y: task.y, z: task.zoom };
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (values[key] === null || values[key] === undefined ? whole : String(values[key])));
}

/** One official TaskHistoryDTO (a task's history, a project's activity). */
export const toTaskHistoryDTO = (h: TaskHistoryRow) => ({
  historyId: h.id,
  taskId: h.task_id,
  action: h.action,
  actionText: h.action_text,
  actionDate: h.action_date.toISOString(),
  actionBy: h.username,
  pictureUrl: h.picture_url,
  issues: h.issues,
});

/**
 * The official TaskDTO of one task: status, lock holder, history (newest first) with who acted,
 * per-task instructions in the locale (falling back to the project's default locale), and
 * autoUnlockSeconds: the time left on a held lock, else the configured lock duration.
 * Throws 404 NotFoundError when the task does not exist in the project.
 */
export async function getTaskDTO(db: DB, projectId: number, taskId: number, locale: string, options: TaskDTOOptions = {}) {
  const [task, history, annotations] = await Promise.all([
    taskDetail(db, projectId, taskId, locale),
    taskHistory(db, projectId, taskId),
    listAnnotations(db, projectId, { taskId }),
  ]);
  if (!task) throw notFound(`Task ${taskId} not found in project ${projectId}`);
  const now = (options.now ?? new Date()).getTime();
  const autoUnlockMs = options.autoUnlockMs ?? config().taskAutoUnlockMs;
  const lockMsLeft = task.lock_expires_at ? Math.max(0, task.lock_expires_at.getTime() - now) : autoUnlockMs;
  return {
    taskId: task.id,
    projectId: task.project_id,
    taskStatus: task.task_status,
    lockHolder: task.lock_holder,
    taskHistory: history.map(toTaskHistoryDTO),
    taskAnnotation: annotations.map(toTaskAnnotationDTO),
    perTaskInstructions: perTaskInstructions(task.per_task_instructions, task),
    autoUnlockSeconds: Math.round(lockMsLeft / 1000),
    lastUpdated: task.last_updated?.toISOString() ?? null,
    numberOfComments: task.number_of_comments,
  };
}

export type TaskDTO = Awaited<ReturnType<typeof getTaskDTO>>;
