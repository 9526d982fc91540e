import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { lockWorkflowId } from "../../src/domain/tasks/state-machine";
import { lockStateQuery } from "../../workflows/task-lock";
import { startTestApp, type TestApp } from "../helpers/app";
import { lockScenario, runningLockWorkflows, sleep } from "../helpers/locks";

describe("lock races", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TM_TASK_AUTOUNLOCK_AFTER: "3s" });
  });
  afterAll(() => app.close());

  it("50 clients lock the same task at once: exactly one wins, and the database and Temporal agree", async () => {
    // Its own app with the default 2 h lock: under load the 50 requests can outlast this suite's 3 s lock.
    const app = await startTestApp();
    onTestFinished(() => app.close());
    const s = await lockScenario(app);
    const users = await Promise.all(Array.from({ length: 50 }, () => app.user("MAPPER")));
    const answers = await Promise.all(users.map((u) => s.lock(1, u.token)));
    const winners = answers.map((a, i) => ({ a, u: users[i]! })).filter(({ a }) => a.status === 200);
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => a.status !== 200).every((a) => a.status === 403 && a.body.SubCode === "LockedByAnotherUser")).toBe(true);
    const winner = winners[0]!.u;
    expect((await s.row(1)).locked_by).toBe(winner.id);
    const state = await app.services.temporal.client.workflow.getHandle(lockWorkflowId(s.projectId, [1])).query(lockStateQuery);
    expect(state).toMatchObject({ phase: "held", holderId: winner.id });
    expect(await runningLockWorkflows(app, s.projectId)).toHaveLength(1);
  });

  it("one user locking two tasks of a project at once gets one", async () => {
    const s = await lockScenario(app);
    const answers = await Promise.all([s.lock(2, s.mapper.token), s.lock(3, s.mapper.token)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 403]);
    expect(answers.find((a) => a.status === 403)!.body.SubCode).toBe("UserAlreadyHasTaskLocked");
    const held = await app.services.db.selectFrom("tasks").select("id").where("project_id", "=", s.projectId).where("locked_by", "=", s.mapper.id).execute();
    expect(held).toHaveLength(1);
    // The refused request left no workflow behind.
    expect(await runningLockWorkflows(app, s.projectId)).toEqual([lockWorkflowId(s.projectId, [held[0]!.id])]);
  });

  it("an unlock racing the expiry timer: exactly one takes effect, with one history row for the lock", async () => {
    const s = await lockScenario(app);
    await s.lock(4, s.mapper.token);
    const { lock_expires_at } = await s.row(4);
    await sleep(lock_expires_at!.getTime() - Date.now() - 5);
    const unlock = await s.unlock(4, s.mapper.token, "MAPPED");
    await sleep(1500);
    const history = await s.history(4);
    const lockRows = history.filter((h) => h.action === "LOCKED_FOR_MAPPING" || h.action === "AUTO_UNLOCKED_FOR_MAPPING");
    expect(lockRows).toHaveLength(1);
    if (unlock.status === 200) {
      expect(history.map((h) => h.action)).toEqual(["LOCKED_FOR_MAPPING", "STATE_CHANGE"]);
      expect((await s.row(4)).task_status).toBe("MAPPED");
    } else {
      // The timer won: the late unlock is a clear refusal, never a server error.
      expect(unlock.status).toBe(403);
      expect(["TaskNotOwned", "LockBeforeUnlocking"]).toContain(unlock.body.SubCode);
      expect(history.map((h) => h.action)).toEqual(["AUTO_UNLOCKED_FOR_MAPPING"]);
      expect((await s.row(4)).task_status).toBe("READY");
    }
  });

  it("two validators locking overlapping sets never hold a task together", async () => {
    const s = await lockScenario(app, { size: 3 });
    for (const id of [5, 6, 7]) {
      await s.lock(id, s.mapper.token);
      await s.unlock(id, s.mapper.token, "MAPPED");
    }
    const other = await app.user("MAPPER");
    const [a, b] = await Promise.all([s.lockValidation([5, 6], s.validator.token), s.lockValidation([6, 7], other.token)]);
    expect([a.status, b.status].filter((st) => st === 200)).toHaveLength(1);
    const holders = await app.services.db.selectFrom("tasks").select(["id", "locked_by"]).where("project_id", "=", s.projectId).where("id", "in", [5, 6, 7]).orderBy("id").execute();
    const winner = a.status === 200 ? s.validator.id : other.id;
    const expected = a.status === 200 ? [winner, winner, null] : [null, winner, winner];
    expect(holders.map((h) => h.locked_by)).toEqual(expected);
  });
});
