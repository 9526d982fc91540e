import { Client, Connection } from "@temporalio/client";
import type { Config } from "../config";

export interface TemporalHandle {
  client: Client;
  connection: Connection;
  taskQueue: string;
  /** Answers whether the Temporal frontend responds within the deadline. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** How many workers poll the project's task queue for workflow tasks (0 when Temporal does not answer). */
  workerPollers(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * A lazily-connected client: the API starts (and reports itself degraded) while Temporal is down,
 * and connects on first use.
 */
export function createTemporal(cfg: Config["temporal"]): TemporalHandle {
  const connection = Connection.lazy({ address: cfg.address });
  const client = new Client({ connection, namespace: cfg.namespace });
  return {
    client,
    connection,
    taskQueue: cfg.taskQueue,
    async ping(timeoutMs = 2000) {
      try {
        await connection.withDeadline(Date.now() + timeoutMs, () =>
          connection.workflowService.getSystemInfo({}),
        );
        return true;
      } catch {
        return false;
      }
    },
    async workerPollers(timeoutMs = 2000) {
      try {
        const res = await connection.withDeadline(Date.now() + timeoutMs, () =>
          connection.workflowService.describeTaskQueue({ namespace: cfg.namespace, taskQueue: { name: cfg.taskQueue }, taskQueueType: 1 }),
        );
        return res.pollers?.length ?? 0;
      } catch {
        return 0;
      }
    },
    close: () => connection.close(),
  };
}
