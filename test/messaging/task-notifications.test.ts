import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { lockScenario, mapTasks } from "../helpers/locks";

describe("validation notifications to the mapper", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());


  const inbox = async (token: string) => (await app.request("GET", "/api/v2/notifications/?sortDirection=asc", { token })).body.userMessages;

  it("tells the mapper when a validator validates or invalidates their task, with the validator's comment", async () => {
    const s = await lockScenario(app);
    await mapTasks(s, [1, 2]);
    expect(await inbox(s.mapper.token)).toEqual([]);

    expect((await s.lockValidation([1, 2], s.validator.token)).status).toBe(200);
    const done = await s.validate([{ taskId: 1, status: "VALIDATED", comment: "Good work" }, { taskId: 2, status: "INVALIDATED", comment: "Missed the school" }], s.validator.token);
    expect(done.status).toBe(200);

    const name = `Fixture project ${s.projectId}`;
    const messages = await inbox(s.mapper.token);
    expect(messages).toEqual([
      expect.objectContaining({
        messageType: "VALIDATION_NOTIFICATION",
        subject: `Task 1 mapped by you in Project ${name} #${s.projectId} has been validated`,
        message: expect.stringContaining("Good work"),
        fromUsername: s.validator.username,
        projectId: s.projectId,
        projectTitle: name,
        taskId: 1,
        read: false,
      }),
      expect.objectContaining({
        messageType: "INVALIDATION_NOTIFICATION",
        subject: `Task 2 mapped by you in Project ${name} #${s.projectId} has been marked invalid`,
        message: expect.stringContaining("Missed the school"),
        taskId: 2,
      }),
    ]);
    expect(await inbox(s.validator.token)).toEqual([]);
    const count = await app.request("GET", "/api/v2/notifications/queries/own/count-unread/", { token: s.mapper.token });
    expect(count.body).toEqual({ newMessages: true, unread: 2 });
  });

  it("respects the mapper's task_validation_notification and task_invalidation_notification settings", async () => {
    const s = await lockScenario(app, { size: 4 });
    await mapTasks(s, [1, 2, 3, 4]);
    await app.services.db.updateTable("users").set({ task_validation_notification: false }).where("id", "=", s.mapper.id).execute();
    await s.lockValidation([1, 2], s.validator.token);
    await s.validate([{ taskId: 1, status: "VALIDATED" }, { taskId: 2, status: "INVALIDATED" }], s.validator.token);
    expect((await inbox(s.mapper.token)).map((m: { messageType: string; taskId: number }) => `${m.messageType}:${m.taskId}`)).toEqual(["INVALIDATION_NOTIFICATION:2"]);

    await app.services.db.updateTable("users").set({ task_validation_notification: true, task_invalidation_notification: false }).where("id", "=", s.mapper.id).execute();
    await s.lockValidation([3, 4], s.validator.token);
    await s.validate([{ taskId: 3, status: "VALIDATED" }, { taskId: 4, status: "INVALIDATED" }], s.validator.token);
    expect((await inbox(s.mapper.token)).map((m: { messageType: string; taskId: number }) => `${m.messageType}:${m.taskId}`)).toEqual([
      "INVALIDATION_NOTIFICATION:2",
      "VALIDATION_NOTIFICATION:3",
    ]);
    const [validated] = await inbox(s.mapper.token).then((all) => all.filter((m: { taskId: number }) => m.taskId === 3));
    expect(validated.message).toContain("Thank you");
  });
});
