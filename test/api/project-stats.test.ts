import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertProject } from "../helpers/fixtures";
import { lockScenario, type LockScenario } from "../helpers/locks";

/** Moves a held lock's start back, so the duration the lock records when it ends is about `seconds`. */
async function heldFor(app: TestApp, s: LockScenario, taskIds: number[], seconds: number) {
  await app.services.db
    .updateTable("tasks")
    .set({ locked_at: sql<Date>`now() - make_interval(secs => ${seconds})` })
    .where("project_id", "=", s.projectId)
    .where("id", "in", taskIds)
    .execute();
}

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

describe("project activity, contributions and statistics", () => {
  let app: TestApp;
  let s: LockScenario;
  const get = (path: string, token?: string) => app.request("GET", `/api/v2/projects/${s.projectId}/${path}`, { token });

  /**
   * Over HTTP: task 1 mapped (2 min) then validated (30 s), task 2 marked bad imagery (1 min), task 3
   * mapped, task 4 locked and released three times; and a comment on task 3.
   */
  beforeAll(async () => {
    app = await startTestApp();
    s = await lockScenario(app, { size: 2 });
    const ok = (r: { status: number; body: unknown }) => {
      if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    };
    ok(await s.lock(1, s.mapper.token));
    await heldFor(app, s, [1], 120);
    ok(await s.unlock(1, s.mapper.token, "MAPPED"));
    ok(await s.lock(2, s.mapper.token));
    await heldFor(app, s, [2], 60);
    ok(await s.unlock(2, s.mapper.token, "BADIMAGERY"));
    ok(await s.lockValidation([1], s.validator.token));
    await heldFor(app, s, [1], 30);
    ok(await s.validate([{ taskId: 1, status: "VALIDATED" }], s.validator.token));
    ok(await s.lock(3, s.mapper.token));
    ok(await s.unlock(3, s.mapper.token, "MAPPED"));
    for (let i = 0; i < 3; i++) {
      ok(await s.lock(4, s.mapper.token));
      ok(await s.stop(4, s.mapper.token));
    }
    const commented = await app.request("POST", `/api/v2/projects/${s.projectId}/comments/tasks/3/`, { token: s.validator.token, body: { comment: "Nice" } });
    expect(commented.status).toBe(201);
  });
  afterAll(() => app.close());

  it("pages the activity newest first, 10 a page, without comments", async () => {
    const page1 = await get("activities/");
    expect(page1.status).toBe(200);
    expect(page1.body.activity).toHaveLength(10);
    expect(page1.body.pagination).toMatchObject({ hasNext: true, hasPrev: false, nextNum: 2, page: 1, pages: 2, perPage: 10, total: 11 });
    expect(page1.body.activity[0]).toEqual({
      historyId: expect.any(Number),
      taskId: 4,
      action: "LOCKED_FOR_MAPPING",
      actionText: expect.stringMatching(/^\d{2}:\d{2}:\d{2}$/),
      actionDate: expect.any(String),
      actionBy: s.mapper.username,
      pictureUrl: null,
      issues: [],
    });
    const page2 = await get("activities/?page=2");
    expect(page2.body.activity).toEqual([expect.objectContaining({ taskId: 1, action: "LOCKED_FOR_MAPPING", actionBy: s.mapper.username })]);
    expect(page2.body.pagination).toMatchObject({ hasNext: false, hasPrev: true, prevNum: 1, page: 2 });
    expect((await get("activities/?page=0")).status).toBe(400);
  });

  it("answers every task's status and latest action", async () => {
    const latest = await get("activities/latest/");
    expect(latest.status).toBe(200);
    expect(latest.body.activity).toEqual([
      { taskId: 1, taskStatus: "VALIDATED", actionDate: expect.any(String), actionBy: s.validator.username },
      { taskId: 2, taskStatus: "BADIMAGERY", actionDate: expect.any(String), actionBy: s.mapper.username },
      { taskId: 3, taskStatus: "MAPPED", actionDate: expect.any(String), actionBy: s.mapper.username },
      { taskId: 4, taskStatus: "READY", actionDate: expect.any(String), actionBy: s.mapper.username },
    ]);
  });

  it("answers each contributor's mapped, validated and bad-imagery tasks, most first", async () => {
    const contributions = await get("contributions/");
    expect(contributions.status).toBe(200);
    expect(contributions.body.userContributions).toEqual([
      {
        username: s.mapper.username, mappingLevel: expect.any(String), pictureUrl: null, name: null, dateRegistered: today(),
        mapped: 2, validated: 0, badImagery: 1, total: 3, mappedTasks: [1, 3], validatedTasks: [], badImageryTasks: [2],
      },
      {
        username: s.validator.username, mappingLevel: expect.any(String), pictureUrl: null, name: null, dateRegistered: today(),
        mapped: 0, validated: 1, badImagery: 0, total: 1, mappedTasks: [], validatedTasks: [1], badImageryTasks: [],
      },
    ]);
    // Only commenting does not make a contributor.
    expect(contributions.body.userContributions.map((u: { username: string }) => u.username)).not.toContain(s.manager.username);
  });

  it("counts tasks mapped and validated per day with running totals", async () => {
    const byDay = await get("contributions/queries/day/");
    expect(byDay.status).toBe(200);
    expect(byDay.body).toEqual({ stats: [{ date: today(), mapped: 2, validated: 1, cumulative_mapped: 2, cumulative_validated: 1, total_tasks: 4 }] });
  });

  it("answers ProjectStatsDTO from the recorded lock durations", async () => {
    const stats = await get("statistics/");
    expect(stats.status).toBe(200);
    const b = stats.body;
    expect(b).toMatchObject({
      projectId: s.projectId, totalMappers: 1, totalTasks: 4, totalComments: 0,
      percentMapped: 66, percentValidated: 33, percentBadImagery: 25, aoiCentroid: { type: "Point" },
    });
    expect(b["projectArea(in sq.km)"]).toBeGreaterThan(4);
    expect(b["projectArea(in sq.km)"]).toBeLessThan(5.5);
    expect(b.totalMappingTime).toBeGreaterThanOrEqual(180);
    expect(b.totalMappingTime).toBeLessThan(200);
    expect(b.totalValidationTime).toBeGreaterThanOrEqual(30);
    expect(b.totalValidationTime).toBeLessThan(40);
    expect(b.totalTimeSpent).toBe(b.totalMappingTime + b.totalValidationTime);
    expect(b.averageMappingTime).toBe(Math.round(b.totalMappingTime / 2)); // tasks 1 and 3 were mapped
    expect(b.averageValidationTime).toBe(b.totalValidationTime);
    expect(b.timeToFinishMapping).toBe(1 * b.averageMappingTime); // task 4 is left to map
    expect(b.timeToFinishValidating).toBe(2 * b.averageValidationTime); // tasks 3 and 4 are left to validate
  });

  it("answers a user's time in the project, counting expired locks too", async () => {
    const mapper = await get(`statistics/queries/${s.mapper.username}/`);
    expect(mapper.status).toBe(200);
    expect(mapper.body.timeSpentMapping).toBeGreaterThanOrEqual(180);
    expect(mapper.body).toMatchObject({ timeSpentValidating: 0, totalTimeSpent: mapper.body.timeSpentMapping });
    const validator = await get(`statistics/queries/${s.validator.username}/`);
    expect(validator.body.timeSpentMapping).toBe(0);
    expect(validator.body.timeSpentValidating).toBeGreaterThanOrEqual(30);

    // A lock that expired is renamed AUTO_UNLOCKED_FOR_MAPPING and keeps its duration.
    const late = await app.user("MAPPER");
    await app.services.db
      .insertInto("task_history")
      .values({ project_id: s.projectId, task_id: 4, action: "AUTO_UNLOCKED_FOR_MAPPING", action_text: "00:10:00", user_id: late.id })
      .execute();
    expect((await get(`statistics/queries/${late.username}/`)).body).toEqual({ timeSpentMapping: 600, timeSpentValidating: 0, totalTimeSpent: 600 });
    await app.services.db.deleteFrom("task_history").where("user_id", "=", late.id).execute();

    const unknown = await get("statistics/queries/nobody_at_all_here/");
    expect(unknown.status).toBe(404);
    expect(unknown.body.SubCode).toBe("UserNotFound");
  });

  it("answers 404 for unknown projects and follows the project's visibility", async () => {
    for (const path of ["activities/", "activities/latest/", "contributions/", "contributions/queries/day/", "statistics/", `statistics/queries/${s.mapper.username}/`]) {
      const res = await app.request("GET", `/api/v2/projects/99999999/${path}`);
      expect(res.status, path).toBe(404);
    }
    const { projectId: privateId } = await insertProject(app.services.db, { authorId: s.manager.id, size: 1, private: true });
    const hidden = await app.request("GET", `/api/v2/projects/${privateId}/statistics/`);
    expect(hidden.status).toBe(403);
    expect(hidden.body.SubCode).toBe("PrivateProject");
  });

  describe("task statistics", () => {
    const taskStats = (query: string, token?: string) => app.request("GET", `/api/v2/tasks/statistics/?${query}`, { token: token ?? s.mapper.token });

    it("lists every day of the range with the tasks mapped, validated and marked bad imagery", async () => {
      const res = await taskStats(`startDate=${daysAgo(2)}&endDate=${today()}&projectId=${s.projectId}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        taskStats: [
          { date: daysAgo(2), mapped: 0, validated: 0, badImagery: 0 },
          { date: daysAgo(1), mapped: 0, validated: 0, badImagery: 0 },
          { date: today(), mapped: 2, validated: 1, badImagery: 1 },
        ],
      });
      const defaultEnd = await taskStats(`startDate=${today()}&projectId=${s.projectId}`);
      expect(defaultEnd.body.taskStats).toEqual([{ date: today(), mapped: 2, validated: 1, badImagery: 1 }]);
    });

    it("applies the organisation, campaign, project and country filters", async () => {
      const org = await app.services.db.selectFrom("projects").select("organisation_id").where("id", "=", s.projectId).executeTakeFirstOrThrow();
      const orgName = await app.services.db.selectFrom("organisations").select("name").where("id", "=", org.organisation_id).executeTakeFirstOrThrow();
      expect((await taskStats(`startDate=${today()}&organisationId=${org.organisation_id}`)).body.taskStats[0]).toMatchObject({ mapped: 2 });
      expect((await taskStats(`startDate=${today()}&organisationName=${encodeURIComponent(orgName.name)}`)).body.taskStats[0]).toMatchObject({ mapped: 2 });
      const { projectId: otherId } = await insertProject(app.services.db, { authorId: s.manager.id, size: 1 });
      expect((await taskStats(`startDate=${today()}&projectId=${otherId},${s.projectId}`)).body.taskStats[0]).toMatchObject({ mapped: 2, validated: 1 });
      expect((await taskStats(`startDate=${today()}&projectId=${otherId}`)).body.taskStats[0]).toMatchObject({ mapped: 0 });

      const campaign = await app.services.db.insertInto("campaigns").values({ name: `Stats campaign ${s.projectId}` }).returning("id").executeTakeFirstOrThrow();
      await app.services.db.insertInto("campaign_projects").values({ campaign_id: campaign.id, project_id: s.projectId }).execute();
      expect((await taskStats(`startDate=${today()}&campaign=${encodeURIComponent(`Stats campaign ${s.projectId}`)}`)).body.taskStats[0]).toMatchObject({ mapped: 2, badImagery: 1 });

      const country = `Statsland ${s.projectId}`;
      await app.services.db.updateTable("projects").set({ country_tag: [country] }).where("id", "=", s.projectId).execute();
      expect((await taskStats(`startDate=${today()}&country=${encodeURIComponent(country)}`)).body.taskStats[0]).toMatchObject({ mapped: 2 });
      expect((await taskStats(`startDate=${today()}&country=Nowhere${s.projectId}`)).body.taskStats[0]).toMatchObject({ mapped: 0 });
    });

    it("requires a token and a valid range", async () => {
      const anonymous = await app.request("GET", `/api/v2/tasks/statistics/?startDate=${today()}`);
      expect(anonymous.status).toBe(401);
      for (const query of ["", "startDate=2024-02-30", `startDate=${today()}&endDate=${daysAgo(1)}`, `startDate=${daysAgo(400)}&endDate=${today()}`, `startDate=${today()}&projectId=abc`]) {
        const res = await taskStats(query);
        expect(res.status, query).toBe(400);
        expect(res.body.SubCode, query).toBe("InvalidData");
      }
    });
  });
});
