import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { lockScenario, sleep } from "../helpers/locks";
import { waitUntil } from "../helpers/process";

/** The lock workflow warns its holder before the deadline and tells them when it released the lock itself. */
describe("lock expiry notifications", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TM_TASK_AUTOUNLOCK_AFTER: "4s", TM_LOCK_EXPIRY_WARNING: "2s" });
  });
  afterAll(() => app.close());

  const notices = (userId: number) =>
    app.services.db
      .selectFrom("messages")
      .select(["message_type", "subject", "date", "task_id", "project_id"])
      .where("to_user_id", "=", userId)
      .orderBy("id")
      .execute();

  it("warns the holder about two seconds before the deadline, then reports the automatic release", async () => {
    const s = await lockScenario(app);
    expect((await s.lock(1, s.mapper.token)).status).toBe(200);
    const deadline = (await s.row(1)).lock_expires_at!.getTime();

    await waitUntil(async () => (await notices(s.mapper.id)).length === 2, 15_000, "both notices");
    const [warning, released] = await notices(s.mapper.id);
    expect(warning).toMatchObject({ message_type: "LOCK_EXPIRY_WARNING", task_id: 1, project_id: s.projectId, subject: `Your mapping lock on Task 1 of Project Fixture project ${s.projectId} #${s.projectId} expires soon` });
    expect(warning!.date.getTime() - (deadline - 2000)).toBeGreaterThan(-300);
    expect(warning!.date.getTime()).toBeLessThan(deadline - 500);
    expect(released).toMatchObject({ message_type: "LOCK_AUTO_RELEASED", task_id: 1 });
    expect(released!.date.getTime()).toBeGreaterThanOrEqual(deadline - 50);
    expect((await s.row(1)).locked_by).toBeNull();

    const listed = await app.request("GET", "/api/v2/notifications/?messageType=LOCK_EXPIRY_WARNING,LOCK_AUTO_RELEASED", { token: s.mapper.token });
    expect(listed.body.userMessages.map((m: { messageType: string }) => m.messageType)).toEqual(["LOCK_AUTO_RELEASED", "LOCK_EXPIRY_WARNING"]);
  });

  it("sends nothing when the holder hands the task in before the warning", async () => {
    const s = await lockScenario(app);
    expect((await s.lock(1, s.mapper.token)).status).toBe(200);
    expect((await s.unlock(1, s.mapper.token, "MAPPED")).status).toBe(200);
    await sleep(5000);
    expect(await notices(s.mapper.id)).toEqual([]);
  });

  it("re-arms the warning when the lock is extended, and releases at the new deadline", async () => {
    const s = await lockScenario(app);
    expect((await s.lock(1, s.mapper.token)).status).toBe(200);
    await waitUntil(async () => (await notices(s.mapper.id)).length === 1, 10_000, "the first warning");
    expect((await s.extend([1], s.mapper.token)).status).toBe(200);
    const newDeadline = (await s.row(1)).lock_expires_at!.getTime();

    await waitUntil(async () => (await notices(s.mapper.id)).length === 3, 15_000, "the second warning and the release");
    const [first, second, released] = await notices(s.mapper.id);
    expect([first, second, released].map((n) => n!.message_type)).toEqual(["LOCK_EXPIRY_WARNING", "LOCK_EXPIRY_WARNING", "LOCK_AUTO_RELEASED"]);
    expect(second!.date.getTime() - (newDeadline - 2000)).toBeGreaterThan(-300);
    expect(released!.date.getTime()).toBeGreaterThanOrEqual(newDeadline - 50);
  });
});
