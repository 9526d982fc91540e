import { WorkflowExecutionAlreadyStartedError } from "@temporalio/client";
import { TypedSearchAttributes } from "@temporalio/common";
import { conflict } from "../domain/errors";
import { bulkWorkflowId, type BulkRequest } from "../domain/tasks/bulk";
import { type BulkProgress, bulkTaskOperationWorkflow } from "../../workflows/bulk-task-operation";
import type { TemporalHandle } from "./client";
import { SEARCH_ATTRIBUTES } from "./task-locks";

export type BulkOutcome = { finished: true; progress: BulkProgress } | { finished: false; workflowId: string };

/**
 * Starts a bulk operation on a project and waits for it up to `waitMs`. A second request while one
 * runs is refused (409 BulkOperationInProgress) rather than queued, so an admin never triggers the
 * same reset twice by accident; the running one can be watched in the Temporal Web UI.
 */
export async function runBulkOperation(temporal: TemporalHandle, request: BulkRequest, waitMs: number): Promise<BulkOutcome> {
  const workflowId = bulkWorkflowId(request.projectId);
  let handle;
  try {
    handle = await temporal.client.workflow.start(bulkTaskOperationWorkflow, {
      workflowId,
      taskQueue: temporal.taskQueue,
      args: [request],
      workflowIdConflictPolicy: "FAIL",
      workflowIdReusePolicy: "ALLOW_DUPLICATE",
      typedSearchAttributes: new TypedSearchAttributes([
        { key: SEARCH_ATTRIBUTES.projectId, value: request.projectId },
        { key: SEARCH_ATTRIBUTES.bulkOperation, value: request.operation },
      ]),
      memo: { description: `${request.operation} on project ${request.projectId}, requested by user ${request.userId}` },
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw conflict(`A bulk operation is already running on project ${request.projectId} (workflow ${workflowId})`, "BulkOperationInProgress");
    }
    throw err;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
  try {
    const progress = await Promise.race([handle.result(), timedOut]);
    return progress ? { finished: true, progress } : { finished: false, workflowId };
  } finally {
    clearTimeout(timer);
  }
}
