import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BBox, gridCovering } from "../../src/domain/grid";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertOrganisation, insertProject } from "../helpers/fixtures";

type User = Awaited<ReturnType<TestApp["user"]>>;

const polygon = ([w, s, e, n]: BBox) => ({ type: "Polygon", coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });
const feature = (geometry: unknown, properties: Record<string, unknown> = {}) => ({ type: "Feature", geometry, properties });
const collection = (features: unknown[]) => ({ type: "FeatureCollection", features });

/** A ~2 km square in Nairobi and the zoom-16 squares covering it, as the official frontend sends them. */
const NAIROBI: BBox = [36.8, -1.3, 36.82, -1.28];
const AOI = collection([feature(polygon(NAIROBI))]);
const GRID = gridCovering(NAIROBI, 16);
/** A triangle over the same square: half of the squares cross its long edge. */
const TRIANGLE = { type: "Polygon", coordinates: [[[36.8, -1.3], [36.82, -1.3], [36.8, -1.28], [36.8, -1.3]]] };

describe("POST /api/v2/projects/ and intersecting tiles", () => {
  let app: TestApp;
  let manager: User;
  let outsider: User;
  let admin: User;
  let orgId: number;

  /** Rows written on behalf of this file's users (other files share the database and run in parallel). */
  const count = async (table: "projects" | "tasks" | "project_info") => {
    const authors = [manager.id, outsider.id, admin.id];
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM ${sql.table(table)}
      WHERE ${sql.ref(table === "projects" ? "id" : "project_id")} IN (SELECT id FROM projects WHERE author_id IN (${sql.join(authors)}))`.execute(app.services.db);
    return rows[0]!.n;
  };
  const create = (body: Record<string, unknown>, token = manager.token) => app.request("POST", "/api/v2/projects/", { token, body });
  const draft = (extra: Record<string, unknown> = {}) => ({ projectName: "Nairobi buildings", organisation: orgId, areaOfInterest: AOI, tasks: GRID, ...extra });

  /** Asserts the request is refused with `status`/`subCode` and that nothing was written. */
  async function refused(body: Record<string, unknown>, status: number, subCode: string, token?: string) {
    const before = [await count("projects"), await count("tasks"), await count("project_info")];
    const res = await create(body, token);
    expect({ status: res.status, subCode: res.body?.SubCode }, res.text).toEqual({ status, subCode });
    expect([await count("projects"), await count("tasks"), await count("project_info")]).toEqual(before);
    return res;
  }

  beforeAll(async () => {
    app = await startTestApp({ TM_MAX_AOI_AREA_SQKM: "100", TM_MAX_TASKS: "500" });
    manager = await app.user("MAPPER");
    outsider = await app.user("MAPPER");
    admin = await app.user("ADMIN");
    orgId = (await insertOrganisation(app.services.db, [manager.id])).id;
  });
  afterAll(() => app.close());

  it("creates a DRAFT project from the official grid FeatureCollection, tasks numbered 1..n", async () => {
    const res = await create(draft());
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ projectId: expect.any(Number) });
    const id = res.body.projectId;
    const db = app.services.db;
    const project = await db.selectFrom("projects").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(project).toMatchObject({
      status: "DRAFT",
      author_id: manager.id,
      organisation_id: orgId,
      default_locale: "en",
      task_creation_mode: "GRID",
      total_tasks: GRID.features.length,
      tasks_mapped: 0,
      changeset_comment: `#tm-project-${id}`,
      country_tag: ["Kenya"],
    });
    const info = await db.selectFrom("project_info").selectAll().where("project_id", "=", id).execute();
    expect(info).toMatchObject([{ locale: "en", name: "Nairobi buildings" }]);
    const tasks = await db.selectFrom("tasks").select(["id", "x", "y", "zoom", "is_square", "task_status"]).where("project_id", "=", id).orderBy("id").execute();
    expect(tasks.map((t) => t.id)).toEqual(GRID.features.map((_, i) => i + 1));
    expect(tasks.map((t) => [t.x, t.y, t.zoom, t.is_square, t.task_status])).toEqual(
      GRID.features.map((f) => [f.properties.x, f.properties.y, 16, true, "READY"]),
    );
    const { rows } = await sql<{ dissolved: boolean; centroid_inside: boolean }>`
      SELECT ST_Equals(geometry, ST_Multi(ST_MakeEnvelope(36.8, -1.3, 36.82, -1.28, 4326))) AS dissolved,
             ST_Within(centroid, geometry) AS centroid_inside
      FROM projects WHERE id = ${id}`.execute(db);
    expect(rows[0]).toEqual({ dissolved: true, centroid_inside: true });
  });

  it("lets an admin create for any organisation, and accepts a bare Polygon or Feature as AOI", async () => {
    expect((await create(draft({ areaOfInterest: polygon(NAIROBI) }), admin.token)).status).toBe(201);
    expect((await create(draft({ areaOfInterest: feature(polygon(NAIROBI)) }))).status).toBe(201);
  });

  it("makes one ARBITRARY task per AOI feature with arbitraryTasks", async () => {
    const aoi = collection([
      feature(polygon([36.8, -1.3, 36.81, -1.29]), { name: "west" }),
      feature({ type: "MultiPolygon", coordinates: [polygon([36.82, -1.3, 36.83, -1.29]).coordinates] }, { name: "east" }),
    ]);
    const res = await create({ projectName: "Blocks", organisation: orgId, areaOfInterest: aoi, arbitraryTasks: true });
    expect(res.status, res.text).toBe(201);
    const id = res.body.projectId;
    const project = await app.services.db.selectFrom("projects").select(["task_creation_mode", "total_tasks"]).where("id", "=", id).executeTakeFirstOrThrow();
    expect(project).toEqual({ task_creation_mode: "ARBITRARY", total_tasks: 2 });
    const tasks = await app.services.db.selectFrom("tasks").select(["id", "x", "y", "zoom", "is_square", "extra_properties"]).where("project_id", "=", id).orderBy("id").execute();
    expect(tasks).toEqual([
      { id: 1, x: null, y: null, zoom: null, is_square: false, extra_properties: { name: "west" } },
      { id: 2, x: null, y: null, zoom: null, is_square: false, extra_properties: { name: "east" } },
    ]);
  });

  it("builds the square grid on the server from zoomLevel, optionally clipped to the AOI", async () => {
    const square = await create({ projectName: "Server grid", organisation: orgId, areaOfInterest: AOI, zoomLevel: 16 });
    expect(square.status, square.text).toBe(201);
    const tasks = await app.services.db.selectFrom("tasks").select(["x", "y", "zoom", "is_square"]).where("project_id", "=", square.body.projectId).execute();
    const key = (t: { x: number | null; y: number | null }) => `${t.x}/${t.y}`;
    expect(tasks.map(key).sort()).toEqual(GRID.features.map((f) => key(f.properties)).sort());
    expect(tasks.every((t) => t.zoom === 16 && t.is_square)).toBe(true);

    const clipped = await create({ projectName: "Clipped grid", organisation: orgId, areaOfInterest: TRIANGLE, zoomLevel: 16, clipToAoi: true });
    expect(clipped.status, clipped.text).toBe(201);
    const { rows } = await sql<{ n: number; squares: number; covers: boolean; sum_equals_aoi: boolean }>`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE t.is_square)::int AS squares,
             bool_and(ST_CoveredBy(t.geometry, ST_Buffer(p.geometry, 1e-9))) AS covers,
             abs(sum(ST_Area(t.geometry)) - min(ST_Area(p.geometry))) < 1e-9 AS sum_equals_aoi
      FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.project_id = ${clipped.body.projectId}`.execute(app.services.db);
    expect(rows[0]!.covers).toBe(true);
    expect(rows[0]!.sum_equals_aoi).toBe(true);
    expect(rows[0]!.squares).toBeGreaterThan(0);
    expect(rows[0]!.squares).toBeLessThan(rows[0]!.n);
  });

  it("refuses a server grid with more tasks than TM_MAX_TASKS, and a zoomLevel out of range", async () => {
    const res = await refused({ projectName: "Too fine", organisation: orgId, areaOfInterest: AOI, zoomLevel: 19 }, 400, "InvalidData");
    expect(res.body.Error).toMatch(/zoomLevel 19 has more than 500 tasks/);
    const out = await refused({ projectName: "Too coarse", organisation: orgId, areaOfInterest: AOI, zoomLevel: 3 }, 400, "InvalidData");
    expect(out.body.Error).toMatch(/zoomLevel/);
  });

  it("clones a project's settings, descriptions and lists into a new DRAFT", async () => {
    const db = app.services.db;
    const source = await insertProject(db, { authorId: admin.id, organisationId: orgId, size: 3 });
    await db.updateTable("projects").set({ priority: "URGENT", mapping_types: ["BUILDINGS"], changeset_comment: `#tm-project-${source.projectId} #buildings` }).where("id", "=", source.projectId).execute();
    await db.insertInto("project_info").values({ project_id: source.projectId, locale: "fr", name: "Bâtiments", description: "Cartographier" }).execute();
    await db.insertInto("project_allowed_users").values({ project_id: source.projectId, user_id: outsider.id }).execute();

    const copy = await create({ projectName: "Copy of fixture", cloneFromProjectId: source.projectId });
    expect(copy.status, copy.text).toBe(201);
    const id = copy.body.projectId;
    const project = await db.selectFrom("projects").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(project).toMatchObject({
      status: "DRAFT",
      author_id: manager.id,
      organisation_id: orgId,
      priority: "URGENT",
      mapping_types: ["BUILDINGS"],
      total_tasks: 9,
      changeset_comment: `#tm-project-${id} #buildings`,
    });
    const info = await db.selectFrom("project_info").select(["locale", "name", "description"]).where("project_id", "=", id).orderBy("locale").execute();
    expect(info).toEqual([
      { locale: "en", name: "Copy of fixture", description: "Map the buildings" },
      { locale: "fr", name: "Bâtiments", description: "Cartographier" },
    ]);
    const allowed = await db.selectFrom("project_allowed_users").select("user_id").where("project_id", "=", id).execute();
    expect(allowed).toEqual([{ user_id: outsider.id }]);

    // With a new AOI, the tasks come from the body rather than from the source.
    const moved = await create({ projectName: "Moved copy", cloneFromProjectId: source.projectId, areaOfInterest: AOI, tasks: GRID });
    expect(moved.status, moved.text).toBe(201);
    const movedProject = await db.selectFrom("projects").select(["total_tasks", "priority"]).where("id", "=", moved.body.projectId).executeTakeFirstOrThrow();
    expect(movedProject).toEqual({ total_tasks: GRID.features.length, priority: "URGENT" });
  });

  it("refuses to clone a project the caller does not manage", async () => {
    const other = await insertProject(app.services.db, { authorId: admin.id });
    await refused({ projectName: "Stolen", cloneFromProjectId: other.projectId }, 403, "UserPermissionError");
    await refused({ projectName: "Nothing", cloneFromProjectId: 999999 }, 404, "NotFoundError");
  });

  describe("refuses bad requests and writes nothing", () => {
    it("anonymous → 401, non-manager → 403, unknown organisation → 404", async () => {
      const before = await count("projects");
      expect((await app.request("POST", "/api/v2/projects/", { body: draft() })).status).toBe(401);
      expect(await count("projects")).toBe(before);
      await refused(draft(), 403, "UserPermissionError", outsider.token);
      await refused(draft({ organisation: 999999 }), 404, "NotFoundError");
    });

    it("wrong types → 400 naming the field", async () => {
      expect((await refused(draft({ projectName: 42 }), 400, "InvalidData")).body.Error).toMatch(/projectName/);
      expect((await refused(draft({ projectName: "  " }), 400, "InvalidData")).body.Error).toMatch(/projectName/);
      expect((await refused(draft({ organisation: "acme" }), 400, "InvalidData")).body.Error).toMatch(/organisation/);
      expect((await refused(draft({ arbitraryTasks: "yes" }), 400, "InvalidData")).body.Error).toMatch(/arbitraryTasks/);
      expect((await refused(draft({ areaOfInterest: "Nairobi" }), 400, "InvalidData")).body.Error).toMatch(/areaOfInterest/);
      expect((await refused(draft({ organisation: undefined }), 400, "InvalidData")).body.Error).toMatch(/organisation/);
      expect((await refused(draft({ areaOfInterest: undefined }), 400, "InvalidData")).body.Error).toMatch(/areaOfInterest/);
      expect((await refused(draft({ tasks: undefined }), 400, "InvalidData")).body.Error).toMatch(/tasks, arbitraryTasks or zoomLevel/);
    });

    it("invalid GeoJSON and non-polygon AOIs", async () => {
      await refused(draft({ areaOfInterest: { type: "Point", coordinates: [36.8, -1.3] } }), 400, "MustBeMultiPloygon");
      await refused(draft({ areaOfInterest: collection([feature({ type: "LineString", coordinates: [[36.8, -1.3], [36.9, -1.2]] })]) }), 400, "MustBeMultiPloygon");
      await refused(draft({ areaOfInterest: { type: "Polygon", coordinates: [[[36.8, -1.3], [36.9, -1.3]]] } }), 400, "InvalidMultipolygon");
      await refused(draft({ areaOfInterest: { type: "Polygon", coordinates: [[[200, -1.3], [201, -1.3], [201, 0], [200, -1.3]]] } }), 400, "InvalidMultipolygon");
      // An unclosed ring passes the shape check but PostGIS cannot read it.
      await refused(draft({ areaOfInterest: { type: "Polygon", coordinates: [[[36.8, -1.3], [36.82, -1.3], [36.82, -1.28], [36.8, -1.28]]] } }), 400, "InvalidMultipolygon");
    });

    it("a self-intersecting (bow-tie) AOI → SelfIntersectingAOI", async () => {
      const bowTie = { type: "Polygon", coordinates: [[[36.8, -1.3], [36.82, -1.28], [36.82, -1.3], [36.8, -1.28], [36.8, -1.3]]] };
      const res = await refused(draft({ areaOfInterest: bowTie }), 400, "SelfIntersectingAOI");
      expect(res.body.Error).toMatch(/Self-intersection/);
    });

    it("an AOI above TM_MAX_AOI_AREA_SQKM", async () => {
      const big = polygon([36, -2, 37, -1]); // ~12,000 km²
      const res = await refused(draft({ areaOfInterest: big, tasks: undefined, arbitraryTasks: true }), 400, "InvalidData");
      expect(res.body.Error).toMatch(/above the limit of 100 km²/);
    });

    it("tasks that are not a FeatureCollection, empty, malformed, too many, or outside the AOI", async () => {
      await refused(draft({ tasks: GRID.features[0] }), 400, "MustBeFeatureCollection");
      await refused(draft({ tasks: collection([]) }), 400, "MustHaveFeatures");
      const noProps = collection([{ ...GRID.features[0], properties: {} }]);
      expect((await refused(draft({ tasks: noProps }), 400, "InvalidData")).body.Error).toMatch(/tasks\.features\.0\.properties\.x/);
      const point = collection([feature({ type: "Point", coordinates: [36.8, -1.3] }, { x: 1, y: 1, zoom: 16, isSquare: true })]);
      await refused(draft({ tasks: point }), 400, "MustBeMultiPloygon");
      const far = gridCovering([10, 10, 10.001, 10.001], 16).features[0]!;
      const res = await refused(draft({ tasks: collection([...GRID.features.slice(0, 3), far]) }), 400, "InvalidData");
      expect(res.body.Error).toBe("tasks.features.3 does not intersect the area of interest");
      const many = collection(Array.from({ length: 501 }, () => GRID.features[0]));
      expect((await refused(draft({ tasks: many }), 400, "InvalidData")).body.Error).toMatch(/limit of 500/);
    });
  });

  describe("POST /api/v2/projects/actions/intersecting-tiles/", () => {
    const trim = (body: unknown, token = manager.token) => app.request("POST", "/api/v2/projects/actions/intersecting-tiles/", { token, body });

    it("keeps the squares that overlap the AOI, unchanged, in order", async () => {
      const res = await trim({ areaOfInterest: TRIANGLE, grid: GRID, clipToAoi: false });
      expect(res.status, res.text).toBe(200);
      expect(res.body.type).toBe("FeatureCollection");
      const kept = res.body.features as typeof GRID.features;
      // Below the diagonal of the square, about half the squares, each returned as sent.
      expect(kept.length).toBeGreaterThan(GRID.features.length / 3);
      expect(kept.length).toBeLessThan(GRID.features.length);
      for (const f of kept) {
        const original = GRID.features.find((g) => g.properties.x === f.properties.x && g.properties.y === f.properties.y)!;
        expect(f).toEqual(original);
      }
    });

    it("clips the border squares to the AOI with clipToAoi (isSquare false)", async () => {
      const res = await trim({ areaOfInterest: collection([feature(TRIANGLE)]), grid: GRID, clipToAoi: true });
      expect(res.status, res.text).toBe(200);
      const features = res.body.features as { geometry: { type: string }; properties: { x: number; y: number; zoom: number; isSquare: boolean } }[];
      const clipped = features.filter((f) => !f.properties.isSquare);
      expect(clipped.length).toBeGreaterThan(0);
      expect(features.some((f) => f.properties.isSquare)).toBe(true);
      expect(features.every((f) => f.geometry.type === "MultiPolygon" && f.properties.zoom === 16)).toBe(true);
      const { rows } = await sql<{ equal: boolean }>`
        SELECT abs(ST_Area(ST_Union(ST_GeomFromGeoJSON(f->'geometry'))) - ST_Area(ST_GeomFromGeoJSON(${JSON.stringify(TRIANGLE)}))) < 1e-9 AS equal
        FROM jsonb_array_elements(${JSON.stringify(features)}::jsonb) f`.execute(app.services.db);
      expect(rows[0]!.equal).toBe(true);
    });

    it("validates like project creation and needs a token", async () => {
      const bowTie = { type: "Polygon", coordinates: [[[36.8, -1.3], [36.82, -1.28], [36.82, -1.3], [36.8, -1.28], [36.8, -1.3]]] };
      expect((await trim({ areaOfInterest: bowTie, grid: GRID })).body.SubCode).toBe("SelfIntersectingAOI");
      expect((await trim({ areaOfInterest: AOI, grid: GRID.features[0] })).body.SubCode).toBe("MustBeFeatureCollection");
      expect((await trim({ areaOfInterest: AOI, grid: collection([]) })).body.SubCode).toBe("MustHaveFeatures");
      expect((await trim({ areaOfInterest: { type: "Point", coordinates: [1, 2] }, grid: GRID })).body.SubCode).toBe("MustBeMultiPloygon");
      const missing = await trim({ areaOfInterest: AOI });
      expect(missing.status).toBe(400);
      expect(missing.body.Error).toMatch(/grid/);
      expect((await app.request("POST", "/api/v2/projects/actions/intersecting-tiles/", { body: { areaOfInterest: AOI, grid: GRID } })).status).toBe(401);
    });
  });
});

describe("DELETE /api/v2/projects/{project_id}/", () => {
  let app: TestApp;
  let manager: User;
  let outsider: User;
  let admin: User;
  let orgId: number;

  beforeAll(async () => {
    app = await startTestApp();
    manager = await app.user("MAPPER");
    outsider = await app.user("MAPPER");
    admin = await app.user("ADMIN");
    orgId = (await insertOrganisation(app.services.db, [manager.id])).id;
  });
  afterAll(() => app.close());

  const exists = async (id: number) => (await app.services.db.selectFrom("projects").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
  const remove = (id: number, token?: string) => app.request("DELETE", `/api/v2/projects/${id}/`, { token });

  it("deletes a project without mapped work, with its info, tasks and lists", async () => {
    const { projectId } = await insertProject(app.services.db, { authorId: manager.id, organisationId: orgId });
    await app.services.db.insertInto("project_favorites").values({ project_id: projectId, user_id: outsider.id }).execute();
    await app.services.db.insertInto("task_history").values({ project_id: projectId, task_id: 1, action: "COMMENT", action_text: "looks good", user_id: outsider.id }).execute();
    const res = await remove(projectId, manager.token);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ Success: "Project deleted" });
    expect(await exists(projectId)).toBe(false);
    const leftovers = await sql<{ n: number }>`
      SELECT (SELECT count(*) FROM tasks WHERE project_id = ${projectId}) + (SELECT count(*) FROM project_info WHERE project_id = ${projectId})
           + (SELECT count(*) FROM task_history WHERE project_id = ${projectId}) + (SELECT count(*) FROM project_favorites WHERE project_id = ${projectId}) AS n`.execute(app.services.db);
    expect(Number(leftovers.rows[0]!.n)).toBe(0);
  });

  it("refuses with HasMappedTasks once a task is mapped, or was mapped and reset", async () => {
    const db = app.services.db;
    const mapped = await insertProject(db, { authorId: manager.id, organisationId: orgId });
    await db.updateTable("tasks").set({ task_status: "MAPPED", mapped_by: outsider.id }).where("project_id", "=", mapped.projectId).where("id", "=", 2).execute();
    let res = await remove(mapped.projectId, manager.token);
    expect({ status: res.status, subCode: res.body.SubCode }).toEqual({ status: 403, subCode: "HasMappedTasks" });
    expect(await exists(mapped.projectId)).toBe(true);

    const history = await insertProject(db, { authorId: manager.id, organisationId: orgId });
    await db.insertInto("task_history").values({ project_id: history.projectId, task_id: 1, action: "STATE_CHANGE", action_text: "MAPPED", user_id: outsider.id }).execute();
    res = await remove(history.projectId, admin.token);
    expect({ status: res.status, subCode: res.body.SubCode }).toEqual({ status: 403, subCode: "HasMappedTasks" });
    expect(await exists(history.projectId)).toBe(true);
  });

  it("only managers may delete: 401 anonymous, 403 DeletePermissionError, 404 unknown; an admin may", async () => {
    const { projectId } = await insertProject(app.services.db, { authorId: manager.id, organisationId: orgId });
    expect((await remove(projectId)).status).toBe(401);
    const res = await remove(projectId, outsider.token);
    expect({ status: res.status, subCode: res.body.SubCode }).toEqual({ status: 403, subCode: "DeletePermissionError" });
    expect(await exists(projectId)).toBe(true);
    expect((await remove(999999, manager.token)).status).toBe(404);
    expect((await remove(projectId, admin.token)).status).toBe(200);
    expect(await exists(projectId)).toBe(false);
  });
});
