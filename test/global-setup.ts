import type { TestProject } from "vitest/node";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";
import { createWorker } from "../src/worker/worker";
import { createTestDatabase } from "./helpers/database";
import { createTestNamespace } from "./helpers/namespace";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    taskQueue: string;
    namespace: string;
  }
}

/**
 * One fresh database, Temporal namespace and task queue per test run, against the real PostgreSQL and the
 * real Temporal dev server that scripts/services.sh started. A worker for that queue runs here.
 */
export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const base = loadConfig();
  const { url: databaseUrl, drop } = await createTestDatabase(base.databaseUrl, `tm_test_${runId}`);
  const taskQueue = `tm-test-${runId}`;
  const namespace = `tm-test-${runId}`;
  const testNamespace = await createTestNamespace(base.temporal.address, namespace);
  const cfg = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_NAMESPACE: namespace, TM_TASK_AUTOUNLOCK_AFTER: process.env.TM_TASK_AUTOUNLOCK_AFTER ?? "2h" });
  const logger = createLogger("warn", "test-worker");
  const { worker, close } = await createWorker(cfg, logger);
  const running = worker.run();

  project.provide("databaseUrl", databaseUrl);
  project.provide("taskQueue", taskQueue);
  project.provide("namespace", namespace);

  return async () => {
    worker.shutdown();
    await running;
    await close();
    await testNamespace.drop();
    if (!process.env.TM_KEEP_TEST_DB) await drop();
  };
}
