import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertTeam, linkTeam } from "../helpers/teams";
import { insertOrganisation, insertProject } from "../helpers/fixtures";

/**
 * Other suites add projects to the same database at the same time, so every query here is narrowed
 * to this suite's organisations or to a word only its project names contain.
 */
describe("GET /api/v2/projects/ (search)", () => {
  let app: TestApp;
  const word = `zq${Math.random().toString(36).slice(2, 8)}`;
  let users: Record<"author" | "manager" | "admin" | "allowed" | "stranger", { id: number; username: string; token: string }>;
  let orgA: number;
  let orgB: number;
  const p: Record<string, number> = {};

  const search = (query: string, token?: string, headers?: Record<string, string>) =>
    app.request("GET", `/api/v2/projects/?${query}`, { token, headers });
  const ids = (res: { body: { results: { projectId: number }[] } }) => res.body.results.map((r) => r.projectId);
  const inA = () => `organisationId=${orgA}`;

  async function setProject(id: number, values: Record<string, unknown>) {
    await app.services.db.updateTable("projects").set(values as never).where("id", "=", id).execute();
  }

  beforeAll(async () => {
    app = await startTestApp();
    const db = app.services.db;
    users = {
      author: await app.user("MAPPER"),
      manager: await app.user("MAPPER"),
      admin: await app.user("ADMIN"),
      allowed: await app.user("MAPPER"),
      stranger: await app.user("MAPPER"),
    };
    orgA = (await insertOrganisation(db, [users.manager.id])).id;
    orgB = (await insertOrganisation(db)).id;
    const make = async (key: string, name: string, extra: Parameters<typeof insertProject>[1] extends infer O ? Partial<O> : never = {}) => {
      p[key] = (await insertProject(db, { authorId: users.author.id, organisationId: orgA, name: `${word} ${name}`, size: 3, ...extra })).projectId;
    };
    await make("roads", "roads alpha");
    await make("buildings", "buildings beta");
    await make("mixed", "mixed gamma");
    await make("draft", "draft delta", { status: "DRAFT" });
    await make("archived", "archived epsilon", { status: "ARCHIVED" });
    await make("private", "private zeta", { private: true });
    await make("other", "other org eta", { organisationId: orgB });
    await setProject(p.roads!, { difficulty: "EASY", priority: "HIGH", mapping_types: ["ROADS"], country_tag: ["Kenya"] });
    await setProject(p.buildings!, { difficulty: "MODERATE", priority: "URGENT", mapping_types: ["BUILDINGS"], country_tag: ["Uganda"] });
    await setProject(p.mixed!, { difficulty: "CHALLENGING", priority: "LOW", mapping_types: ["ROADS", "BUILDINGS"] });
    await db.insertInto("project_allowed_users").values({ project_id: p.private!, user_id: users.allowed.id }).execute();
  });
  afterAll(() => app.close());

  it("answers ProjectSearchResultsDTO with official fields, percentages from the counters and map results", async () => {
    // 9 tasks: 3 mapped, 2 validated, 1 bad imagery → mapped (3+2)/8 = 62%, validated 2/8 = 25%.
    const db = app.services.db;
    const setStatus = (status: string, taskIds: number[]) =>
      db.updateTable("tasks").set({ task_status: status as never }).where("project_id", "=", p.roads!).where("id", "in", taskIds).execute();
    await setStatus("MAPPED", [1, 2, 3]);
    await setStatus("VALIDATED", [4, 5]);
    await setStatus("BADIMAGERY", [6]);

    const res = await search(`${inA()}&textSearch=${word}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const roads = res.body.results.find((r: { projectId: number }) => r.projectId === p.roads);
    expect(roads).toMatchObject({
      projectId: p.roads,
      locale: "en",
      name: `${word} roads alpha`,
      shortDescription: "A fixture",
      difficulty: "EASY",
      priority: "HIGH",
      status: "PUBLISHED",
      percentMapped: 62,
      percentValidated: 25,
      activeMappers: 0,
      totalContributors: 0,
      country: ["Kenya"],
      author: users.author.username,
      campaigns: [],
    });
    expect(roads.organisationName).toMatch(/^Org /);
    expect(Date.parse(roads.lastUpdated)).not.toBeNaN();
    expect(Date.parse(roads.creationDate)).not.toBeNaN();
    expect(roads.dueDate).toBeNull();
    expect(roads.totalAreaSquareKilometers).toBeGreaterThan(0);
    expect(res.body.pagination).toEqual({ hasNext: false, hasPrev: false, nextNum: null, page: 1, pages: 1, prevNum: null, perPage: 14, total: 3 });
    expect(res.body.mapResults.type).toBe("FeatureCollection");
    expect(res.body.mapResults.features).toHaveLength(3);
    const feature = res.body.mapResults.features.find((f: { properties: { projectId: number } }) => f.properties.projectId === p.roads);
    expect(feature.geometry.type).toBe("Point");
    expect(feature.properties).toMatchObject({ projectId: p.roads, projectStatus: "PUBLISHED" });

    const omitted = await search(`${inA()}&omitMapResults=true`);
    expect(omitted.body.mapResults).toBeNull();
  });

  it("textSearch prefix-matches words of the name, and matches a project id", async () => {
    expect(ids(await search(`textSearch=${word}%20bet`))).toEqual([p.buildings]);
    expect(ids(await search(`textSearch=${word}%20ALPHA`))).toEqual([p.roads]);
    expect(ids(await search(`textSearch=${p.mixed}`))).toEqual([p.mixed]);
    expect(ids(await search(`textSearch=${word}%20nomatch`))).toEqual([]);
  });

  it("filters by difficulty (ALL = no filter)", async () => {
    expect(ids(await search(`${inA()}&difficulty=MODERATE`))).toEqual([p.buildings]);
    expect(ids(await search(`${inA()}&difficulty=all`)).sort()).toEqual([p.roads, p.buildings, p.mixed].sort());
  });

  it("filters by mapping types, any of them or exactly them", async () => {
    expect(ids(await search(`${inA()}&mappingTypes=ROADS`)).sort()).toEqual([p.roads, p.mixed].sort());
    expect(ids(await search(`${inA()}&mappingTypes=ROADS&mappingTypesExact=true`))).toEqual([p.roads]);
    expect(ids(await search(`${inA()}&mappingTypes=BUILDINGS,ROADS&mappingTypesExact=true`))).toEqual([p.mixed]);
    expect(ids(await search(`${inA()}&mappingTypes=WATERWAYS,BUILDINGS`)).sort()).toEqual([p.buildings, p.mixed].sort());
  });

  it("filters by organisation id and name, country, campaign and interests", async () => {
    const db = app.services.db;
    expect(ids(await search(`organisationId=${orgB}`))).toEqual([p.other]);
    const orgName = (await db.selectFrom("organisations").select("name").where("id", "=", orgB).executeTakeFirstOrThrow()).name;
    expect(ids(await search(`organisationName=${encodeURIComponent(orgName)}`))).toEqual([p.other]);
    expect(ids(await search(`${inA()}&country=kenya`))).toEqual([p.roads]);

    const campaign = await db.insertInto("campaigns").values({ name: `Campaign ${word}` }).returning("id").executeTakeFirstOrThrow();
    await db.insertInto("campaign_projects").values({ campaign_id: campaign.id, project_id: p.mixed! }).execute();
    const byCampaign = await search(`campaign=${encodeURIComponent(`Campaign ${word}`)}`);
    expect(ids(byCampaign)).toEqual([p.mixed]);
    expect(byCampaign.body.results[0].campaigns).toEqual([{ id: campaign.id, name: `Campaign ${word}` }]);

    const interest = await db.insertInto("interests").values({ name: `Interest ${word}` }).returning("id").executeTakeFirstOrThrow();
    await db.insertInto("project_interests").values({ project_id: p.buildings!, interest_id: interest.id }).execute();
    expect(ids(await search(`interests=${interest.id}`))).toEqual([p.buildings]);
    await db.insertInto("user_interests").values({ user_id: users.stranger.id, interest_id: interest.id }).execute();
    expect(ids(await search(`basedOnMyInterests=true`, users.stranger.token))).toEqual([p.buildings]);
  });

  it("filters by last updated and creation dates (inclusive days)", async () => {
    await setProject(p.mixed!, { last_updated: "2020-01-15T12:00:00Z", created: "2019-06-01T08:00:00Z" });
    expect(ids(await search(`${inA()}&lastUpdatedTo=2020-01-15`))).toEqual([p.mixed]);
    expect(ids(await search(`${inA()}&lastUpdatedFrom=2020-01-16`)).sort()).toEqual([p.roads, p.buildings].sort());
    expect(ids(await search(`${inA()}&createdFrom=2019-06-01&createdTo=2019-06-01`))).toEqual([p.mixed]);
  });

  it("orders by priority then id by default, and by any official key in either direction", async () => {
    expect(ids(await search(inA()))).toEqual([p.buildings, p.roads, p.mixed]);
    expect(ids(await search(`${inA()}&orderBy=id&orderByType=DESC`))).toEqual([p.mixed, p.buildings, p.roads]);
    expect(ids(await search(`${inA()}&orderBy=difficulty&orderByType=DESC`))).toEqual([p.mixed, p.buildings, p.roads]);
    expect(ids(await search(`${inA()}&orderBy=percentMapped&orderByType=DESC`))[0]).toBe(p.roads);
    await setProject(p.buildings!, { last_updated: "2030-01-01T00:00:00Z" });
    expect(ids(await search(`${inA()}&orderBy=last_updated&orderByType=DESC`))[0]).toBe(p.buildings);
  });

  it("shows drafts and archived projects only to their managers and admins", async () => {
    expect(ids(await search(inA()))).not.toContain(p.draft);
    expect(ids(await search(`${inA()}&projectStatuses=DRAFT`))).toEqual([]);
    expect(ids(await search(`${inA()}&projectStatuses=DRAFT,ARCHIVED`, users.stranger.token))).toEqual([]);
    expect(ids(await search(`${inA()}&projectStatuses=DRAFT`, users.manager.token))).toEqual([p.draft]);
    expect(ids(await search(`${inA()}&projectStatuses=ARCHIVED`, users.admin.token))).toEqual([p.archived]);
    // Authoring a draft is not enough: its organisation's managers see it.
    expect(ids(await search(`${inA()}&projectStatuses=DRAFT`, users.author.token))).toEqual([]);
  });

  it("hides private projects from anyone not allowed, shows them to allowed users and managers", async () => {
    expect(ids(await search(inA()))).not.toContain(p.private);
    expect(ids(await search(inA(), users.stranger.token))).not.toContain(p.private);
    expect(ids(await search(inA(), users.allowed.token))).toContain(p.private);
    expect(ids(await search(inA(), users.manager.token))).toContain(p.private);
    // Not in the map results either.
    const map = await search(inA(), users.stranger.token);
    expect(map.body.mapResults.features.map((f: { properties: { projectId: number } }) => f.properties.projectId)).not.toContain(p.private);
  });

  it("…ByMe filters use the token and refuse anonymous callers", async () => {
    expect(ids(await search(`createdByMe=true&textSearch=${word}`, users.author.token)).sort()).toEqual(
      [p.roads, p.buildings, p.mixed, p.other].sort(),
    );
    // With createdByMe every status is searched, within what the caller may see.
    expect(ids(await search(`createdByMe=true&textSearch=${word}`, users.admin.token))).toEqual([]);
    const own = await insertProject(app.services.db, { authorId: users.manager.id, organisationId: orgA, status: "DRAFT", name: `${word} own draft` });
    expect(ids(await search(`createdByMe=true`, users.manager.token))).toEqual([own.projectId]);
    expect(ids(await search(`createdByMe=true&textSearch=${word}`, users.stranger.token))).toEqual([]);
    expect(ids(await search(`managedByMe=true&textSearch=${word}`, users.manager.token))).not.toContain(p.other);
    expect(ids(await search(`managedByMe=true&textSearch=${word}&organisationId=${orgB}`, users.admin.token))).toEqual([p.other]);

    await app.services.db.insertInto("project_favorites").values({ project_id: p.mixed!, user_id: users.stranger.id }).execute();
    expect(ids(await search(`favoritedByMe=true`, users.stranger.token))).toEqual([p.mixed]);

    await app.services.db
      .insertInto("task_history")
      .values({ project_id: p.buildings!, task_id: 1, action: "STATE_CHANGE", action_text: "MAPPED", user_id: users.stranger.id })
      .execute();
    expect(ids(await search(`mappedByMe=true`, users.stranger.token))).toEqual([p.buildings]);

    const anonymous = await search(`favoritedByMe=true`);
    expect(anonymous.status).toBe(401);
    // false is no filter at all, signed in or not.
    expect((await search(`favoritedByMe=false&${inA()}`)).status).toBe(200);
  });

  it("action=map lists projects with tasks to map, action=validate those with mapped tasks", async () => {
    await app.services.db.updateTable("tasks").set({ task_status: "VALIDATED" }).where("project_id", "=", p.mixed!).execute();
    expect(ids(await search(`${inA()}&action=map`)).sort()).toEqual([p.roads, p.buildings].sort());
    expect(ids(await search(`${inA()}&action=validate`))).toEqual([p.roads]);
    expect(ids(await search(`${inA()}&action=any`))).toHaveLength(3);
  });

  it("teamId lists the projects the team is linked to", async () => {
    const db = app.services.db;
    const team = await insertTeam(db, { organisationId: (await insertOrganisation(db)).id });
    expect(ids(await search(`${inA()}&teamId=${team}`))).toEqual([]);
    await linkTeam(db, p.roads!, team, "MAPPER");
    const res = await search(`${inA()}&teamId=${team}`);
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([p.roads]);
  });

  it("paginates 14 per page with the official Pagination numbers; mapResults covers every page", async () => {
    const db = app.services.db;
    const org = (await insertOrganisation(db)).id;
    for (let i = 0; i < 16; i++) await insertProject(db, { authorId: users.author.id, organisationId: org, size: 1 });
    const first = await search(`organisationId=${org}&orderBy=id`);
    expect(first.body.results).toHaveLength(14);
    expect(first.body.pagination).toEqual({ hasNext: true, hasPrev: false, nextNum: 2, page: 1, pages: 2, prevNum: null, perPage: 14, total: 16 });
    expect(first.body.mapResults.features).toHaveLength(16);
    const second = await search(`organisationId=${org}&orderBy=id&page=2`);
    expect(second.body.results).toHaveLength(2);
    expect(second.body.pagination).toMatchObject({ hasNext: false, hasPrev: true, nextNum: null, prevNum: 1, page: 2 });
    expect(new Set([...ids(first), ...ids(second)]).size).toBe(16);
    const beyond = await search(`organisationId=${org}&page=5`);
    expect(beyond.body.results).toEqual([]);
    expect(beyond.body.pagination.total).toBe(16);
  });

  it("names projects in the request locale, falling back to the project's default locale", async () => {
    await app.services.db
      .insertInto("project_info")
      .values({ project_id: p.roads!, locale: "fr", name: `${word} routes alpha`, short_description: "Un projet" })
      .execute();
    const res = await search(`${inA()}&orderBy=id`, undefined, { "Accept-Language": "fr" });
    const [roads, buildings] = res.body.results;
    expect(roads).toMatchObject({ locale: "fr", name: `${word} routes alpha`, shortDescription: "Un projet" });
    expect(buildings).toMatchObject({ locale: "en", name: `${word} buildings beta` });
  });

  it.each([
    ["difficulty=HARD", "difficulty"],
    ["orderBy=name", "orderBy"],
    ["orderByType=UP", "orderByType"],
    ["projectStatuses=PUBLISHED,GONE", "projectStatuses"],
    ["mappingTypes=ROADS,RIVERS", "mappingTypes"],
    ["createdFrom=2024-13-01", "createdFrom"],
    ["lastUpdatedTo=yesterday", "lastUpdatedTo"],
    ["page=0", "page"],
    ["interests=1,x", "interests"],
    ["action=destroy", "action"],
    ["omitMapResults=maybe", "omitMapResults"],
  ])("refuses %s with 400 InvalidData naming the parameter", async (query, name) => {
    const res = await search(query);
    expect(res.status).toBe(400);
    expect(res.body.SubCode).toBe("InvalidData");
    expect(res.body.Error).toContain(name);
  });

  it("serves the shared recent_projects.py client", async () => {
    const { stdout } = await promisify(execFile)("python3", ["/work/shared/clients/recent_projects.py", app.baseUrl]);
    expect(stdout).toMatch(/last updated/);
    const res = await search(
      "orderBy=last_updated&orderByType=DESC&mappingTypesExact=false&page=1&createdByMe=false&mappedByMe=false" +
        "&favoritedByMe=false&managedByMe=false&basedOnMyInterests=false&omitMapResults=true",
    );
    expect(res.status).toBe(200);
    const dates = res.body.results.map((r: { lastUpdated: string }) => Date.parse(r.lastUpdated));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
  });

  it("ignores a textSearch with no letters or digits instead of failing", async () => {
    const res = await search(`${inA()}&textSearch=${encodeURIComponent("&|!():*")}`);
    expect(res.status).toBe(200);
    expect(ids(res)).toHaveLength(3);
  });
});
