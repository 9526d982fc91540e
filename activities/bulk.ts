import { Context } from "@temporalio/activity";
import { WorkflowNotFoundError } from "@temporalio/client";
import { applyBulkBatch, bulkTargets, countBulkChanges } from "../src/db/queries/bulk";
import type { BulkRequest } from "../src/domain/tasks/bulk";
import { overrideLockUpdate } from "../workflows/task-lock";
import type { ActivityDeps } from "./deps";

const SUB_BATCH = 500;

/**
 * Bulk task operations: a snapshot of the targets, the take-over of their locks through each lock
 * workflow, and the changes in batches. Long activities heartbeat their progress and resume from it
 * after a crash; every write is idempotent.
 */
export function bulkActivities({ db, temporalClient }: ActivityDeps) {
  return {
    selectBulkTargets: (request: BulkRequest) => bulkTargets(db, request),

    /** Ends each lock through its workflow (an update, not a blind terminate), a few at a time. */
    async overrideLocks(locks: { workflowId: string; token: string }[], reason: string): Promise<number> {
      const ctx = Context.current();
      let done = (ctx.info.heartbeatDetails as number | undefined) ?? 0;
      const concurrency = 16;
      for (let i = done; i < locks.length; i += concurrency) {
        await Promise.all(
          locks.slice(i, i + concurrency).map((lock) =>
            temporalClient.workflow
              .getHandle(lock.workflowId, lock.token)
              .executeUpdate(overrideLockUpdate, { args: [{ reason }] })
              .catch((err) => {
                // A lock whose workflow already ended holds nothing to take over; its rows are fenced anyway.
                if (!(err instanceof WorkflowNotFoundError) && !/already completed|not found/i.test(String(err))) throw err;
              }),
          ),
        );
        done = Math.min(locks.length, i + concurrency);
        ctx.heartbeat(done);
      }
      return locks.length;
    },

    /**
     * Applies the operation to `taskIds` in sub-batches, heartbeating how many are done, and answers how
     * many of them this run changed (counted from its history rows, so a resumed attempt counts right).
     */
    async applyBulkChange(request: BulkRequest, runKey: string, taskIds: number[], overridden: { token: string; taskIds: number[] }[]): Promise<number> {
      const ctx = Context.current();
      const resumeAt = (ctx.info.heartbeatDetails as number | undefined) ?? 0;
      for (let i = resumeAt; i < taskIds.length; i += SUB_BATCH) {
        await applyBulkBatch(db, request, runKey, taskIds.slice(i, i + SUB_BATCH), overridden);
        ctx.heartbeat(Math.min(taskIds.length, i + SUB_BATCH));
      }
      return countBulkChanges(db, runKey, taskIds);
    },
  };
}
