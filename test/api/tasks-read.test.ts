import { execFile } from "node:child_process";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertOrganisation, insertProject, type ProjectFixture } from "../helpers/fixtures";

interface XmlNode {
  tag: string;
  attrib: Record<string, string>;
  text: string | null;
  children: XmlNode[];
}

/** Strict XML parsing (Python's expat): throws on anything not well-formed. */
function parseXml(text: string): Promise<XmlNode> {
  const script = `
import json, sys, xml.etree.ElementTree as ET
def node(e): return {"tag": e.tag, "attrib": e.attrib, "text": (e.text or "").strip() or None, "children": [node(c) for c in e]}
print(json.dumps(node(ET.fromstring(sys.stdin.buffer.read()))))`;
  return new Promise((resolve, reject) => {
    const child = execFile("python3", ["-c", script], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(stderr || err.message)) : resolve(JSON.parse(stdout)),
    );
    child.stdin!.end(text);
  });
}

const GPX = "{http://www.topografix.com/GPX/1/1}";

describe("task reads", () => {
  let app: TestApp;
  let manager: { id: number; username: string; token: string };
  let mapper: { id: number; username: string; token: string };
  let validator: { id: number; username: string; token: string };
  let stranger: { id: number; username: string; token: string };
  let project: ProjectFixture;

  const get = (path: string, token?: string, headers?: Record<string, string>) => app.request("GET", path, { token, headers });
  const tasksPath = (suffix = "") => `/api/v2/projects/${project.projectId}/tasks/${suffix}`;

  beforeAll(async () => {
    app = await startTestApp();
    [manager, mapper, validator, stranger] = await Promise.all([app.user("MAPPER"), app.user("MAPPER"), app.user("MAPPER"), app.user("MAPPER")]);
    const org = await insertOrganisation(app.services.db, [manager.id]);
    project = await insertProject(app.services.db, { authorId: manager.id, organisationId: org.id, size: 3, lon: 10, lat: 20 });
  });
  afterAll(() => app.close());

  describe("GET /projects/{id}/tasks/", () => {
    it("answers a FeatureCollection with one MultiPolygon feature per task and the official properties", async () => {
      const res = await get(tasksPath());
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.headers.get("content-disposition")).toBeNull();
      expect(res.body.type).toBe("FeatureCollection");
      expect(res.body.features).toHaveLength(9);
      const first = res.body.features[0];
      expect(first.type).toBe("Feature");
      expect(first.geometry.type).toBe("MultiPolygon");
      expect(first.geometry.coordinates[0][0][0]).toEqual([10, 20]);
      expect(first.properties).toEqual({
        taskId: 1, taskX: 0, taskY: 0, taskZoom: 18, taskIsSquare: true, taskStatus: "READY",
        lockedBy: null, mappedBy: null, validatedBy: null,
      });
      expect(res.body.features.map((f: { properties: { taskId: number } }) => f.properties.taskId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it("reports lock holders and mappers by user id, and extra properties", async () => {
      const db = app.services.db;
      await db.updateTable("tasks").set({ task_status: "MAPPED", mapped_by: mapper.id }).where("project_id", "=", project.projectId).where("id", "=", 7).execute();
      await db
        .updateTable("tasks")
        .set({ task_status: "LOCKED_FOR_MAPPING", locked_by: mapper.id, lock_token: "test", status_before_lock: "READY", extra_properties: JSON.stringify({ building: "yes" }) })
        .where("project_id", "=", project.projectId)
        .where("id", "=", 8)
        .execute();
      const res = await get(`${tasksPath()}?tasks=7,8`);
      expect(res.body.features.map((f: { properties: unknown }) => f.properties)).toEqual([
        expect.objectContaining({ taskId: 7, taskStatus: "MAPPED", mappedBy: mapper.id, lockedBy: null }),
        expect.objectContaining({ taskId: 8, taskStatus: "LOCKED_FOR_MAPPING", lockedBy: mapper.id, extraProperties: { building: "yes" } }),
      ]);
      await db
        .updateTable("tasks")
        .set({ task_status: "READY", locked_by: null, lock_token: null, status_before_lock: null, mapped_by: null })
        .where("project_id", "=", project.projectId)
        .where("id", "in", [7, 8])
        .execute();
    });

    it("filters with tasks=1,2,5 and refuses a malformed list", async () => {
      const res = await get(`${tasksPath()}?tasks=1,2,5`);
      expect(res.body.features.map((f: { properties: { taskId: number } }) => f.properties.taskId)).toEqual([1, 2, 5]);
      for (const bad of ["1,x", "0", "-3", "1.5"]) {
        const refused = await get(`${tasksPath()}?tasks=${bad}`);
        expect(refused.status).toBe(400);
        expect(refused.body.SubCode).toBe("InvalidData");
        expect(refused.body.Error).toContain("tasks");
      }
    });

    it("as_file=true answers application/geo+json as an attachment", async () => {
      const res = await get(`${tasksPath()}?as_file=true&tasks=3`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/geo\+json/);
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="project-${project.projectId}-tasks.geojson"`);
      expect(res.body.features).toHaveLength(1);
    });

    it("404s an unknown project; a private project is only for allowed users", async () => {
      const missing = await get("/api/v2/projects/987654321/tasks/");
      expect(missing.status).toBe(404);
      expect(missing.body.SubCode).toBe("NotFoundError");
      const hidden = await insertProject(app.services.db, { authorId: manager.id, private: true, size: 1 });
      const anonymous = await get(`/api/v2/projects/${hidden.projectId}/tasks/`);
      expect(anonymous.status).toBe(403);
      expect(anonymous.body.SubCode).toBe("PrivateProject");
      await app.services.db.insertInto("project_allowed_users").values({ project_id: hidden.projectId, user_id: stranger.id }).execute();
      expect((await get(`/api/v2/projects/${hidden.projectId}/tasks/`, stranger.token)).status).toBe(200);
    });
  });

  describe("GET /projects/{id}/tasks/{task_id}/", () => {
    it("answers the TaskDTO with history (newest first, actionBy usernames), issues and comment count", async () => {
      const db = app.services.db;
      const history = await db
        .insertInto("task_history")
        .values([
          { project_id: project.projectId, task_id: 2, action: "LOCKED_FOR_MAPPING", action_text: "00:10:00", user_id: mapper.id, action_date: "2024-05-01T10:00:00Z" },
          { project_id: project.projectId, task_id: 2, action: "STATE_CHANGE", action_text: "MAPPED", user_id: mapper.id, action_date: "2024-05-01T10:10:00Z" },
          { project_id: project.projectId, task_id: 2, action: "COMMENT", action_text: "Looks good", user_id: validator.id, action_date: "2024-05-01T11:00:00Z" },
        ])
        .returning("id")
        .execute();
      const category = await db.insertInto("mapping_issue_categories").values({ name: `Missed buildings ${Date.now()}` }).returning("id").executeTakeFirstOrThrow();
      await db.insertInto("task_mapping_issues").values({ task_history_id: history[1]!.id, issue: "Missed buildings", mapping_issue_category_id: category.id, count: 3 }).execute();
      await db.updateTable("tasks").set({ task_status: "MAPPED", mapped_by: mapper.id }).where("project_id", "=", project.projectId).where("id", "=", 2).execute();

      const res = await get(tasksPath("2/"));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        taskId: 2,
        projectId: project.projectId,
        taskStatus: "MAPPED",
        lockHolder: null,
        taskAnnotation: [],
        autoUnlockSeconds: Math.round(app.config.taskAutoUnlockMs / 1000),
        lastUpdated: "2024-05-01T11:00:00.000Z",
        numberOfComments: 1,
      });
      expect(res.body.taskHistory).toEqual([
        { historyId: history[2]!.id, taskId: 2, action: "COMMENT", actionText: "Looks good", actionDate: "2024-05-01T11:00:00.000Z", actionBy: validator.username, pictureUrl: null, issues: [] },
        {
          historyId: history[1]!.id, taskId: 2, action: "STATE_CHANGE", actionText: "MAPPED", actionDate: "2024-05-01T10:10:00.000Z",
          actionBy: mapper.username, pictureUrl: null, issues: [{ categoryId: category.id, name: "Missed buildings", count: 3 }],
        },
        { historyId: history[0]!.id, taskId: 2, action: "LOCKED_FOR_MAPPING", actionText: "00:10:00", actionDate: "2024-05-01T10:00:00.000Z", actionBy: mapper.username, pictureUrl: null, issues: [] },
      ]);
    });

    it("substitutes {x}, {y}, {z} in the per-task instructions of the request locale, falling back to the default", async () => {
      const db = app.services.db;
      await db
        .updateTable("project_info")
        .set({ per_task_instructions: "Imagery tile {z}/{x}/{y}; keep {unknown}" })
        .where("project_id", "=", project.projectId)
        .where("locale", "=", "en")
        .execute();
      await db.insertInto("project_info").values({ project_id: project.projectId, locale: "fr", name: "Projet", per_task_instructions: "Tuile {x},{y} (zoom {z})" }).execute();
      // Task 6 is x=2, y=1 in the fixture's 3×3 grid.
      expect((await get(tasksPath("6/"))).body.perTaskInstructions).toBe("Imagery tile 18/2/1; keep {unknown}");
      expect((await get(tasksPath("6/"), undefined, { "Accept-Language": "fr" })).body.perTaskInstructions).toBe("Tuile 2,1 (zoom 18)");
      expect((await get(tasksPath("6/"), undefined, { "Accept-Language": "de" })).body.perTaskInstructions).toBe("Imagery tile 18/2/1; keep {unknown}");
    });

    it("names the lock holder and counts autoUnlockSeconds down to the lock's expiry", async () => {
      const db = app.services.db;
      await db
        .updateTable("tasks")
        .set({ task_status: "LOCKED_FOR_MAPPING", locked_by: mapper.id, lock_token: "test", status_before_lock: "READY", locked_at: new Date(), lock_expires_at: new Date(Date.now() + 600_000) })
        .where("project_id", "=", project.projectId)
        .where("id", "=", 4)
        .execute();
      const res = await get(tasksPath("4/"));
      expect(res.body.taskStatus).toBe("LOCKED_FOR_MAPPING");
      expect(res.body.lockHolder).toBe(mapper.username);
      expect(res.body.autoUnlockSeconds).toBeGreaterThan(590);
      expect(res.body.autoUnlockSeconds).toBeLessThanOrEqual(600);
      await db
        .updateTable("tasks")
        .set({ task_status: "READY", locked_by: null, lock_token: null, status_before_lock: null, locked_at: null, lock_expires_at: null })
        .where("project_id", "=", project.projectId)
        .where("id", "=", 4)
        .execute();
    });

    it("404s an unknown task or project", async () => {
      const task = await get(tasksPath("99/"));
      expect(task.status).toBe(404);
      expect(task.body.SubCode).toBe("NotFoundError");
      expect((await get("/api/v2/projects/987654321/tasks/1/")).status).toBe(404);
    });
  });

  describe("exports", () => {
    it("OSM XML: well-formed, negative ids, one closed way per ring, task tags", async () => {
      const res = await get(tasksPath("queries/xml/?tasks=1,2"));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/xml/);
      const osm = await parseXml(res.text);
      expect(osm.tag).toBe("osm");
      expect(osm.attrib.version).toBe("0.6");
      expect(osm.attrib.generator).toBeTruthy();
      const nodes = osm.children.filter((c) => c.tag === "node");
      const ways = osm.children.filter((c) => c.tag === "way");
      expect(ways).toHaveLength(2);
      expect(nodes).toHaveLength(8);
      const nodeIds = new Set(nodes.map((n) => Number(n.attrib.id)));
      for (const id of nodeIds) expect(id).toBeLessThan(0);
      for (const way of ways) {
        expect(Number(way.attrib.id)).toBeLessThan(0);
        const refs = way.children.filter((c) => c.tag === "nd").map((c) => Number(c.attrib.ref));
        expect(refs).toHaveLength(5);
        expect(refs[0]).toBe(refs[4]);
        for (const ref of refs) expect(nodeIds.has(ref)).toBe(true);
      }
      const tags = Object.fromEntries(ways[1]!.children.filter((c) => c.tag === "tag").map((c) => [c.attrib.k, c.attrib.v]));
      expect(tags).toMatchObject({ taskId: "2", taskX: "1", taskY: "0", taskZoom: "18" });
      const first = nodes[0]!.attrib;
      expect([Number(first.lon), Number(first.lat)]).toEqual([10, 20]);
    });

    it("OSM XML as_file is an .osm attachment; an empty selection is 404", async () => {
      const res = await get(tasksPath("queries/xml/?as_file=true"));
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="HOT-project-${project.projectId}.osm"`);
      expect((await parseXml(res.text)).children.filter((c) => c.tag === "way")).toHaveLength(9);
      expect((await get(tasksPath("queries/xml/?tasks=500"))).status).toBe(404);
      expect((await get(tasksPath("queries/xml/?tasks=a"))).status).toBe(400);
    });

    it("GPX 1.1: namespace, metadata, a track per task with a closed segment per ring", async () => {
      const res = await get(tasksPath("queries/gpx/?tasks=1,5&as_file=true"));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="HOT-project-${project.projectId}.gpx"`);
      const gpx = await parseXml(res.text);
      expect(gpx.tag).toBe(`${GPX}gpx`);
      expect(gpx.attrib.version).toBe("1.1");
      expect(gpx.attrib.creator).toBeTruthy();
      expect(gpx.children[0]!.tag).toBe(`${GPX}metadata`);
      expect(Date.parse(gpx.children[0]!.children.find((c) => c.tag === `${GPX}time`)!.text!)).not.toBeNaN();
      const tracks = gpx.children.filter((c) => c.tag === `${GPX}trk`);
      expect(tracks).toHaveLength(2);
      const segments = tracks[1]!.children.filter((c) => c.tag === `${GPX}trkseg`);
      expect(segments).toHaveLength(1);
      const points = segments[0]!.children.map((p) => [Number(p.attrib.lon), Number(p.attrib.lat)]);
      expect(points).toHaveLength(5);
      expect(points[0]).toEqual(points[4]);
      expect(tracks[1]!.children.find((c) => c.tag === `${GPX}number`)!.text).toBe("5");
    });
  });

  it("GET …/tasks/queries/mapped/ groups MAPPED tasks by their mapper", async () => {
    const db = app.services.db;
    const other = await insertProject(db, { authorId: manager.id, size: 2 });
    await db.updateTable("tasks").set({ task_status: "MAPPED", mapped_by: mapper.id }).where("project_id", "=", other.projectId).where("id", "in", [1, 3]).execute();
    await db.updateTable("tasks").set({ task_status: "MAPPED", mapped_by: validator.id }).where("project_id", "=", other.projectId).where("id", "=", 2).execute();
    await db.updateTable("tasks").set({ task_status: "VALIDATED", mapped_by: validator.id }).where("project_id", "=", other.projectId).where("id", "=", 4).execute();
    await db.insertInto("task_history").values({ project_id: other.projectId, task_id: 1, action: "STATE_CHANGE", action_text: "MAPPED", user_id: mapper.id, action_date: "2024-06-01T00:00:00Z" }).execute();
    const res = await get(`/api/v2/projects/${other.projectId}/tasks/queries/mapped/`);
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.mappedTasks.map((m: { username: string }) => [m.username, m]));
    expect(Object.keys(byName).sort()).toEqual([mapper.username, validator.username].sort());
    expect(byName[mapper.username]).toMatchObject({ mappedTaskCount: 2, tasksMapped: [1, 3], lastSeen: "2024-06-01T00:00:00.000Z", mappingLevel: "BEGINNER", lastValidationDate: null });
    expect(Date.parse(byName[mapper.username].dateRegistered)).not.toBeNaN();
    expect(byName[validator.username]).toMatchObject({ mappedTaskCount: 1, tasksMapped: [2], lastSeen: null });
  });

  it("GET /projects/{username}/tasks/queries/own/invalidated/ lists a user's invalidated tasks with pagination", async () => {
    const db = app.services.db;
    const other = await insertProject(db, { authorId: manager.id, size: 2, name: "Invalidations" });
    const rows = [1, 2, 3].map((task_id, i) => ({
      project_id: other.projectId, task_id, mapper_id: mapper.id, invalidator_id: validator.id, is_closed: task_id === 3,
      updated_date: `2024-07-0${i + 1}T00:00:00Z`,
    }));
    await db.insertInto("task_invalidation_history").values(rows).execute();
    const path = (user: string, q = "") => `/api/v2/projects/${user}/tasks/queries/own/invalidated/${q}`;

    const mine = await get(path(mapper.username, `?project=${other.projectId}`));
    expect(mine.status).toBe(200);
    expect(mine.body.invalidatedTasks.map((t: { taskId: number }) => t.taskId)).toEqual([3, 2, 1]);
    expect(mine.body.invalidatedTasks[0]).toEqual({
      taskId: 3, projectId: other.projectId, projectName: "Invalidations", historyId: null, closed: true, updatedDate: "2024-07-03T00:00:00.000Z",
    });
    expect(mine.body.pagination).toMatchObject({ total: 3, page: 1, perPage: 10, pages: 1 });

    const open = await get(path(mapper.username, `?project=${other.projectId}&closed=false&sortDirection=asc&pageSize=1&page=2`));
    expect(open.body.invalidatedTasks.map((t: { taskId: number }) => t.taskId)).toEqual([2]);
    expect(open.body.pagination).toMatchObject({ total: 2, page: 2, perPage: 1, pages: 2, hasPrev: true, hasNext: false });

    expect((await get(path(validator.username, `?project=${other.projectId}`))).body.invalidatedTasks).toEqual([]);
    expect((await get(path(validator.username, `?project=${other.projectId}&asValidator=true`))).body.invalidatedTasks).toHaveLength(3);

    const unknown = await get(path("nobody_by_this_name_at_all"));
    expect(unknown.status).toBe(404);
    expect(unknown.body.SubCode).toBe("UserNotFound");
    expect((await get(path(mapper.username, "?sortBy=taskName"))).status).toBe(400);
    // A numeric first segment is still a username here, and project routes still resolve.
    expect((await get(path(String(project.projectId)))).status).toBe(404);
    expect((await get(tasksPath("queries/mapped/"))).status).toBe(200);
  });

  describe("PUT …/tasks/queries/aoi/", () => {
    const square = (x0: number, y0: number, x1: number, y1: number) => ({
      type: "Polygon",
      coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    });

    it("answers the project's tasks intersecting an AOI (bare polygon, Feature or FeatureCollection)", async () => {
      const aoi = square(10.001, 20.001, 10.015, 20.005); // inside row 0, columns 0 and 1
      const bare = await app.request("PUT", tasksPath("queries/aoi/"), { body: aoi });
      expect(bare.status).toBe(200);
      expect(bare.body.features.map((f: { properties: { taskId: number } }) => f.properties.taskId)).toEqual([1, 2]);
      const wrapped = await app.request("PUT", tasksPath("queries/aoi/"), {
        body: { areaOfInterest: { type: "FeatureCollection", features: [{ type: "Feature", geometry: aoi, properties: {} }] }, clipToAoi: true },
      });
      expect(wrapped.body.features).toHaveLength(2);
      expect(wrapped.body.features[0].properties.taskIsSquare).toBe(false);
    });

    it("trims a proposed grid to the AOI as the official GridDTO does", async () => {
      const grid = {
        type: "FeatureCollection",
        features: [
          { type: "Feature", geometry: square(0, 0, 0.01, 0.01), properties: { x: 0, y: 0, zoom: 8, isSquare: true } },
          { type: "Feature", geometry: square(0.01, 0, 0.02, 0.01), properties: { x: 1, y: 0, zoom: 8, isSquare: true } },
          { type: "Feature", geometry: square(0.05, 0.05, 0.06, 0.06), properties: { x: 5, y: 5, zoom: 8, isSquare: true } },
        ],
      };
      const res = await app.request("PUT", tasksPath("queries/aoi/"), { body: { areaOfInterest: square(0, 0, 0.015, 0.01), grid, clipToAoi: true } });
      expect(res.status).toBe(200);
      expect(res.body.type).toBe("FeatureCollection");
      expect(res.body.features.map((f: { properties: unknown }) => f.properties)).toEqual([
        { x: 0, y: 0, zoom: 8, isSquare: true },
        { x: 1, y: 0, zoom: 8, isSquare: false },
      ]);
    });

    it("refuses a self-intersecting or malformed AOI with 400", async () => {
      const bowtie = { type: "Polygon", coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] };
      const res = await app.request("PUT", tasksPath("queries/aoi/"), { body: bowtie });
      expect(res.status).toBe(400);
      expect(res.body.SubCode).toBe("SelfIntersectingAOI");
      const open = await app.request("PUT", tasksPath("queries/aoi/"), { body: { type: "Polygon", coordinates: [[[0, 0], [1, 0], [1, 1], [0, 2]]] } });
      expect(open.status).toBe(400);
      expect((await app.request("PUT", tasksPath("queries/aoi/"), { body: { type: "Point", coordinates: [0, 0] } })).status).toBe(400);
    });
  });

  describe("DELETE /projects/{id}/tasks/", () => {
    it("is for project managers only", async () => {
      const target = await insertProject(app.services.db, { authorId: manager.id, size: 2 });
      expect((await app.request("DELETE", `/api/v2/projects/${target.projectId}/tasks/`, { body: { tasks: [1] } })).status).toBe(401);
      const res = await app.request("DELETE", `/api/v2/projects/${target.projectId}/tasks/`, { token: stranger.token, body: { tasks: [1] } });
      expect(res.status).toBe(403);
      expect(res.body.SubCode).toBe("UserPermissionError");
    });

    it("deletes READY tasks and updates the project's counters", async () => {
      const res = await app.request("DELETE", tasksPath(), { token: manager.token, body: { tasks: [9] } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ Success: "Task(s) deleted" });
      expect((await get(tasksPath("9/"))).status).toBe(404);
      const counters = await app.services.db.selectFrom("projects").select("total_tasks").where("id", "=", project.projectId).executeTakeFirstOrThrow();
      expect(counters.total_tasks).toBe(8);
    });

    it("refuses when any task is not READY (or unknown) and deletes nothing", async () => {
      const db = app.services.db;
      await db.updateTable("tasks").set({ task_status: "MAPPED", mapped_by: mapper.id }).where("project_id", "=", project.projectId).where("id", "=", 5).execute();
      const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks WHERE project_id = ${project.projectId}`.execute(db);
      const refused = await app.request("DELETE", tasksPath(), { token: manager.token, body: { tasks: [3, 5] } });
      expect(refused.status).toBe(403);
      expect(refused.body.SubCode).toBe("InvalidTaskState");
      expect(refused.body.Error).toContain("5 (MAPPED)");
      const unknown = await app.request("DELETE", tasksPath(), { token: manager.token, body: { tasks: [3, 404] } });
      expect(unknown.status).toBe(404);
      const empty = await app.request("DELETE", tasksPath(), { token: manager.token, body: { tasks: [] } });
      expect(empty.status).toBe(400);
      const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks WHERE project_id = ${project.projectId}`.execute(db);
      expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
      expect((await get(tasksPath("3/"))).status).toBe(200);
    });
  });
});
