import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertProject } from "../helpers/fixtures";

type User = Awaited<ReturnType<TestApp["user"]>>;

/** Stands in for the OSM API (/osm) and ohsome (/ohsome); `failing` user ids answer 500. */
function startStandIn() {
  const seen: { url: string; authorization?: string }[] = [];
  const failing = new Set<string>();
  const changesets = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url!, "http://stand-in");
    seen.push({ url: req.url!, authorization: req.headers.authorization });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const osmUser = /^\/osm\/api\/0\.6\/user\/(\d+)\.json$/.exec(url.pathname);
    if (osmUser) {
      if (failing.has(osmUser[1]!)) return json(500, { error: "down" });
      return json(200, { user: { id: Number(osmUser[1]), account_created: "2015-03-01T10:00:00Z", changesets: { count: changesets.get(osmUser[1]!) ?? 7 } } });
    }
    if (url.pathname === "/ohsome/stats/user") {
      if (failing.has(url.searchParams.get("userId")!)) return json(503, {});
      return json(200, { result: { topics: { building: { value: 50 }, road: { value: 3.5 } } }, hashtag: url.searchParams.get("hashtag") });
    }
    if (url.pathname === "/ohsome/stats/summary") return json(200, { result: { users: 42 } });
    if (url.pathname === "/ohsome/broken") return json(500, {});
    json(404, {});
  });
  return { server, seen, failing, changesets };
}

describe("user statistics and outside services", () => {
  let app: TestApp;
  let admin: User;
  let mapper: User;
  let standIn: ReturnType<typeof startStandIn>;
  let base: string;
  const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  beforeAll(async () => {
    standIn = startStandIn();
    await new Promise<void>((resolve) => standIn.server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    app = await startTestApp({ OSM_SERVER_URL: `${base}/osm`, OHSOME_STATS_BASE_URL: `${base}/ohsome`, OHSOME_STATS_TOKEN: "c2VjcmV0" });
    admin = await app.user("ADMIN");
    mapper = await app.user("MAPPER");
  });
  afterAll(async () => {
    await app.close();
    standIn.server.closeAllConnections();
    await new Promise((resolve) => standIn.server.close(resolve));
  });

  it("GET /users/{username}/openstreetmap/ answers the OSM account details, 502 when OSM fails", async () => {
    const res = await app.request("GET", `/api/v2/users/${mapper.username}/openstreetmap/`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accountCreated: "2015-03-01T10:00:00Z", changesetCount: 7 });
    const broken = await app.user("MAPPER");
    standIn.failing.add(String(broken.id));
    const failed = await app.request("GET", `/api/v2/users/${broken.username}/openstreetmap/`, { token: admin.token });
    expect(failed.status).toBe(502);
    expect(failed.body.SubCode).toBe("OSMServiceError");
    expect((await app.request("GET", `/api/v2/users/nobody_${unique()}/openstreetmap/`, { token: admin.token })).status).toBe(404);
    expect((await app.request("GET", `/api/v2/users/${mapper.username}/openstreetmap/`)).status).toBe(401);
  });

  it("GET /users/statistics/ohsome/ proxies URLs under the configured base only", async () => {
    const full = await app.request("GET", `/api/v2/users/statistics/ohsome/?url=${encodeURIComponent(`${base}/ohsome/stats/summary`)}`, { token: mapper.token });
    expect(full.status).toBe(200);
    expect(full.body).toEqual({ result: { users: 42 } });
    expect(standIn.seen.at(-1)).toEqual({ url: "/ohsome/stats/summary", authorization: "Basic c2VjcmV0" });
    const relative = await app.request("GET", `/api/v2/users/statistics/ohsome/?url=${encodeURIComponent("/stats/summary")}`, { token: mapper.token });
    expect(relative.body).toEqual({ result: { users: 42 } });
    const before = standIn.seen.length;
    for (const url of ["http://169.254.169.254/latest", `${base}/osm/api/0.6/user/1.json`, `${base}/ohsome-evil/x`, `${base}/ohsome/../osm/api/0.6/user/1.json`, "/../osm/api/0.6/user/1.json", `http://user:pw@${base.slice(7)}/ohsome/stats/summary`, "::not a url"]) {
      const res = await app.request("GET", `/api/v2/users/statistics/ohsome/?url=${encodeURIComponent(url)}`, { token: mapper.token });
      expect(res.status, url).toBe(400);
    }
    expect(standIn.seen.length).toBe(before);
    expect((await app.request("GET", "/api/v2/users/statistics/ohsome/", { token: mapper.token })).status).toBe(400);
    expect((await app.request("GET", `/api/v2/users/statistics/ohsome/?url=${encodeURIComponent(`${base}/ohsome/broken`)}`, { token: mapper.token })).status).toBe(502);
    expect((await app.request("GET", "/api/v2/users/statistics/ohsome/?url=/stats/summary")).status).toBe(401);
  });

  it("update-stats saves ohsome and OSM statistics, awards badges and promotes; nextlevel reports progress", async () => {
    const { db } = app.services;
    const me = await app.user("MAPPER");
    standIn.changesets.set(String(me.id), 12);
    const createBadge = async (requirements: string) =>
      (await app.request("POST", "/api/v2/badges/", { token: admin.token, body: { name: `B ${unique()}`, requirements, isEnabled: true } })).body.id as number;
    const earned = await createBadge('{"changeset": 10}');
    const notYet = await createBadge('{"building": 100}');
    const level = (name: string) => db.selectFrom("mapping_levels").select("id").where("name", "=", name).executeTakeFirstOrThrow();
    const intermediate = (await level("INTERMEDIATE")).id;
    const advanced = (await level("ADVANCED")).id;
    await db.insertInto("mapping_level_badges").values([{ level_id: intermediate, badge_id: earned }, { level_id: advanced, badge_id: notYet }]).execute();
    try {
      const other = await app.request("PATCH", `/api/v2/users/${me.username}/actions/update-stats`, { token: mapper.token });
      expect(other.status).toBe(403);

      const res = await app.request("PATCH", `/api/v2/users/${me.username}/actions/update-stats`, { token: me.token });
      expect(res.status).toBe(200);
      const stats = await db.selectFrom("user_stats").select("stats").where("user_id", "=", me.id).executeTakeFirstOrThrow();
      expect(stats.stats).toEqual({ building: 50, road: 3.5, changeset: 12 });
      const ohsomeCall = standIn.seen.find((s) => s.url.startsWith("/ohsome/stats/user") && s.url.includes(`userId=${me.id}`));
      expect(new URL(ohsomeCall!.url, base).searchParams.get("hashtag")).toBe("tm-project-*");

      const badges = await app.request("GET", `/api/v2/badges/user/${me.id}/`);
      const badgeIds = badges.body.badges.map((b: { id: number }) => b.id);
      expect(badgeIds).toContain(earned);
      expect(badgeIds).not.toContain(notYet);
      const user = await db.selectFrom("users").select("mapping_level").where("id", "=", me.id).executeTakeFirstOrThrow();
      expect(user.mapping_level).toBe("INTERMEDIATE");

      const next = await app.request("GET", "/api/v2/users/statistics/nextlevel/", { token: me.token });
      expect(next.status).toBe(200);
      expect(next.body).toEqual({ nextLevel: "ADVANCED", aggregatedProgress: 50, aggregatedGoal: 100, metrics: ["building"] });

      const broken = await app.user("MAPPER");
      standIn.failing.add(String(broken.id));
      const failed = await app.request("PATCH", `/api/v2/users/${broken.username}/actions/update-stats`, { token: admin.token });
      expect(failed.status).toBe(502);
      expect(await db.selectFrom("user_stats").select("user_id").where("user_id", "=", broken.id).execute()).toHaveLength(0);
    } finally {
      await db.deleteFrom("mapping_level_badges").where("badge_id", "in", [earned, notYet]).execute();
    }
  });

  it("GET /users/{username}/statistics/ computes UserStatsDTO from task history", async () => {
    const { db } = app.services;
    const me = await app.user("MAPPER");
    const validator = await app.user("MAPPER");
    const { projectId } = await insertProject(db, { authorId: admin.id });
    await db.updateTable("projects").set({ country_tag: ["Kenya"] }).where("id", "=", projectId).execute();
    const interest = await db.insertInto("interests").values({ name: `Stats ${unique()}` }).returning(["id", "name"]).executeTakeFirstOrThrow();
    await db.insertInto("project_interests").values({ project_id: projectId, interest_id: interest.id }).execute();
    const history = (user_id: number, task_id: number, action: string, action_text: string) => ({ project_id: projectId, task_id, action, action_text, user_id });
    await db
      .insertInto("task_history")
      .values([
        history(me.id, 1, "LOCKED_FOR_MAPPING", "00:10:00"),
        history(me.id, 1, "STATE_CHANGE", "MAPPED"),
        history(me.id, 2, "AUTO_UNLOCKED_FOR_MAPPING", "01:00:00"),
        history(me.id, 2, "STATE_CHANGE", "MAPPED"),
        history(me.id, 3, "LOCKED_FOR_VALIDATION", "00:00:30"),
        history(me.id, 3, "STATE_CHANGE", "VALIDATED"),
        history(validator.id, 1, "STATE_CHANGE", "VALIDATED"),
        history(validator.id, 2, "STATE_CHANGE", "INVALIDATED"),
      ])
      .execute();
    const res = await app.request("GET", `/api/v2/users/${me.username}/statistics/`, { token: mapper.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      totalTimeSpent: 4230,
      timeSpentMapping: 4200,
      timeSpentValidating: 30,
      projectsMapped: 1,
      countriesContributed: { countries: [{ name: "Kenya", mapped: 2, validated: 1, total: 3 }], total: 1 },
      contributionsByDay: [{ date: new Date().toISOString().slice(0, 10), count: 3 }],
      tasksMapped: 2,
      tasksValidated: 1,
      tasksInvalidated: 0,
      tasksInvalidatedByOthers: 1,
      tasksValidatedByOthers: 1,
      ContributionsByInterest: [{ id: interest.id, name: interest.name, countProjects: 1 }],
    });
    const rates = await app.request("GET", `/api/v2/users/${me.id}/statistics/interests/`, { token: mapper.token });
    expect(rates.status).toBe(200);
    expect(rates.body).toEqual({ rates: [{ name: interest.name, rate: 1 }] });
    expect((await app.request("GET", `/api/v2/users/nobody_${unique()}/statistics/`, { token: mapper.token })).status).toBe(404);
    expect((await app.request("GET", "/api/v2/users/1/statistics/interests/", { token: mapper.token })).status).toBe(404);
  });

  it("GET /users/{user_id}/tasks/ lists the tasks a user acted on, filtered, sorted and paginated", async () => {
    const { db } = app.services;
    const me = await app.user("MAPPER");
    const first = await insertProject(db, { authorId: admin.id });
    const second = await insertProject(db, { authorId: admin.id, status: "ARCHIVED" });
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
    await db
      .insertInto("task_history")
      .values([
        { project_id: first.projectId, task_id: 1, action: "STATE_CHANGE", action_text: "MAPPED", user_id: me.id, action_date: at(30) },
        { project_id: first.projectId, task_id: 2, action: "STATE_CHANGE", action_text: "BADIMAGERY", user_id: me.id, action_date: at(20) },
        { project_id: second.projectId, task_id: 1, action: "STATE_CHANGE", action_text: "MAPPED", user_id: me.id, action_date: at(10) },
      ])
      .execute();
    const path = `/api/v2/users/${me.id}/tasks/`;
    const all = await app.request("GET", path, { token: mapper.token });
    expect(all.status).toBe(200);
    expect(all.body.tasks.map((t: { projectId: number; taskId: number }) => [t.projectId, t.taskId])).toEqual([[second.projectId, 1], [first.projectId, 2], [first.projectId, 1]]);
    expect(all.body.pagination).toMatchObject({ page: 1, perPage: 10, total: 3 });
    expect(Object.keys(all.body.tasks[0]).sort()).toEqual(["autoUnlockSeconds", "lastUpdated", "lockHolder", "numberOfComments", "perTaskInstructions", "projectId", "taskAnnotation", "taskHistory", "taskId", "taskStatus"]);

    const page2 = await app.request("GET", `${path}?page=2&page_size=2&sort_by=action_date`, { token: mapper.token });
    expect(page2.body.tasks.map((t: { taskId: number; projectId: number }) => [t.projectId, t.taskId])).toEqual([[second.projectId, 1]]);
    expect(page2.body.pagination).toMatchObject({ page: 2, pages: 2, total: 3, hasPrev: true, hasNext: false });
    const mapped = await app.request("GET", `${path}?status=MAPPED&project_status=PUBLISHED`, { token: mapper.token });
    expect(mapped.body.tasks.map((t: { taskId: number; projectId: number }) => [t.projectId, t.taskId])).toEqual([[first.projectId, 1]]);
    const byProject = await app.request("GET", `${path}?project_id=${second.projectId}`, { token: mapper.token });
    expect(byProject.body.pagination.total).toBe(1);
    const beyond = await app.request("GET", `${path}?page=5`, { token: mapper.token });
    expect(beyond.body).toMatchObject({ tasks: [], pagination: { total: 3, page: 5 } });
    for (const query of ["status=DONE", "sort_by=name", "page_size=0", "start_date=yesterday"]) {
      expect((await app.request("GET", `${path}?${query}`, { token: mapper.token })).status, query).toBe(400);
    }
    expect((await app.request("GET", "/api/v2/users/1/tasks/", { token: mapper.token })).status).toBe(404);
  });

  it("GET /users/statistics/ counts users registered in a period (admins only)", async () => {
    const { db } = app.services;
    const a = await app.user("MAPPER");
    const b = await app.user("MAPPER");
    await db.updateTable("users").set({ date_registered: new Date("2001-02-03T12:00:00Z"), gender: "FEMALE", is_email_verified: true }).where("id", "=", a.id).execute();
    await db.updateTable("users").set({ date_registered: new Date("2001-02-28T23:00:00Z"), mapping_level: "ADVANCED" }).where("id", "=", b.id).execute();
    const res = await app.request("GET", "/api/v2/users/statistics/?startDate=2001-02-01&endDate=2001-02-28", { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      total: 2, beginnerMappers: 1, intermediateMappers: 0, advancedMappers: 1, contributed: 0, emailVerified: 1,
      genders: { male: 0, female: 1, preferNotIdentify: 0, selfDescribe: 0 },
    });
    const notAdmin = await app.request("GET", "/api/v2/users/statistics/?startDate=2001-02-01", { token: mapper.token });
    expect(notAdmin.status).toBe(403);
    for (const query of ["", "startDate=2001-02-30", "startDate=2001-03-01&endDate=2001-02-01", "startDate=2001-01-01&endDate=2003-01-01"]) {
      const bad = await app.request("GET", `/api/v2/users/statistics/?${query}`, { token: admin.token });
      expect(bad.status, query).toBe(400);
      expect(bad.body.SubCode).toBe("InvalidData");
    }
  });

  it("GET /users/{username}/recommended-projects/ suggests projects of the user's campaigns first", async () => {
    const { db } = app.services;
    const me = await app.user("MAPPER");
    const worked = await insertProject(db, { authorId: admin.id });
    const sameCampaign = await insertProject(db, { authorId: admin.id });
    const privateOne = await insertProject(db, { authorId: admin.id, private: true });
    const own = await insertProject(db, { authorId: me.id });
    const campaign = await db.insertInto("campaigns").values({ name: `Camp ${unique()}` }).returning("id").executeTakeFirstOrThrow();
    await db
      .insertInto("campaign_projects")
      .values([worked, sameCampaign, privateOne, own].map((p) => ({ campaign_id: campaign.id, project_id: p.projectId })))
      .execute();
    await db.insertInto("task_history").values({ project_id: worked.projectId, task_id: 1, action: "STATE_CHANGE", action_text: "MAPPED", user_id: me.id }).execute();
    const res = await app.request("GET", `/api/v2/users/${me.username}/recommended-projects/`, { token: mapper.token });
    expect(res.status).toBe(200);
    const ids = res.body.results.map((r: { projectId: number }) => r.projectId);
    expect(ids[0]).toBe(sameCampaign.projectId);
    for (const excluded of [worked, privateOne, own]) expect(ids).not.toContain(excluded.projectId);
    expect(ids.length).toBeLessThanOrEqual(20);
    expect(res.body.pagination).toBeNull();
    expect((await app.request("GET", `/api/v2/users/nobody_${unique()}/recommended-projects/`, { token: mapper.token })).status).toBe(404);
  });
});
