import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { createWorker } from "../../src/worker/worker";
import { messagingProgressQuery } from "../../workflows/message-contributors";
import { startTestApp, type TestApp } from "../helpers/app";
import { broadcastsBySender, insertContributors } from "../helpers/contributors";
import { insertOrganisation, insertProject } from "../helpers/fixtures";
import { sleep } from "../helpers/locks";
import { waitUntil } from "../helpers/process";
import { type SmtpStandIn, startSmtpStandIn } from "../helpers/stand-in";

type User = Awaited<ReturnType<TestApp["user"]>>;

/** The message-contributors runs Temporal lists for a query, waited for until `count` appear. */
async function messagingRuns(app: TestApp, query: string, count = 1): Promise<string[]> {
  let ids: string[] = [];
  await waitUntil(async () => {
    ids = [];
    for await (const wf of app.services.temporal.client.workflow.list({ query: `BulkOperation = "MESSAGE_CONTRIBUTORS" AND ${query}` })) ids.push(wf.workflowId);
    return ids.length >= count;
  }, 20_000, "messaging workflow in the visibility store");
  return ids;
}

async function messagingScenario(app: TestApp) {
  const manager = await app.user("MAPPER");
  const org = await insertOrganisation(app.services.db, [manager.id]);
  const project = await insertProject(app.services.db, { authorId: manager.id, organisationId: org.id, size: 2, name: "Lamu roads" });
  return { manager, ...project };
}

const body = { subject: "Thank you", message: "Great mapping, **everyone**." };

describe("message-contributors", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  const messageProject = (projectId: number, token: string | undefined, b: unknown = body) =>
    app.request("POST", `/api/v2/projects/${projectId}/actions/message-contributors/`, { token, body: b });
  const messageCampaign = (campaignId: number, token: string | undefined, b: unknown = body) =>
    app.request("POST", `/api/v2/campaigns/${campaignId}/actions/message-contributors/`, { token, body: b });

  it("refuses empty messages (EmptyMessage), non-managers, non-admins for campaigns and unknown ids, starting nothing", async () => {
    const s = await messagingScenario(app);
    await insertContributors(app.services.db, s.projectId, 2);
    const [mapper, admin] = [await app.user("MAPPER"), await app.user("ADMIN")];
    const campaign = await app.services.db.insertInto("campaigns").values({ name: `Campaign ${Date.now()}-${Math.random()}` }).returning("id").executeTakeFirstOrThrow();

    for (const bad of [{ subject: "  ", message: "hi" }, { subject: "hi", message: "\n\t" }, { subject: "hi" }, {}]) {
      const res = await messageProject(s.projectId, s.manager.token, bad);
      expect(res.status).toBe(400);
      expect(res.body.SubCode).toBe("EmptyMessage");
      expect((await messageCampaign(campaign.id, admin.token, bad)).body.SubCode).toBe("EmptyMessage");
    }
    expect((await messageProject(s.projectId, s.manager.token, { subject: 5, message: "x" })).status).toBe(400);

    const notManager = await messageProject(s.projectId, mapper.token);
    expect(notManager.status).toBe(403);
    expect(notManager.body.SubCode).toBe("UserPermissionError");
    expect((await messageProject(999_999, admin.token)).status).toBe(404);
    expect((await messageProject(s.projectId, undefined)).status).toBe(401);

    const notAdmin = await messageCampaign(campaign.id, s.manager.token);
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.SubCode).toBe("OnlyAdminAccess");
    expect((await messageCampaign(999_999, admin.token)).status).toBe(404);

    await sleep(1500);
    const runs: string[] = [];
    for await (const wf of app.services.temporal.client.workflow.list({ query: `BulkOperation = "MESSAGE_CONTRIBUTORS" AND ProjectId = ${s.projectId}` })) runs.push(wf.workflowId);
    expect(runs).toEqual([]);
    const messages = await app.services.db.selectFrom("messages").select("id").where("message_type", "=", "BROADCAST").where("project_id", "=", s.projectId).execute();
    expect(messages).toEqual([]);
  });

  it("gives every contributor of the project exactly one message; the sender, non-contributors and opted-out users none", async () => {
    const s = await messagingScenario(app);
    const { db } = app.services;
    const contributors = await insertContributors(db, s.projectId, 25);
    const [commenter, optedOut, outsider] = [await app.user(), await app.user(), await app.user()];
    await db
      .insertInto("task_history")
      .values([
        { project_id: s.projectId, task_id: 1, action: "COMMENT", action_text: "nice", user_id: commenter.id },
        { project_id: s.projectId, task_id: 2, action: "STATE_CHANGE", action_text: "MAPPED", user_id: optedOut.id },
        { project_id: s.projectId, task_id: 2, action: "STATE_CHANGE", action_text: "VALIDATED", user_id: s.manager.id },
        // A contributor with several state changes still gets one message.
        { project_id: s.projectId, task_id: 2, action: "STATE_CHANGE", action_text: "VALIDATED", user_id: contributors[0]! },
      ])
      .execute();
    await db.updateTable("users").set({ projects_notifications: false }).where("id", "=", optedOut.id).execute();

    const res = await messageProject(s.projectId, s.manager.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ Success: "Messages started" });

    const [workflowId] = await messagingRuns(app, `ProjectId = ${s.projectId}`);
    expect(workflowId).toMatch(new RegExp(`^project-${s.projectId}/message/[0-9a-f-]{36}$`));
    const handle = app.services.temporal.client.workflow.getHandle(workflowId!);
    expect(await handle.result()).toEqual({ sent: 25, total: 25, emailed: 0 });
    expect(await handle.query(messagingProgressQuery)).toEqual({ sent: 25, total: 25, emailed: 0 });
    expect((await handle.describe()).memo).toMatchObject({ description: expect.stringContaining(`project ${s.projectId}`) });

    const received = await broadcastsBySender(db, s.manager.id);
    expect([...received.keys()].sort()).toEqual([...contributors].sort());
    expect([...received.values()].every((n) => n === 1)).toBe(true);
    for (const user of [commenter, optedOut, outsider]) expect(received.has(user.id)).toBe(false);

    const contributor = contributors[1]!;
    const inbox = await db.selectFrom("messages").selectAll().where("to_user_id", "=", contributor).executeTakeFirstOrThrow();
    expect(inbox).toMatchObject({ subject: "Thank you", project_id: s.projectId, from_user_id: s.manager.id, read: false, idempotency_key: `${workflowId}:${contributor}` });
    expect(inbox.message).toBe(`A message from Lamu roads #${s.projectId} managers:\n\nGreat mapping, **everyone**.`);
    const snapshot = await db.selectFrom("message_recipients").select("user_id").where("workflow_id", "=", workflowId!).execute();
    expect(snapshot).toEqual([]); // forgotten once the run finished
  });

  it("messages the contributors of every project of a campaign once each (admins only)", async () => {
    const { db } = app.services;
    const admin = await app.user("ADMIN");
    const [a, b, outside] = [await messagingScenario(app), await messagingScenario(app), await messagingScenario(app)];
    const campaign = await db.insertInto("campaigns").values({ name: `Campaign ${Date.now()}-${Math.random()}` }).returning(["id", "name"]).executeTakeFirstOrThrow();
    await db.insertInto("campaign_projects").values([a, b].map((p) => ({ campaign_id: campaign.id, project_id: p.projectId }))).execute();
    const inA = await insertContributors(db, a.projectId, 4);
    const inB = await insertContributors(db, b.projectId, 3);
    const inOutside = await insertContributors(db, outside.projectId, 2);
    await db.insertInto("task_history").values({ project_id: b.projectId, task_id: 1, action: "STATE_CHANGE", action_text: "MAPPED", user_id: inA[0]! }).execute();

    const res = await messageCampaign(campaign.id, admin.token);
    expect(res.body).toEqual({ Success: "Messages started" });
    const expected = [...inA, ...inB].sort();
    await waitUntil(async () => (await broadcastsBySender(db, admin.id)).size === expected.length, 20_000, "campaign messages");
    await sleep(500);
    const received = await broadcastsBySender(db, admin.id);
    expect([...received.keys()].sort()).toEqual(expected);
    expect([...received.values()].every((n) => n === 1)).toBe(true);
    for (const id of inOutside) expect(received.has(id)).toBe(false);
    const one = await db.selectFrom("messages").select(["project_id", "message"]).where("to_user_id", "=", inB[0]!).executeTakeFirstOrThrow();
    expect(one).toEqual({ project_id: null, message: `A message from campaign ${campaign.name} managers:\n\nGreat mapping, **everyone**.` });
  });
});

describe("message-contributors with email (TM_SMTP_HOST set)", () => {
  const taskQueue = `tm-test-email-${Date.now()}`;
  let smtp: SmtpStandIn;
  let worker: Awaited<ReturnType<typeof createWorker>>;
  let running: Promise<void>;
  let app: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpStandIn();
    const port = smtp.port;
    const env = { TM_SMTP_HOST: "127.0.0.1", TM_SMTP_PORT: String(port), TM_EMAIL_FROM_ADDRESS: "tasks@example.org" };
    const cfg = loadConfig({ ...process.env, DATABASE_URL: inject("databaseUrl"), TEMPORAL_NAMESPACE: inject("namespace"), TEMPORAL_TASK_QUEUE: taskQueue, ...env });
    worker = await createWorker(cfg, createLogger("warn", "email-worker"));
    running = worker.worker.run();
    app = await startTestApp({ TEMPORAL_TASK_QUEUE: taskQueue });
  });
  afterAll(async () => {
    await app?.close();
    worker?.worker.shutdown();
    await running;
    await worker?.close();
    await smtp.close();
  });

  it("emails the message to contributors with a verified address, once, and records it", async () => {
    const { db } = app.services;
    const s = await messagingScenario(app);
    const [verified, unverified, noAddress] = await insertContributors(db, s.projectId, 3);
    await db.updateTable("users").set({ email_address: "verified@example.org", is_email_verified: true }).where("id", "=", verified!).execute();
    await db.updateTable("users").set({ email_address: "unverified@example.org", is_email_verified: false }).where("id", "=", unverified!).execute();
    await db.updateTable("users").set({ is_email_verified: true }).where("id", "=", noAddress!).execute();

    expect((await app.request("POST", `/api/v2/projects/${s.projectId}/actions/message-contributors/`, { token: s.manager.token, body })).status).toBe(200);
    const [workflowId] = await messagingRuns(app, `ProjectId = ${s.projectId}`);
    expect(await app.services.temporal.client.workflow.getHandle(workflowId!).result()).toEqual({ sent: 3, total: 3, emailed: 1 });

    expect(smtp.delivered).toHaveLength(1);
    expect(smtp.delivered[0]!.to).toEqual(["verified@example.org"]);
    expect(smtp.delivered[0]!.data).toContain("Subject: Thank you");
    expect(smtp.delivered[0]!.data).toContain("From: tasks@example.org");
    expect(smtp.delivered[0]!.data).toContain(`A message from Lamu roads #${s.projectId} managers:`);
    const emailed = await db.selectFrom("messages").select(["to_user_id", "emailed_at"]).where("from_user_id", "=", s.manager.id).execute();
    expect(emailed.filter((m) => m.emailed_at !== null).map((m) => m.to_user_id)).toEqual([verified]);
  });
});
