import { readFileSync } from "node:fs";
import { createTestDatabase } from "../../test/helpers/database";
import { freePort, spawnTs, type Spawned, waitUntil } from "../../test/helpers/process";

/** Resident memory of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** The child node process of a tsx launcher (tsx runs the script in a child). */
export function nodePid(spawned: Spawned): number {
  return spawned.child.pid!;
}

/**
 * The real stack as separate processes, as `npm start` runs it: a fresh database, a worker on its own
 * task queue, and the API on a free port — so their memory can be read separately.
 */
export async function startProcessStack(env: Record<string, string> = {}) {
  const id = `${Date.now().toString(36)}_${process.pid}`;
  const { url, drop } = await createTestDatabase(process.env.DATABASE_URL ?? "postgres://tm:tm@127.0.0.1:5432/tasking_manager", `tm_bench_${id}`);
  const port = await freePort();
  const common = { DATABASE_URL: url, TEMPORAL_TASK_QUEUE: `tm-bench-${id}`, LOG_LEVEL: "warn", TM_LOG_REQUESTS: "false", ...env };
  // BENCH_WORKERS > 1 runs several worker processes on the task queue (to see whether the worker limits throughput).
  const workers = Array.from({ length: Number(process.env.BENCH_WORKERS ?? 1) }, () => spawnTs("src/worker/main.ts", common));
  const worker = workers[0]!;
  const api = spawnTs("src/api/server.ts", { ...common, PORT: String(port), HOST: "127.0.0.1" });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${baseUrl}/api/v2/system/heartbeat/`)).ok, 60_000, "API and Temporal");
  return {
    baseUrl,
    databaseUrl: url,
    taskQueue: common.TEMPORAL_TASK_QUEUE,
    memory: () => ({ apiMiB: rssMiB(nodePid(api)), workerMiB: rssMiB(nodePid(worker)) }),
    async close() {
      api.child.kill("SIGTERM");
      for (const w of workers) w.child.kill("SIGTERM");
      await Promise.all([api.exited, ...workers.map((w) => w.exited)]);
      await drop();
    },
  };
}

export function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  const round = (n: number) => Math.round(n * 10) / 10;
  return { n: sorted.length, p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), max: round(sorted.at(-1) ?? NaN) };
}
