import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertOrganisation, insertProject } from "../helpers/fixtures";

type User = Awaited<ReturnType<TestApp["user"]>>;

const PROJECT_DTO_FIELDS = [
  "projectId", "status", "projectPriority", "areaOfInterest", "aoiBBOX", "defaultLocale", "projectInfo", "projectInfoLocales",
  "difficulty", "mappingPermission", "validationPermission", "mappingPermissionLevelId", "validationPermissionLevelId",
  "enforceRandomTaskSelection", "private", "changesetComment", "osmchaFilterId", "dueDate", "imagery", "josmPreset", "idPresets",
  "extraIdParams", "rapidPowerUser", "mappingTypes", "campaigns", "organisation", "organisationName", "organisationSlug",
  "organisationLogo", "countryTag", "licenseId", "allowedUsernames", "priorityAreas", "created", "lastUpdated", "author",
  "activeMappers", "percentMapped", "percentValidated", "percentBadImagery", "taskCreationMode", "teams", "mappingEditors",
  "validationEditors", "customEditor", "interests",
].sort();

const SUMMARY_FIELDS = [
  "projectId", "defaultLocale", "author", "created", "dueDate", "lastUpdated", "projectPriority", "campaigns", "organisation",
  "organisationName", "organisationSlug", "organisationLogo", "countryTag", "osmchaFilterId", "mappingTypes", "changesetComment",
  "percentMapped", "percentValidated", "percentBadImagery", "aoiCentroid", "difficulty", "mappingPermission", "validationPermission",
  "allowedUsernames", "enforceRandomTaskSelection", "private", "teams", "projectInfo", "shortDescription", "status", "imagery",
  "licenseId", "idPresets", "extraIdParams", "rapidPowerUser", "mappingEditors", "validationEditors", "customEditor",
].sort();

describe("reading projects", () => {
  let app: TestApp;
  let admin: User, manager: User, mapper: User, allowed: User, author: User;
  let orgId: number;
  let projectId: number;

  beforeAll(async () => {
    app = await startTestApp();
    [admin, manager, mapper, allowed, author] = await Promise.all([
      app.user("ADMIN"), app.user("MAPPER"), app.user("MAPPER"), app.user("MAPPER"), app.user("MAPPER"),
    ]);
    const db = app.services.db;
    orgId = (await insertOrganisation(db, [manager.id])).id;
    ({ projectId } = await insertProject(db, { authorId: author.id, organisationId: orgId, size: 4, name: "Nairobi buildings" }));
    await db.insertInto("project_info").values({ project_id: projectId, locale: "fr", name: "Bâtiments de Nairobi", description: "Cartographier", instructions: "Tracer" }).execute();
    const campaign = await db.insertInto("campaigns").values({ name: `Campaign ${projectId}` }).returning("id").executeTakeFirstOrThrow();
    await db.insertInto("campaign_projects").values({ campaign_id: campaign.id, project_id: projectId }).execute();
    const interest = await db.insertInto("interests").values({ name: `Interest ${projectId}` }).returning("id").executeTakeFirstOrThrow();
    await db.insertInto("project_interests").values({ interest_id: interest.id, project_id: projectId }).execute();
    await db.insertInto("project_custom_editors").values({ project_id: projectId, name: "MyEditor", description: null, url: "https://editor.example" }).execute();
    await db
      .insertInto("project_priority_areas")
      .values({ project_id: projectId, geometry: sql`ST_MakeEnvelope(36.8, -1.3, 36.81, -1.29, 4326)` })
      .execute();
    await db.updateTable("projects").set({ mapping_types: ["BUILDINGS"], country_tag: ["Kenya"] }).where("id", "=", projectId).execute();
    // 16 tasks: 2 mapped, 1 validated, 1 bad imagery, 2 locked for mapping by two users.
    await sql`UPDATE tasks SET task_status = 'MAPPED', mapped_by = ${mapper.id} WHERE project_id = ${projectId} AND id IN (1, 2)`.execute(db);
    await sql`UPDATE tasks SET task_status = 'VALIDATED', mapped_by = ${mapper.id}, validated_by = ${manager.id} WHERE project_id = ${projectId} AND id = 3`.execute(db);
    await sql`UPDATE tasks SET task_status = 'BADIMAGERY' WHERE project_id = ${projectId} AND id = 4`.execute(db);
    await sql`UPDATE tasks SET task_status = 'LOCKED_FOR_MAPPING', status_before_lock = 'READY', lock_token = 'test', locked_by = ${mapper.id} WHERE project_id = ${projectId} AND id = 5`.execute(db);
    await sql`UPDATE tasks SET task_status = 'LOCKED_FOR_MAPPING', status_before_lock = 'READY', lock_token = 'test', locked_by = ${allowed.id} WHERE project_id = ${projectId} AND id = 6`.execute(db);
    await db.insertInto("task_history").values({ project_id: projectId, task_id: 1, action: "STATE_CHANGE", action_text: "MAPPED", user_id: mapper.id }).execute();
  });
  afterAll(() => app.close());

  it("answers the full ProjectDTO with the official field names", async () => {
    const res = await app.request("GET", `/api/v2/projects/${projectId}/`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(PROJECT_DTO_FIELDS);
    const dto = res.body;
    expect(dto).toMatchObject({
      projectId,
      status: "PUBLISHED",
      projectPriority: "MEDIUM",
      defaultLocale: "en",
      difficulty: "EASY",
      private: false,
      author: author.username,
      organisation: orgId,
      mappingTypes: ["BUILDINGS"],
      countryTag: ["Kenya"],
      taskCreationMode: "GRID",
      teams: [],
      allowedUsernames: [],
      activeMappers: 2,
      // (2 mapped + 1 validated) / (16 - 1 bad) = 20%; 1/15 = 6.67 → 6; 1/16 = 6.25 → 6
      percentMapped: 20,
      percentValidated: 6,
      percentBadImagery: 6,
      customEditor: { name: "MyEditor", description: null, url: "https://editor.example" },
      projectInfo: { locale: "en", name: "Nairobi buildings", description: "Map the buildings", instructions: "Trace every building" },
    });
    expect(dto.areaOfInterest.type).toBe("MultiPolygon");
    expect(dto.aoiBBOX.map((n: number) => Math.round(n * 100) / 100)).toEqual([36.8, -1.3, 36.84, -1.26]);
    expect(dto.campaigns).toEqual([{ id: expect.any(Number), name: `Campaign ${projectId}` }]);
    expect(dto.interests).toEqual([{ id: expect.any(Number), name: `Interest ${projectId}` }]);
    expect(dto.priorityAreas).toHaveLength(1);
    expect(dto.priorityAreas[0].type).toBe("Polygon");
    expect(dto.projectInfoLocales.map((i: { locale: string }) => i.locale)).toEqual(["en", "fr"]);
    expect(Date.parse(dto.created)).not.toBeNaN();
  });

  it("answers in the request locale, falling back to the default locale", async () => {
    const fr = await app.request("GET", `/api/v2/projects/${projectId}/`, { headers: { "Accept-Language": "fr" } });
    expect(fr.body.projectInfo).toMatchObject({ locale: "fr", name: "Bâtiments de Nairobi" });
    const de = await app.request("GET", `/api/v2/projects/${projectId}/`, { headers: { "Accept-Language": "de" } });
    expect(de.body.projectInfo).toMatchObject({ locale: "en", name: "Nairobi buildings" });
  });

  it("leaves the geometries out when abbreviated and answers a file with as_file", async () => {
    const short = await app.request("GET", `/api/v2/projects/${projectId}/?abbreviated=true`);
    expect(short.status).toBe(200);
    expect(short.body.areaOfInterest).toBeUndefined();
    expect(short.body.priorityAreas).toBeUndefined();
    expect(short.body.projectInfo.name).toBe("Nairobi buildings");
    const file = await app.request("GET", `/api/v2/projects/${projectId}/?as_file=true`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toBe(`attachment; filename="project_${projectId}.json"`);
    expect(file.body.projectId).toBe(projectId);
  });

  it("answers 404 for an unknown project and 400 for a malformed id", async () => {
    expect((await app.request("GET", "/api/v2/projects/999999/")).status).toBe(404);
    expect((await app.request("GET", "/api/v2/projects/abc/")).body.SubCode).toBe("InvalidData");
  });

  it("shows a private project only to managers and allowed users", async () => {
    const db = app.services.db;
    const { projectId: id } = await insertProject(db, { authorId: author.id, organisationId: orgId, private: true });
    await db.insertInto("project_allowed_users").values({ project_id: id, user_id: allowed.id }).execute();
    const get = (token?: string) => app.request("GET", `/api/v2/projects/${id}/`, { token });
    for (const token of [undefined, mapper.token]) {
      const res = await get(token);
      expect(res.status).toBe(403);
      expect(res.body.SubCode).toBe("PrivateProject");
    }
    for (const token of [allowed.token, manager.token, admin.token]) expect((await get(token)).status).toBe(200);
    expect((await get(manager.token)).body.allowedUsernames).toEqual([allowed.username]);
  });

  it("shows a draft only to its managers", async () => {
    const { projectId: id } = await insertProject(app.services.db, { authorId: author.id, organisationId: orgId, status: "DRAFT" });
    const get = (token?: string) => app.request("GET", `/api/v2/projects/${id}/`, { token });
    expect((await get()).status).toBe(403);
    expect((await get(mapper.token)).body.SubCode).toBe("ProjectNotPublished");
    expect((await get(manager.token)).status).toBe(200);
    expect((await get(admin.token)).status).toBe(200);
  });

  it("answers the ProjectSummary", async () => {
    const res = await app.request("GET", `/api/v2/projects/${projectId}/queries/summary/`, { headers: { "Accept-Language": "fr" } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(SUMMARY_FIELDS);
    expect(res.body).toMatchObject({ projectId, percentMapped: 20, projectInfo: { locale: "fr" }, aoiCentroid: { type: "Point" } });
    expect((await app.request("GET", "/api/v2/projects/999999/queries/summary/")).status).toBe(404);
  });

  it("answers the AOI, as a file by default", async () => {
    const file = await app.request("GET", `/api/v2/projects/${projectId}/queries/aoi/`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toContain(`${projectId}.geojson`);
    expect(file.body.type).toBe("MultiPolygon");
    const plain = await app.request("GET", `/api/v2/projects/${projectId}/queries/aoi/?as_file=false`);
    expect(plain.headers.get("content-disposition")).toBeNull();
    expect(plain.body.coordinates[0][0]).toHaveLength(5);
  });

  it("answers the project without geometries, and the priority areas", async () => {
    const res = await app.request("GET", `/api/v2/projects/${projectId}/queries/nogeometries/`);
    expect(res.status).toBe(200);
    expect(res.body.areaOfInterest).toBeUndefined();
    expect(res.body.projectId).toBe(projectId);
    const areas = await app.request("GET", `/api/v2/projects/${projectId}/queries/priority-areas/`);
    expect(areas.body).toHaveLength(1);
    expect(areas.body[0].type).toBe("Polygon");
  });

  it("answers the managers' view (notasks) to managers only", async () => {
    expect((await app.request("GET", `/api/v2/projects/${projectId}/queries/notasks/`)).status).toBe(401);
    const denied = await app.request("GET", `/api/v2/projects/${projectId}/queries/notasks/`, { token: mapper.token });
    expect(denied.status).toBe(403);
    const res = await app.request("GET", `/api/v2/projects/${projectId}/queries/notasks/`, { token: manager.token });
    expect(res.status).toBe(200);
    expect(res.body.areaOfInterest.type).toBe("MultiPolygon");
    expect(res.body.projectInfoLocales).toHaveLength(2);
  });
});

describe("project queries", () => {
  let app: TestApp;
  let admin: User, manager: User, mapper: User;
  let orgId: number;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    app = await startTestApp();
    [admin, manager, mapper] = await Promise.all([app.user("ADMIN"), app.user("MAPPER"), app.user("MAPPER")]);
    const db = app.services.db;
    orgId = (await insertOrganisation(db, [manager.id])).id;
    // Three managed projects near Kampala (one of each status), one elsewhere not managed.
    ids.published = (await insertProject(db, { authorId: manager.id, organisationId: orgId, lon: 32.5, lat: 0.3, name: "Kampala roads" })).projectId;
    ids.draft = (await insertProject(db, { authorId: admin.id, organisationId: orgId, lon: 32.6, lat: 0.3, status: "DRAFT" })).projectId;
    ids.archived = (await insertProject(db, { authorId: manager.id, organisationId: orgId, lon: 32.7, lat: 0.3, status: "ARCHIVED" })).projectId;
    ids.other = (await insertProject(db, { authorId: admin.id, lon: 32.55, lat: 0.35 })).projectId;
    ids.similar = (await insertProject(db, { authorId: admin.id, lon: 32.56, lat: 0.31 })).projectId;
    ids.far = (await insertProject(db, { authorId: admin.id, lon: -70, lat: 10 })).projectId;
    ids.private = (await insertProject(db, { authorId: admin.id, lon: 32.52, lat: 0.3, private: true })).projectId;
    await db.updateTable("projects").set({ mapping_types: ["ROADS"], difficulty: "MODERATE" }).where("id", "in", [ids.published!, ids.similar!, ids.private!]).execute();
    await sql`UPDATE tasks SET task_status = 'MAPPED', mapped_by = ${mapper.id} WHERE project_id = ${ids.published} AND id IN (1, 2)`.execute(db);
    await sql`UPDATE tasks SET task_status = 'VALIDATED', mapped_by = ${admin.id}, validated_by = ${mapper.id} WHERE project_id = ${ids.other} AND id = 1`.execute(db);
    await db
      .insertInto("task_history")
      .values([
        { project_id: ids.published!, task_id: 1, action: "STATE_CHANGE", action_text: "MAPPED", user_id: mapper.id },
        { project_id: ids.published!, task_id: 2, action: "STATE_CHANGE", action_text: "MAPPED", user_id: admin.id },
        { project_id: ids.other!, task_id: 1, action: "STATE_CHANGE", action_text: "VALIDATED", user_id: mapper.id, action_date: new Date(Date.now() - 48 * 3_600_000) },
      ])
      .execute();
  });
  afterAll(() => app.close());

  const bbox = (query: string, token?: string) => app.request("GET", `/api/v2/projects/queries/bbox/?${query}`, { token });

  it("bbox: AOIs of managed projects in the box", async () => {
    const res = await bbox("bbox=32.4,0.2,32.8,0.5", manager.token);
    expect(res.status).toBe(200);
    expect(res.body.type).toBe("FeatureCollection");
    const props = res.body.features.map((f: { properties: { projectId: number } }) => f.properties);
    expect(props.map((p: { projectId: number }) => p.projectId).sort()).toEqual([ids.published, ids.draft, ids.archived].sort());
    expect(props.find((p: { projectId: number }) => p.projectId === ids.published)).toEqual({ projectId: ids.published, projectStatus: "PUBLISHED", projectName: "Kampala roads" });
    expect(res.body.features[0].geometry.type).toBe("MultiPolygon");

    const drafts = await bbox("bbox=32.4,0.2,32.8,0.5&projectStatuses=DRAFT", manager.token);
    expect(drafts.body.features.map((f: { properties: { projectId: number } }) => f.properties.projectId)).toEqual([ids.draft]);
    const mine = await bbox("bbox=32.4,0.2,32.8,0.5&createdByMe=true", manager.token);
    expect(mine.body.features).toHaveLength(2);
    // Admins see every project in the box.
    const all = (await bbox("bbox=32.4,0.2,32.8,0.5", admin.token)).body.features.map((f: { properties: { projectId: number } }) => f.properties.projectId);
    expect(all).toEqual(expect.arrayContaining([ids.published, ids.draft, ids.archived, ids.other, ids.similar, ids.private]));
    expect(all).not.toContain(ids.far);
  });

  it("bbox: accepts EPSG:3857", async () => {
    // 32.4..32.8 E, 0.2..0.5 N in web mercator metres.
    const res = await bbox("bbox=3606741,22263,3651269,55660&srid=3857", manager.token);
    expect(res.status).toBe(200);
    expect(res.body.features).toHaveLength(3);
  });

  it("bbox: refuses non-managers, malformed and oversized boxes", async () => {
    expect((await bbox("bbox=32.4,0.2,32.8,0.5")).status).toBe(401);
    const notPm = await bbox("bbox=32.4,0.2,32.8,0.5", mapper.token);
    expect(notPm.status).toBe(403);
    expect(notPm.body.SubCode).toBe("UserPermissionError");
    for (const q of ["bbox=1,2,3", "bbox=a,b,c,d", "bbox=3,0,1,1", "bbox=1,1,2,2&srid=27700", ""]) {
      const res = await bbox(q, manager.token);
      expect(res.status, q).toBe(400);
      expect(res.body.SubCode, q).toBe("InvalidData");
    }
    const big = await bbox("bbox=0,0,40,40", manager.token);
    expect(big.status).toBe(403);
    expect(big.body.SubCode).toBe("BBoxTooBigError");
  });

  it("myself/owner: the PM dashboard by status", async () => {
    const res = await app.request("GET", "/api/v2/projects/queries/myself/owner/", { token: manager.token });
    expect(res.status).toBe(200);
    const idsOf = (list: { projectId: number }[]) => list.map((p) => p.projectId);
    expect(idsOf(res.body.activeProjects)).toEqual([ids.published]);
    expect(idsOf(res.body.draftProjects)).toEqual([ids.draft]);
    expect(idsOf(res.body.archivedProjects)).toEqual([ids.archived]);
    expect(res.body.activeProjects[0].projectInfo.name).toBe("Kampala roads");
    const denied = await app.request("GET", "/api/v2/projects/queries/myself/owner/", { token: mapper.token });
    expect(denied.status).toBe(403);
  });

  it("touched: the projects a user worked on", async () => {
    const res = await app.request("GET", `/api/v2/projects/queries/${mapper.username}/touched/`);
    expect(res.status).toBe(200);
    expect(res.body.mappedProjects).toEqual([
      { projectId: ids.other, name: `Fixture project ${ids.other}`, tasksMapped: 0, tasksValidated: 1, status: "PUBLISHED", centroid: expect.objectContaining({ type: "Point" }) },
      { projectId: ids.published, name: "Kampala roads", tasksMapped: 2, tasksValidated: 0, status: "PUBLISHED", centroid: expect.objectContaining({ type: "Point" }) },
    ].sort((a, b) => b.projectId! - a.projectId!));
    const unknown = await app.request("GET", "/api/v2/projects/queries/no_such_user_xyz/touched/");
    expect(unknown.status).toBe(404);
    expect(unknown.body.SubCode).toBe("UserNotFound");
  });

  it("active: AOIs of projects with recent activity", async () => {
    const day = await app.request("GET", "/api/v2/projects/queries/active/");
    expect(day.status).toBe(200);
    // Other suites share this run's database: look only at this suite's projects.
    const mine = day.body.features.filter((f: { properties: { project_id: number } }) => Object.values(ids).includes(f.properties.project_id));
    expect(mine.map((f: { properties: { project_id: number } }) => f.properties.project_id)).toEqual([ids.published]);
    expect(mine[0].properties.mapping_types).toEqual(["ROADS"]);
    expect((await app.request("GET", "/api/v2/projects/queries/active/?interval=0")).status).toBe(400);
    expect((await app.request("GET", "/api/v2/projects/queries/active/?interval=25")).status).toBe(400);
  });

  it("popular: published projects by recent contributors", async () => {
    const res = await app.request("GET", "/api/v2/projects/queries/popular/");
    expect(res.status).toBe(200);
    // The list is a site-wide top ten, ordered by contributors of the last 90 days. Other suites share
    // this database and add or back-date history while this runs, so the order is checked over this
    // file's projects, whose history only this file writes (totalContributors counts all time).
    const results = res.body.results as { projectId: number; totalContributors: number; status: string }[];
    const counts = results.map((r) => r.totalContributors);
    const mine = results.filter((r) => Object.values(ids).includes(r.projectId));
    const recent = mine.length
      ? await app.services.db
          .selectFrom("task_history")
          .select(["project_id", (eb) => eb.fn.count<string>("user_id").distinct().as("contributors")])
          .where("project_id", "in", mine.map((r) => r.projectId))
          .where("action_date", ">=", new Date(Date.now() - 90 * 86_400_000))
          .groupBy("project_id")
          .execute()
      : [];
    const recentCount = new Map(recent.map((r) => [r.project_id, Number(r.contributors)]));
    const ranked = mine.map((r) => recentCount.get(r.projectId) ?? 0);
    expect(ranked).toEqual([...ranked].sort((a, b) => b - a));
    expect(results.every((r) => r.status === "PUBLISHED")).toBe(true);
    expect(results.map((r) => r.projectId)).not.toContain(ids.private);
    if (results.length < 10 || counts.at(-1)! < 2) {
      expect(mine.map((r) => r.projectId).slice(0, 1)).toEqual([ids.published]);
      expect(mine[0]).toMatchObject({ name: "Kampala roads", totalContributors: 2, status: "PUBLISHED", percentMapped: 22 });
    }
  });

  it("similar-projects: public published projects, most alike first", async () => {
    const res = await app.request("GET", `/api/v2/projects/queries/${ids.published}/similar-projects/?limit=2`);
    expect(res.status).toBe(200);
    const found = res.body.results.map((r: { projectId: number }) => r.projectId);
    expect(found).toHaveLength(2);
    expect(found[0]).toBe(ids.similar); // same mapping types and difficulty
    expect(found).not.toContain(ids.private);
    expect(found).not.toContain(ids.published);
    expect((await app.request("GET", "/api/v2/projects/queries/999999/similar-projects/")).status).toBe(404);
  });

  it("featured: only featured projects", async () => {
    await app.request("POST", `/api/v2/projects/${ids.published}/actions/feature/`, { token: manager.token });
    const res = await app.request("GET", "/api/v2/projects/queries/featured/");
    expect(res.status).toBe(200);
    const mine = res.body.results.filter((r: { projectId: number }) => Object.values(ids).includes(r.projectId));
    expect(mine.map((r: { projectId: number }) => r.projectId)).toEqual([ids.published]);
    expect(mine[0]).toMatchObject({ name: "Kampala roads", organisationName: expect.any(String), campaigns: [] });
  });
});
