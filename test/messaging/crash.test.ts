import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertContributors } from "../helpers/contributors";
import { insertOrganisation, insertProject } from "../helpers/fixtures";
import { sleep } from "../helpers/locks";
import { spawnTs, type Spawned, waitUntil } from "../helpers/process";

/**
 * A worker process killed with SIGKILL halfway through messaging thousands of contributors: after a
 * restart the run finishes and every recipient has exactly one message.
 */
describe("a worker killed in the middle of message-contributors", () => {
  const taskQueue = `tm-messaging-crash-${Date.now()}`;
  const CONTRIBUTORS = 6000;
  let app: TestApp;
  let worker: Spawned;
  const spawnWorker = () =>
    spawnTs("src/worker/main.ts", { LOG_LEVEL: "warn", DATABASE_URL: inject("databaseUrl"), TEMPORAL_NAMESPACE: inject("namespace"), TEMPORAL_TASK_QUEUE: taskQueue });

  async function waitForPoller() {
    const { client } = app.services.temporal;
    await waitUntil(async () => {
      const res = await client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue }, taskQueueType: 1 });
      return (res.pollers?.length ?? 0) > 0;
    }, 90_000, "worker to poll");
  }

  beforeAll(async () => {
    // Small batches so the kill lands while most batches are still to come.
    app = await startTestApp({ TEMPORAL_TASK_QUEUE: taskQueue, TM_MESSAGE_BATCH_SIZE: "50" });
    worker = spawnWorker();
    await waitForPoller();
  });
  afterAll(async () => {
    worker?.child.kill("SIGKILL");
    await app?.close();
  });

  it("finishes after a restart with exactly one message per recipient", { timeout: 240_000 }, async () => {
    const { db } = app.services;
    const manager = await app.user("MAPPER");
    const org = await insertOrganisation(db, [manager.id]);
    const { projectId } = await insertProject(db, { authorId: manager.id, organisationId: org.id, size: 1 });
    const contributors = await insertContributors(db, projectId, CONTRIBUTORS);
    const sent = async () => Number((await db.selectFrom("messages").select((eb) => eb.fn.countAll<number>().as("n")).where("from_user_id", "=", manager.id).executeTakeFirstOrThrow()).n);

    const res = await app.request("POST", `/api/v2/projects/${projectId}/actions/message-contributors/`, { token: manager.token, body: { subject: "Crash", message: "Still exactly once" } });
    expect(res.body).toEqual({ Success: "Messages started" });
    await waitUntil(async () => (await sent()) >= 1000, 60_000, "the first thousand messages");
    worker.child.kill("SIGKILL");
    await worker.exited;
    const atKill = await sent();
    expect(atKill).toBeLessThan(CONTRIBUTORS); // the kill landed mid-way

    await sleep(1000);
    worker = spawnWorker();
    let workflowId: string | undefined;
    await waitUntil(async () => {
      for await (const wf of app.services.temporal.client.workflow.list({ query: `BulkOperation = "MESSAGE_CONTRIBUTORS" AND ProjectId = ${projectId}` })) workflowId = wf.workflowId;
      return workflowId !== undefined;
    }, 30_000, "the messaging run");
    const result = await app.services.temporal.client.workflow.getHandle(workflowId!).result();
    expect(result).toEqual({ sent: CONTRIBUTORS, total: CONTRIBUTORS, emailed: 0 });

    expect(await sent()).toBe(CONTRIBUTORS);
    const duplicates = await sql<{ to_user_id: number }>`
      SELECT to_user_id FROM messages WHERE from_user_id = ${manager.id} GROUP BY to_user_id HAVING count(*) > 1
    `.execute(db);
    expect(duplicates.rows).toEqual([]);
    const recipients = await db.selectFrom("messages").select("to_user_id").where("from_user_id", "=", manager.id).execute();
    expect(new Set(recipients.map((r) => r.to_user_id))).toEqual(new Set(contributors));
    console.info(`message-contributors crash test: ${atKill} of ${CONTRIBUTORS} messages written when the worker was killed`);
  });
});
