import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { tileBounds } from "../../src/domain/grid";
import { lockWorkflowId } from "../../src/domain/tasks/state-machine";
import { startTestApp, type TestApp } from "../helpers/app";
import { lockScenario, runningLockWorkflows, sleep } from "../helpers/locks";

describe("mapping locks", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it("locks, hands in as MAPPED with a comment, and records history as officially", async () => {
    const s = await lockScenario(app);
    const locked = await s.lock(1, s.mapper.token);
    expect(locked.status).toBe(200);
    expect(locked.body).toMatchObject({ taskId: 1, projectId: s.projectId, taskStatus: "LOCKED_FOR_MAPPING", lockHolder: s.mapper.username });
    expect(locked.body.autoUnlockSeconds).toBeGreaterThan(7000);

    const handle = app.services.temporal.client.workflow.getHandle(lockWorkflowId(s.projectId, [1]));
    const described = await handle.describe();
    expect(described.status.name).toBe("RUNNING");
    expect(described.memo?.description).toContain(s.mapper.username);
    expect((await s.row(1)).lock_token).toBe(described.runId);

    const done = await s.unlock(1, s.mapper.token, "MAPPED", "All buildings traced");
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ taskStatus: "MAPPED", lockHolder: null });
    const history = await s.history(1);
    expect(history.map((h) => h.action)).toEqual(["LOCKED_FOR_MAPPING", "COMMENT", "STATE_CHANGE"]);
    expect(history[0]!.action_text).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(history[1]!.action_text).toBe("All buildings traced");
    expect(history[2]!.action_text).toBe("MAPPED");
    expect((await s.row(1)).mapped_by).toBe(s.mapper.id);
    await handle.result();
    expect((await handle.describe()).status.name).toBe("COMPLETED");
    const project = await app.services.db.selectFrom("projects").select(["tasks_mapped", "total_tasks"]).where("id", "=", s.projectId).executeTakeFirstOrThrow();
    expect(project).toEqual({ tasks_mapped: 1, total_tasks: 9 });
  });

  it("refuses with the official SubCodes and leaves no workflow or row behind", async () => {
    const s = await lockScenario(app);
    expect((await s.lock(1, s.mapper.token)).status).toBe(200);

    const other = await s.lock(1, s.validator.token);
    expect(other.status).toBe(403);
    expect(other.body.SubCode).toBe("LockedByAnotherUser");
    const second = await s.lock(2, s.mapper.token);
    expect(second.status).toBe(403);
    expect(second.body.SubCode).toBe("UserAlreadyHasTaskLocked");
    expect(await s.lock(99, s.validator.token)).toMatchObject({ status: 404 });
    const notMine = await s.unlock(1, s.validator.token);
    expect(notMine.body.SubCode).toBe("TaskNotOwned");
    const notLocked = await s.unlock(3, s.validator.token);
    expect(notLocked.body.SubCode).toBe("LockBeforeUnlocking");
    const badStatus = await s.unlock(1, s.mapper.token, "VALIDATED");
    expect(badStatus.status).toBe(400);

    expect((await s.row(2)).task_status).toBe("READY");
    expect(await s.history(2)).toEqual([]);
    expect(await runningLockWorkflows(app, s.projectId)).toEqual([lockWorkflowId(s.projectId, [1])]);
    await s.stop(1, s.mapper.token);
  });

  it("refuses unpublished projects, unaccepted licenses and anonymous callers", async () => {
    const s = await lockScenario(app);
    await app.services.db.updateTable("projects").set({ status: "DRAFT" }).where("id", "=", s.projectId).execute();
    const draft = await s.lock(1, s.mapper.token);
    expect(draft.status).toBe(403);
    expect(["ProjectNotPublished"]).toContain(draft.body.SubCode);

    const license = await app.services.db.insertInto("licenses").values({ name: `L ${s.projectId}`, description: "d", plain_text: "p" }).returning("id").executeTakeFirstOrThrow();
    await app.services.db.updateTable("projects").set({ status: "PUBLISHED", license_id: license.id }).where("id", "=", s.projectId).execute();
    const unlicensed = await s.lock(1, s.mapper.token);
    expect(unlicensed.status).toBe(409);
    expect(unlicensed.body.SubCode).toBe("UserLicenseError");
    await app.services.db.insertInto("user_licenses").values({ user_id: s.mapper.id, license_id: license.id }).execute();
    expect((await s.lock(1, s.mapper.token)).status).toBe(200);
    expect((await app.request("POST", `/api/v2/projects/${s.projectId}/tasks/actions/lock-for-mapping/2/`)).status).toBe(401);
    await s.stop(1, s.mapper.token);
  });

  it("stop-mapping returns the task to its previous status with the comment and no state change", async () => {
    const s = await lockScenario(app);
    await s.lock(4, s.mapper.token);
    const stopped = await s.stop(4, s.mapper.token, "Imagery is cloudy");
    expect(stopped.body).toMatchObject({ taskStatus: "READY", lockHolder: null });
    expect((await s.history(4)).map((h) => h.action)).toEqual(["LOCKED_FOR_MAPPING", "COMMENT"]);
  });

  it("undoes the last action for its author, and refuses others", async () => {
    const s = await lockScenario(app);
    await s.lock(5, s.mapper.token);
    await s.unlock(5, s.mapper.token, "BADIMAGERY");
    const refused = await s.undo(5, s.validator.token);
    expect(refused.status).toBe(403);
    expect(refused.body.SubCode).toBe("UndoPermissionError");
    const undone = await s.undo(5, s.mapper.token);
    expect(undone.status).toBe(200);
    expect(undone.body.taskStatus).toBe("READY");
    expect((await s.history(5)).map((h) => `${h.action}:${h.action_text}`).slice(-2)).toEqual(["COMMENT:Undo state from BADIMAGERY to READY", "STATE_CHANGE:READY"]);
  });

  it("splits a locked square task into four READY tasks", async () => {
    const s = await lockScenario(app);
    expect((await s.split(1, s.mapper.token)).body.SubCode).toBe("LockToSplit");
    await s.lock(1, s.mapper.token);
    expect((await s.split(1, s.validator.token)).body.SubCode).toBe("SplitOtherUserTask");
    const split = await s.split(1, s.mapper.token);
    expect(split.status).toBe(200);
    expect(split.body.tasks.map((t: { taskId: number }) => t.taskId)).toEqual([10, 11, 12, 13]);
    expect(split.body.tasks.every((t: { taskStatus: string }) => t.taskStatus === "READY")).toBe(true);
    expect((await s.row(1)).task_status).toBe("SPLIT");
    const children = await app.services.db.selectFrom("tasks").select(["x", "y", "zoom"]).where("project_id", "=", s.projectId).where("parent_task_id", "=", 1).orderBy("id").execute();
    expect(children.map((c) => c.zoom)).toEqual([19, 19, 19, 19]);
    const area = await app.services.db
      .selectFrom("tasks")
      .select((eb) => eb.fn.sum<number>(eb.fn("ST_Area", ["geometry"])).as("a"))
      .where("project_id", "=", s.projectId)
      .where("parent_task_id", "=", 1)
      .executeTakeFirstOrThrow();
    const parent = await app.services.db.selectFrom("tasks").select((eb) => eb.fn<number>("ST_Area", ["geometry"]).as("a")).where("project_id", "=", s.projectId).where("id", "=", 1).executeTakeFirstOrThrow();
    expect(Number(area.a)).toBeCloseTo(parent.a, 10);
    const counters = await app.services.db.selectFrom("projects").select("total_tasks").where("id", "=", s.projectId).executeTakeFirstOrThrow();
    expect(counters.total_tasks).toBe(12);
  });

  it("splits a real tile into the four tiles of the next zoom, numbered as the grid numbers them", async () => {
    const s = await lockScenario(app);
    const [x, y, zoom] = [156_000, 131_000, 18];
    const [w, so, e, n] = tileBounds(x, y, zoom);
    await app.services.db
      .updateTable("tasks")
      .set({ x, y, zoom, geometry: sql`ST_Multi(ST_MakeEnvelope(${w}::float8, ${so}::float8, ${e}::float8, ${n}::float8, 4326))` })
      .where("project_id", "=", s.projectId)
      .where("id", "=", 2)
      .execute();
    await s.lock(2, s.mapper.token);
    expect((await s.split(2, s.mapper.token)).status).toBe(200);
    const children = await app.services.db
      .selectFrom("tasks")
      .select(["x", "y", "zoom", sql<number>`ST_XMin(geometry)`.as("w"), sql<number>`ST_YMin(geometry)`.as("s"), sql<number>`ST_XMax(geometry)`.as("e"), sql<number>`ST_YMax(geometry)`.as("n")])
      .where("project_id", "=", s.projectId)
      .where("parent_task_id", "=", 2)
      .execute();
    expect(children.map((c) => `${c.x},${c.y}`).sort()).toEqual([`${2 * x},${2 * y}`, `${2 * x},${2 * y + 1}`, `${2 * x + 1},${2 * y}`, `${2 * x + 1},${2 * y + 1}`].sort());
    for (const c of children) {
      const expected = tileBounds(c.x!, c.y!, c.zoom!);
      [c.w, c.s, c.e, c.n].forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 9));
    }
  });

  it("lists the caller's locked tasks", async () => {
    const s = await lockScenario(app);
    await s.lock(2, s.mapper.token);
    const list = await app.request("GET", "/api/v2/users/queries/tasks/locked/", { token: s.mapper.token });
    expect(list.body).toEqual({ lockedTasks: [2], projectId: s.projectId, taskStatus: "LOCKED_FOR_MAPPING" });
    const details = await app.request("GET", "/api/v2/users/queries/tasks/locked/details/", { token: s.mapper.token });
    expect(details.body.tasks[0]).toMatchObject({ taskId: 2, lockHolder: s.mapper.username });
    await s.stop(2, s.mapper.token);
  });
});

describe("lock expiry", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TM_TASK_AUTOUNLOCK_AFTER: "3s" });
  });
  afterAll(() => app.close());

  it("releases the lock at its deadline and records AUTO_UNLOCKED_FOR_MAPPING with the duration", async () => {
    const s = await lockScenario(app);
    await s.lock(1, s.mapper.token);
    const { lock_expires_at } = await s.row(1);
    let released: Date | undefined;
    while (!released) {
      await sleep(50);
      if ((await s.row(1)).task_status === "READY") released = new Date();
    }
    const lateMs = released.getTime() - lock_expires_at!.getTime();
    expect(lateMs).toBeGreaterThan(-100);
    expect(lateMs).toBeLessThan(1000);
    expect(await s.history(1)).toEqual([{ action: "AUTO_UNLOCKED_FOR_MAPPING", action_text: "00:00:03", user_id: s.mapper.id }]);
    const late = await s.unlock(1, s.mapper.token);
    expect(late.status).toBe(403);
    expect(late.body.SubCode).toBe("LockBeforeUnlocking");
  });

  it("extend moves the deadline and records EXTENDED_FOR_MAPPING", async () => {
    const s = await lockScenario(app);
    await s.lock(2, s.mapper.token);
    await sleep(2000);
    const extended = await s.extend([2], s.mapper.token);
    expect(extended.body).toEqual({ Success: "Successfully extended task expiry" });
    await sleep(1500);
    expect((await s.row(2)).task_status).toBe("LOCKED_FOR_MAPPING");
    await sleep(2500);
    expect((await s.row(2)).task_status).toBe("READY");
    expect((await s.history(2)).map((h) => h.action)).toEqual(["AUTO_UNLOCKED_FOR_MAPPING", "EXTENDED_FOR_MAPPING"]);
    expect((await s.extend([2], s.validator.token)).body.SubCode).toBe("LockBeforeUnlocking");
  });
});
