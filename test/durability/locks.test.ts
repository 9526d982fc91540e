import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDb } from "../../src/db/database";
import { migrateToLatest } from "../../src/db/migrate";
import { lockStateQuery } from "../../workflows/task-lock";
import { startTestApp, type TestApp } from "../helpers/app";
import { lockScenario, sleep } from "../helpers/locks";
import { spawnTs, type Spawned, waitUntil } from "../helpers/process";
import { startPrivatePostgres, startPrivateTemporal } from "../helpers/services";

/**
 * What must survive: a lock expires on time whatever restarts in between. Each test runs its own
 * worker process on its own task queue so it can be killed; the API runs in-process.
 */
function spawnWorker(env: Record<string, string>): Spawned {
  return spawnTs("src/worker/main.ts", { LOG_LEVEL: "warn", TEMPORAL_NAMESPACE: inject("namespace"), ...env });
}

async function waitForPoller(app: TestApp, taskQueue: string) {
  const { client } = app.services.temporal;
  await waitUntil(async () => {
    const res = await client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue }, taskQueueType: 1 });
    return (res.pollers?.length ?? 0) > 0;
  }, 60_000, "worker to poll");
}

/** Polls the task rows until each is released; returns how late (ms) each release was seen. */
async function releaseLateness(app: TestApp, projectId: number, deadlines: Map<number, number>, timeoutMs: number) {
  const lateness = new Map<number, number>();
  const until = Date.now() + timeoutMs;
  while (lateness.size < deadlines.size && Date.now() < until) {
    const rows = await app.services.db.selectFrom("tasks").select(["id", "locked_by"]).where("project_id", "=", projectId).where("id", "in", [...deadlines.keys()]).execute();
    const now = Date.now();
    for (const r of rows) if (r.locked_by === null && !lateness.has(r.id)) lateness.set(r.id, now - deadlines.get(r.id)!);
    await sleep(50);
  }
  return lateness;
}

async function lockMany(app: TestApp, s: Awaited<ReturnType<typeof lockScenario>>, taskIds: number[]) {
  const deadlines = new Map<number, number>();
  for (const id of taskIds) {
    const u = await app.user("MAPPER");
    expect((await s.lock(id, u.token)).status).toBe(200);
    deadlines.set(id, (await s.row(id)).lock_expires_at!.getTime());
  }
  return deadlines;
}

describe("a worker killed with SIGKILL while tasks are locked", () => {
  const taskQueue = `tm-durable-worker-${Date.now()}`;
  let app: TestApp;
  let worker: Spawned;
  beforeAll(async () => {
    app = await startTestApp({ TEMPORAL_TASK_QUEUE: taskQueue, TM_TASK_AUTOUNLOCK_AFTER: "15s" });
    worker = spawnWorker({ DATABASE_URL: inject("databaseUrl"), TEMPORAL_TASK_QUEUE: taskQueue });
    await waitForPoller(app, taskQueue);
  });
  afterAll(async () => {
    worker?.child.kill("SIGKILL");
    await app.close();
  });

  it("still releases every lock within one second of its deadline after a restart", async () => {
    const s = await lockScenario(app);
    const deadlines = await lockMany(app, s, [1, 2, 3, 4]);
    worker.child.kill("SIGKILL");
    await worker.exited;
    await sleep(1000);
    worker = spawnWorker({ DATABASE_URL: inject("databaseUrl"), TEMPORAL_TASK_QUEUE: taskQueue });
    const lateness = await releaseLateness(app, s.projectId, deadlines, 40_000);
    expect(lateness.size).toBe(4);
    for (const late of lateness.values()) {
      expect(late).toBeGreaterThan(-100);
      expect(late).toBeLessThan(1000);
    }
    const history = await app.services.db.selectFrom("task_history").select("action").where("project_id", "=", s.projectId).execute();
    expect(history.map((h) => h.action)).toEqual(Array(4).fill("AUTO_UNLOCKED_FOR_MAPPING"));
  });
});

describe("a Temporal server restart (SQLite file kept)", () => {
  const taskQueue = `tm-durable-server-${Date.now()}`;
  let temporal: Awaited<ReturnType<typeof startPrivateTemporal>>;
  let app: TestApp;
  let worker: Spawned;
  beforeAll(async () => {
    temporal = await startPrivateTemporal();
    app = await startTestApp({ TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: "default", TEMPORAL_TASK_QUEUE: taskQueue, TM_TASK_AUTOUNLOCK_AFTER: "12s" });
    worker = spawnWorker({ DATABASE_URL: inject("databaseUrl"), TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: "default", TEMPORAL_TASK_QUEUE: taskQueue });
    await waitForPoller(app, taskQueue);
  });
  afterAll(async () => {
    worker?.child.kill("SIGKILL");
    await app?.close();
    await temporal?.stop();
  });

  it("keeps the timers: locks are released on time after the server comes back", async () => {
    const s = await lockScenario(app);
    const deadlines = await lockMany(app, s, [1, 2]);
    await temporal.kill();
    await sleep(1500);
    await temporal.restart();
    const lateness = await releaseLateness(app, s.projectId, deadlines, 40_000);
    expect(lateness.size).toBe(2);
    for (const late of lateness.values()) expect(late).toBeLessThan(1000);
  });
});

describe("a PostgreSQL restart", () => {
  const taskQueue = `tm-durable-pg-${Date.now()}`;
  let postgres: Awaited<ReturnType<typeof startPrivatePostgres>>;
  let app: TestApp;
  let worker: Spawned;
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    const db = createDb(postgres.url, { max: 1 });
    await migrateToLatest(db);
    await db.destroy();
    app = await startTestApp({ DATABASE_URL: postgres.url, TEMPORAL_TASK_QUEUE: taskQueue, TM_TASK_AUTOUNLOCK_AFTER: "6s" });
    worker = spawnWorker({ DATABASE_URL: postgres.url, TEMPORAL_TASK_QUEUE: taskQueue });
    await waitForPoller(app, taskQueue);
  });
  afterAll(async () => {
    worker?.child.kill("SIGKILL");
    await app?.close();
    postgres?.destroy();
  });

  it("lets the expiry activity retry until the database is back, then succeed", async () => {
    const s = await lockScenario(app);
    const deadlines = await lockMany(app, s, [1]);
    postgres.stop();
    await sleep(deadlines.get(1)! - Date.now() + 2000); // the timer fires while PostgreSQL is down
    postgres.start();
    const lateness = await releaseLateness(app, s.projectId, deadlines, 30_000);
    expect(lateness.size).toBe(1);
    expect(await s.history(1)).toMatchObject([{ action: "AUTO_UNLOCKED_FOR_MAPPING" }]);
  });
});

describe("the API killed in the middle of lock requests", () => {
  it("leaves no lock without a workflow and no workflow without its lock", async () => {
    const app = await startTestApp({ TM_TASK_AUTOUNLOCK_AFTER: "1h" });
    const { freePort } = await import("../helpers/process");
    const port = await freePort();
    try {
      const s = await lockScenario(app, { size: 4 });
      const users = await Promise.all(Array.from({ length: 16 }, () => app.user("MAPPER")));
      const api = spawnTs("src/api/server.ts", { DATABASE_URL: inject("databaseUrl"), TEMPORAL_TASK_QUEUE: inject("taskQueue"), TEMPORAL_NAMESPACE: inject("namespace"), PORT: String(port), HOST: "127.0.0.1", TM_TASK_AUTOUNLOCK_AFTER: "1h", LOG_LEVEL: "warn" });
      await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/api/v2/system/languages/`)).ok, 30_000, "API");
      const inFlight = users.map((u, i) =>
        fetch(`http://127.0.0.1:${port}/api/v2/projects/${s.projectId}/tasks/actions/lock-for-mapping/${i + 1}/`, { method: "POST", headers: { Authorization: `Token ${u.token}` } }).catch(() => undefined),
      );
      await sleep(60);
      api.child.kill("SIGKILL");
      await Promise.all(inFlight);
      await sleep(3000); // let every request the server accepted settle

      const locked = await app.services.db.selectFrom("tasks").select(["id", "lock_workflow_id", "lock_token", "locked_by"]).where("project_id", "=", s.projectId).where("locked_by", "is not", null).execute();
      for (const task of locked) {
        const state = await app.services.temporal.client.workflow.getHandle(task.lock_workflow_id!, task.lock_token!).query(lockStateQuery);
        expect(state).toMatchObject({ phase: "held", holderId: task.locked_by });
      }
      const running: string[] = [];
      for await (const wf of app.services.temporal.client.workflow.list({ query: `ProjectId = ${s.projectId} AND ExecutionStatus = "Running"` })) running.push(wf.workflowId);
      for (const workflowId of running) {
        const state = await app.services.temporal.client.workflow.getHandle(workflowId).query(lockStateQuery);
        if (state.phase === "held") expect(locked.map((t) => t.lock_workflow_id)).toContain(workflowId);
        else expect(["pending", "abandoned"]).toContain(state.phase); // never acquired: holds nothing, ends by itself
      }
    } finally {
      await app.close();
    }
  });
});
