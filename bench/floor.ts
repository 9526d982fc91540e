/**
 * The ceiling this machine's Temporal dev server puts on lock cycles: a trivial workflow with the
 * lock workflow's shape (update-with-start, a timer, an ending update), driven straight from a
 * Temporal client with no API, no activities and no database, at 1 and 32 concurrent clients.
 * Compare its cycles/s with bench:locks to see how much of a lock cycle is Temporal itself.
 * Usage: npm run bench:floor [-- --seconds 10 --levels 1,32 --workers 1]
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Client, WithStartWorkflowOperation } from "@temporalio/client";
import { DefaultLogger, NativeConnection, Runtime, Worker, makeTelemetryFilterString } from "@temporalio/worker";
import { config } from "../src/config";
import { percentiles } from "./lib/processes";
import { acquireUpdate, floorLockWorkflow, releaseUpdate } from "./floor/workflow";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "10" }, levels: { type: "string", default: "1,32" } } });
const cfg = config();
// Warnings only: the figures are the output.
Runtime.install({ logger: new DefaultLogger("WARN"), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: "WARN" }), forward: {} } } });
const taskQueue = `tm-bench-floor-${randomUUID()}`;
const connection = await NativeConnection.connect({ address: cfg.temporal.address });
const client = new Client({ connection, namespace: cfg.temporal.namespace });
const worker = await Worker.create({
  connection,
  namespace: cfg.temporal.namespace,
  taskQueue,
  workflowsPath: fileURLToPath(new URL("./floor/workflow.ts", import.meta.url)),
  workflowTaskPollerBehavior: { type: "autoscaling", minimum: 2, initial: 10, maximum: 100 },
});

async function cycles(clients: number, durationMs: number) {
  const acquireMs: number[] = [];
  const releaseMs: number[] = [];
  let done = 0;
  const until = Date.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; Date.now() < until; i++) {
        const start = new WithStartWorkflowOperation(floorLockWorkflow, {
          workflowId: `floor-${c}-${randomUUID()}`,
          taskQueue,
          args: [7_200_000],
          workflowIdConflictPolicy: "FAIL",
        });
        let t = performance.now();
        await client.workflow.executeUpdateWithStart(acquireUpdate, { startWorkflowOperation: start });
        acquireMs.push(performance.now() - t);
        const handle = await start.workflowHandle();
        t = performance.now();
        await handle.executeUpdate(releaseUpdate);
        releaseMs.push(performance.now() - t);
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { cycles: done, cyclesPerSecond: Math.round((done / elapsed) * 10) / 10, acquire: percentiles(acquireMs), release: percentiles(releaseMs) };
}

const results: Record<string, unknown> = {};
await worker.runUntil(async () => {
  await cycles(1, 2000); // warm-up
  for (const n of values.levels.split(",").map(Number)) results[`${n} client${n > 1 ? "s" : ""}`] = await cycles(n, Number(values.seconds) * 1000);
});
await connection.close();
console.log(JSON.stringify({ benchmark: "Temporal floor: trivial lock-shaped workflow, no API, no database", results }, null, 2));
