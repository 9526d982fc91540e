import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { releaseTaskLock } from "../../src/db/queries/task-locks";
import { bulkWorkflowId } from "../../src/domain/tasks/bulk";
import { lockWorkflowId } from "../../src/domain/tasks/state-machine";
import { bulkProgressQuery } from "../../workflows/bulk-task-operation";

import { startTestApp, type TestApp } from "../helpers/app";
import { lockScenario, sleep } from "../helpers/locks";
import { spawnTs, waitUntil } from "../helpers/process";

type Scenario = Awaited<ReturnType<typeof lockScenario>>;

async function setStatuses(app: TestApp, s: Scenario, statuses: Record<number, string>, mapper?: number) {
  for (const [id, status] of Object.entries(statuses)) {
    await app.services.db
      .updateTable("tasks")
      .set({ task_status: status as never, mapped_by: status === "READY" ? null : (mapper ?? null) })
      .where("project_id", "=", s.projectId)
      .where("id", "=", Number(id))
      .execute();
  }
}

const statuses = async (app: TestApp, projectId: number) =>
  (await app.services.db.selectFrom("tasks").select(["id", "task_status"]).where("project_id", "=", projectId).orderBy("id").execute()).map((t) => t.task_status);

describe("bulk task operations", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  const post = (s: Scenario, action: string, token?: string) => app.request("POST", `/api/v2/projects/${s.projectId}/tasks/actions/${action}/`, { token });

  it("reset-all ends every lock through its workflow, resets every task and keeps history", async () => {
    const s = await lockScenario(app);
    await setStatuses(app, s, { 2: "MAPPED", 3: "VALIDATED", 4: "BADIMAGERY", 5: "INVALIDATED", 6: "MAPPED" }, s.mapper.id);
    expect((await s.lock(1, s.mapper.token)).status).toBe(200);
    expect((await s.lockValidation([6], s.validator.token)).status).toBe(200);

    const res = await post(s, "reset-all", s.manager.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ Success: "All tasks reset" });
    expect(await statuses(app, s.projectId)).toEqual(Array(9).fill("READY"));
    const leftovers = await app.services.db.selectFrom("tasks").select("id").where("project_id", "=", s.projectId).where((eb) => eb.or([eb("locked_by", "is not", null), eb("mapped_by", "is not", null)])).execute();
    expect(leftovers).toEqual([]);

    const lock = app.services.temporal.client.workflow.getHandle(lockWorkflowId(s.projectId, [1]));
    expect((await lock.result()).phase).toBe("overridden");
    const history = await s.history(1);
    expect(history.map((h) => h.action)).toEqual(["LOCKED_FOR_MAPPING", "STATE_CHANGE"]);
    expect(history[0]!.action_text).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(history[1]).toMatchObject({ action_text: "READY", user_id: s.manager.id });
    expect(await s.history(7)).toEqual([]); // already READY: untouched

    const late = await s.unlock(1, s.mapper.token);
    expect(late.status).toBe(403);
    expect(late.body.SubCode).toBe("LockBeforeUnlocking");
    const counters = await app.services.db.selectFrom("projects").select(["tasks_mapped", "tasks_validated", "tasks_bad_imagery"]).where("id", "=", s.projectId).executeTakeFirstOrThrow();
    expect(counters).toEqual({ tasks_mapped: 0, tasks_validated: 0, tasks_bad_imagery: 0 });
    const progress = await app.services.temporal.client.workflow.getHandle(bulkWorkflowId(s.projectId)).query(bulkProgressQuery);
    expect(progress).toMatchObject({ operation: "RESET_ALL", phase: "done", total: 6, changed: 6, locksOverridden: 2 });
  });

  it("a lock's timer firing after the bulk operation changes nothing (fenced)", async () => {
    const s = await lockScenario(app);
    await s.lock(2, s.mapper.token);
    const { lock_token } = await s.row(2);
    expect((await post(s, "map-all", s.manager.token)).status).toBe(200);
    const before = await s.row(2);
    // The expiry the overridden workflow would have run, arriving late with its old token:
    const late = await releaseTaskLock(app.services.db, { projectId: s.projectId, token: lock_token!, userId: s.mapper.id, mode: "MAPPING", kind: "EXPIRE", outcomes: [] });
    expect(late.released).toEqual([]);
    expect(await s.row(2)).toEqual(before);
    expect(before.task_status).toBe("MAPPED");
  });

  it("map-all, validate-all, invalidate-all and reset-all-badimagery change what the official API changes", async () => {
    const s = await lockScenario(app);
    await setStatuses(app, s, { 1: "BADIMAGERY", 2: "VALIDATED", 3: "MAPPED", 4: "INVALIDATED" }, s.mapper.id);
    expect((await post(s, "map-all", s.manager.token)).body).toEqual({ Success: "All tasks mapped" });
    expect(await statuses(app, s.projectId)).toEqual(["BADIMAGERY", "VALIDATED", ...Array(7).fill("MAPPED")]);
    expect((await post(s, "validate-all", s.manager.token)).body).toEqual({ Success: "All tasks validated" });
    expect(await statuses(app, s.projectId)).toEqual(["BADIMAGERY", ...Array(8).fill("VALIDATED")]);
    expect((await s.row(5)).validated_by).toBe(s.manager.id);
    expect((await post(s, "invalidate-all", s.manager.token)).body).toEqual({ Success: "All tasks invalidated" });
    expect(await statuses(app, s.projectId)).toEqual(["BADIMAGERY", ...Array(8).fill("INVALIDATED")]);
    expect((await post(s, "reset-all-badimagery", s.manager.token)).body).toEqual({ Success: "All bad imagery tasks marked ready for mapping" });
    expect(await statuses(app, s.projectId)).toEqual(["READY", ...Array(8).fill("INVALIDATED")]);
    expect((await s.history(5)).map((h) => h.action_text)).toEqual(["MAPPED", "VALIDATED", "INVALIDATED"]);
  });

  it("reset-by-user reverts one user's BADIMAGERY or VALIDATED marks", async () => {
    const s = await lockScenario(app);
    await setStatuses(app, s, { 1: "BADIMAGERY", 2: "BADIMAGERY" }, s.mapper.id);
    await setStatuses(app, s, { 3: "BADIMAGERY" }, s.validator.id);
    await app.services.db.updateTable("tasks").set({ task_status: "VALIDATED", mapped_by: s.mapper.id, validated_by: s.validator.id }).where("project_id", "=", s.projectId).where("id", "in", [4, 5]).execute();
    const url = (q: string) => `/api/v2/projects/${s.projectId}/tasks/actions/reset-by-user/?${q}`;
    expect((await app.request("POST", url(`username=${s.mapper.username}&action=BADIMAGERY`), { token: s.manager.token })).body).toEqual({ Success: "Successfully reverted tasks" });
    expect((await app.request("POST", url(`username=${s.validator.username}&action=VALIDATED`), { token: s.manager.token })).status).toBe(200);
    expect(await statuses(app, s.projectId)).toEqual(["READY", "READY", "BADIMAGERY", "MAPPED", "MAPPED", "READY", "READY", "READY", "READY"]);
    expect((await app.request("POST", url("action=VALIDATED"), { token: s.manager.token })).status).toBe(400);
    expect((await app.request("POST", url(`username=${s.mapper.username}&action=MAPPED`), { token: s.manager.token })).status).toBe(400);
    const unknown = await app.request("POST", url("username=nobody-at-all&action=VALIDATED"), { token: s.manager.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.SubCode).toBe("UserNotFound");
  });

  it("refuses anyone who does not manage the project, starting no workflow", async () => {
    const s = await lockScenario(app);
    await setStatuses(app, s, { 1: "MAPPED" }, s.mapper.id);
    expect((await post(s, "reset-all")).status).toBe(401);
    const mapper = await post(s, "reset-all", s.mapper.token);
    expect(mapper.status).toBe(403);
    expect(mapper.body.SubCode).toBe("UserPermissionError");
    expect((await app.request("POST", "/api/v2/projects/999999/tasks/actions/reset-all/", { token: s.manager.token })).status).toBe(404);
    await expect(app.services.temporal.client.workflow.getHandle(bulkWorkflowId(s.projectId)).describe()).rejects.toThrow();
    expect(await statuses(app, s.projectId)).toContain("MAPPED");
  });

  it("never runs two bulk operations on a project at once", async () => {
    const s = await lockScenario(app, { size: 40 });
    await app.services.db.updateTable("tasks").set({ task_status: "MAPPED" }).where("project_id", "=", s.projectId).execute();
    const [a, b] = await Promise.all([post(s, "reset-all", s.manager.token), sleep(30).then(() => post(s, "validate-all", s.manager.token))]);
    const codes = [a.status, b.status].sort();
    expect(codes).toEqual([200, 409]);
    expect([a, b].find((r) => r.status === 409)!.body.SubCode).toBe("BulkOperationInProgress");
    const history = await app.services.db.selectFrom("task_history").select(["task_id", "action_text"]).where("project_id", "=", s.projectId).execute();
    expect(history).toHaveLength(1600);
    expect(new Set(history.map((h) => h.action_text)).size).toBe(1); // one operation's rows only
  });
});

describe("bulk operations beyond the wait", () => {
  it("answer 202 with the workflow id, and the workflow carries on", async () => {
    const app = await startTestApp({ TM_BULK_WAIT: "1ms" });
    try {
      const s = await lockScenario(app, { size: 20 });
      await app.services.db.updateTable("tasks").set({ task_status: "BADIMAGERY" }).where("project_id", "=", s.projectId).execute();
      const res = await app.request("POST", `/api/v2/projects/${s.projectId}/tasks/actions/reset-all-badimagery/`, { token: s.manager.token });
      expect(res.status).toBe(202);
      expect(res.body.workflowId).toBe(bulkWorkflowId(s.projectId));
      await app.services.temporal.client.workflow.getHandle(res.body.workflowId).result();
      expect(new Set(await statuses(app, s.projectId))).toEqual(new Set(["READY"]));
    } finally {
      await app.close();
    }
  });
});

describe("a worker killed in the middle of reset-all", () => {
  it("finishes after a restart with no task changed twice and no history row doubled", async () => {
    const taskQueue = `tm-bulk-crash-${Date.now()}`;
    const app = await startTestApp({ TEMPORAL_TASK_QUEUE: taskQueue, TM_BULK_WAIT: "1ms" });
    let worker = spawnTs("src/worker/main.ts", { DATABASE_URL: inject("databaseUrl"), TEMPORAL_NAMESPACE: inject("namespace"), TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: "warn" });
    try {
      const s = await lockScenario(app, { size: 100 }); // 10,000 tasks
      await app.services.db.updateTable("tasks").set({ task_status: "MAPPED" }).where("project_id", "=", s.projectId).execute();
      await waitUntil(async () => (await app.request("GET", "/api/v2/system/heartbeat/")).status === 200, 30_000, "API");
      const res = await app.request("POST", `/api/v2/projects/${s.projectId}/tasks/actions/reset-all/`, { token: s.manager.token });
      expect(res.status).toBe(202);
      const changedSoFar = async () =>
        Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks WHERE project_id = ${s.projectId} AND task_status = 'READY'`.execute(app.services.db)).rows[0]!.n);
      await waitUntil(async () => (await changedSoFar()) > 0, 60_000, "the reset to start changing tasks");
      worker.child.kill("SIGKILL");
      await worker.exited;
      const atKill = await changedSoFar();
      expect(atKill).toBeLessThan(10_000);
      worker = spawnTs("src/worker/main.ts", { DATABASE_URL: inject("databaseUrl"), TEMPORAL_NAMESPACE: inject("namespace"), TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: "warn" });
      const progress = await app.services.temporal.client.workflow.getHandle(bulkWorkflowId(s.projectId)).result();
      expect(progress).toMatchObject({ phase: "done", total: 10_000, done: 10_000, changed: 10_000 });
      expect(await changedSoFar()).toBe(10_000);
      const doubled = await sql`SELECT task_id FROM task_history WHERE project_id = ${s.projectId} GROUP BY task_id HAVING count(*) > 1`.execute(app.services.db);
      expect(doubled.rows).toEqual([]);
      const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM task_history WHERE project_id = ${s.projectId}`.execute(app.services.db);
      expect(rows.rows[0]!.n).toBe(10_000);
    } finally {
      worker.child.kill("SIGKILL");
      await app.close();
    }
  });
});

