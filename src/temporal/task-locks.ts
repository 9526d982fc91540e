import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from "@temporalio/client";
import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from "@temporalio/common";
import { ApiError } from "../domain/errors";
import { lockWorkflowId, type LockMode } from "../domain/tasks/state-machine";
import {
  acquireLockUpdate,
  type LockRefusal,
  type TaskLockInput,
  taskLockWorkflow,
} from "../../workflows/task-lock";
import type { TemporalHandle } from "./client";

/** Search attributes an operator filters lock and bulk workflows by in the Temporal Web UI. */
export const SEARCH_ATTRIBUTES = {
  projectId: defineSearchAttributeKey("ProjectId", SearchAttributeType.INT),
  taskId: defineSearchAttributeKey("TaskId", SearchAttributeType.INT),
  /** Every task of a lock (a validation lock may hold several): filter with `TaskIds = "345"`. */
  taskIds: defineSearchAttributeKey("TaskIds", SearchAttributeType.KEYWORD_LIST),
  lockHolderId: defineSearchAttributeKey("LockHolderId", SearchAttributeType.INT),
  lockHolder: defineSearchAttributeKey("LockHolder", SearchAttributeType.KEYWORD),
  lockMode: defineSearchAttributeKey("LockMode", SearchAttributeType.KEYWORD),
  bulkOperation: defineSearchAttributeKey("BulkOperation", SearchAttributeType.KEYWORD),
};

/** Turns a refused workflow update into the official API answer. */
export function refusalFromUpdate(err: unknown): { refusal: LockRefusal; type: string } | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return undefined;
  const refusal = err.cause.details?.[0] as LockRefusal | undefined;
  if (!refusal?.subCode) return undefined;
  return { refusal, type: err.cause.type ?? "" };
}

/**
 * Runs an update on a held lock, answering refusals as the API does. A lock whose workflow has just
 * closed (its timer fired, or a bulk operation took it over) answers like any ended lock.
 */
export async function runLockUpdate<T>(update: () => Promise<T>): Promise<T> {
  try {
    return await update();
  } catch (err) {
    const refused = refusalFromUpdate(err);
    if (refused) throw new ApiError(refused.refusal.status, refused.refusal.subCode, refused.refusal.message);
    if (err instanceof WorkflowNotFoundError) throw new ApiError(403, "LockBeforeUnlocking", "The lock on this task has already ended");
    throw err;
  }
}

/**
 * Acquires a lock with update-with-start: the caller learns synchronously whether it holds the tasks.
 * At most one lock workflow runs per id; a request reaching a running one is refused by its validator
 * (no side effects). A lock refused inside a new run (a race lost in the database) has its closed run
 * deleted, so a refusal leaves no workflow behind.
 */
export async function acquireLock(temporal: TemporalHandle, input: TaskLockInput): Promise<{ lockedAt: string; expiresAt: string }> {
  const workflowId = lockWorkflowId(input.projectId, input.taskIds);
  for (let attempt = 1; ; attempt++) {
    const start = new WithStartWorkflowOperation(taskLockWorkflow, {
      workflowId,
      taskQueue: temporal.taskQueue,
      args: [input],
      workflowIdConflictPolicy: "USE_EXISTING",
      workflowIdReusePolicy: "ALLOW_DUPLICATE",
      typedSearchAttributes: new TypedSearchAttributes([
        { key: SEARCH_ATTRIBUTES.projectId, value: input.projectId },
        { key: SEARCH_ATTRIBUTES.taskId, value: Math.min(...input.taskIds) },
        { key: SEARCH_ATTRIBUTES.taskIds, value: input.taskIds.map(String) },
        { key: SEARCH_ATTRIBUTES.lockHolderId, value: input.userId },
        { key: SEARCH_ATTRIBUTES.lockHolder, value: input.username },
        { key: SEARCH_ATTRIBUTES.lockMode, value: input.mode },
      ]),
      memo: { description: describeLock(input), taskIds: input.taskIds },
    });
    try {
      return await temporal.client.workflow.executeUpdateWithStart(acquireLockUpdate, { args: [{ userId: input.userId }], startWorkflowOperation: start });
    } catch (err) {
      const refused = refusalFromUpdate(err);
      if (!refused) throw err;
      if (refused.type === "LockRefused") await deleteRefusedRun(temporal, await start.workflowHandle());
      if (refused.refusal.subCode === "LockEnding" && attempt < 20) {
        await new Promise((r) => setTimeout(r, 25 * attempt));
        continue;
      }
      throw new ApiError(refused.refusal.status, refused.refusal.subCode, refused.refusal.message);
    }
  }
}

function describeLock(input: TaskLockInput): string {
  const tasks = input.taskIds.length === 1 ? `task ${input.taskIds[0]}` : `tasks ${input.taskIds.join(", ")}`;
  return `${input.mode === "MAPPING" ? "Mapping" : "Validation"} lock on ${tasks} of project ${input.projectId}, held by ${input.username} (user ${input.userId})`;
}

async function deleteRefusedRun(temporal: TemporalHandle, handle: WorkflowHandle) {
  const description = await handle.describe().catch(() => undefined);
  if (!description) return;
  await temporal.client.workflowService
    .deleteWorkflowExecution({ namespace: temporal.client.options.namespace, workflowExecution: { workflowId: handle.workflowId, runId: description.runId } })
    .catch(() => undefined); // best effort: the run is already closed either way
}

/** The running lock workflow that holds a task, by the id and token stored on the task row. */
export function lockHandle(temporal: TemporalHandle, lock: { lock_workflow_id: string; lock_token: string }) {
  return temporal.client.workflow.getHandle(lock.lock_workflow_id, lock.lock_token);
}

export type { LockMode };
