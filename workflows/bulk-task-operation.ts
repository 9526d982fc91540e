import { defineQuery, proxyActivities, setHandler, workflowInfo } from "@temporalio/workflow";
import type { Activities } from "../activities";
import type { BulkOperation, BulkRequest } from "../src/domain/tasks/bulk";

/**
 * One project-wide task operation (reset-all, map-all, …). Its id is `project-P/bulk`, so at most one
 * runs per project. It snapshots its targets, ends the locks it takes over through their own
 * workflows, then changes the tasks in idempotent batches.
 */
export interface BulkProgress {
  operation: BulkOperation;
  phase: "selecting" | "overriding-locks" | "changing" | "done";
  total: number;
  done: number;
  changed: number;
  locksOverridden: number;
}

export const bulkProgressQuery = defineQuery<BulkProgress>("bulkProgress");

const CHUNK = 5000;

const { selectBulkTargets } = proxyActivities<Activities>({
  startToCloseTimeout: "1 minute",
  retry: { initialInterval: "200ms", maximumInterval: "5s" },
});
const { overrideLocks, applyBulkChange } = proxyActivities<Activities>({
  startToCloseTimeout: "10 minutes",
  heartbeatTimeout: "10s",
  retry: { initialInterval: "200ms", maximumInterval: "5s" },
});

export async function bulkTaskOperationWorkflow(request: BulkRequest): Promise<BulkProgress> {
  const progress: BulkProgress = { operation: request.operation, phase: "selecting", total: 0, done: 0, changed: 0, locksOverridden: 0 };
  setHandler(bulkProgressQuery, () => progress);

  const { taskIds, locks } = await selectBulkTargets(request);
  progress.total = taskIds.length;

  progress.phase = "overriding-locks";
  progress.locksOverridden = await overrideLocks(locks, `${request.operation} by user ${request.userId}`);

  progress.phase = "changing";
  const runKey = `${workflowInfo().workflowId}@${workflowInfo().runId}`;
  const overridden = locks.map((l) => ({ token: l.token, taskIds: l.taskIds }));
  for (let i = 0; i < taskIds.length; i += CHUNK) {
    const chunk = taskIds.slice(i, i + CHUNK);
    const members = new Set(chunk);
    const inChunk = overridden.filter((l) => l.taskIds.some((id) => members.has(id)));
    progress.changed += await applyBulkChange(request, runKey, chunk, inChunk);
    progress.done += chunk.length;
  }
  progress.phase = "done";
  return progress;
}
