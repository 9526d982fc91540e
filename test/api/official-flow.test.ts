import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BBox, gridCovering } from "../../src/domain/grid";
import { startTestApp, type TestApp } from "../helpers/app";

/**
 * The official flow end to end over HTTP, as a project manager and a mapper would do it: create an
 * organisation, create a project from an AOI and a grid, publish it, find it by text, read its tasks as
 * GeoJSON, OSM XML and GPX, read one task, then map and validate it.
 */
const AREA: BBox = [-72.35, 18.53, -72.33, 18.55]; // Cité Soleil, Port-au-Prince
const polygon = ([w, s, e, n]: BBox) => ({ type: "Polygon", coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });

describe("the official flow", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it("create organisation → project → publish → search → tasks as GeoJSON, XML, GPX → one task → map and validate", async () => {
    const admin = await app.user("ADMIN");
    const manager = await app.user("MAPPER");
    const mapper = await app.user("MAPPER");
    const validator = await app.user("MAPPER");
    const unique = `Flow ${Date.now()}`;

    const org = await app.request("POST", "/api/v2/organisations/", {
      token: admin.token,
      body: { name: unique, managers: [manager.username], type: "FREE", description: "Mapping Haiti" },
    });
    expect(org.status).toBe(201);
    const organisationId = org.body.organisationId as number;

    const grid = gridCovering(AREA, 16);
    const created = await app.request("POST", "/api/v2/projects/", {
      token: manager.token,
      body: { projectName: `${unique} buildings`, organisation: organisationId, areaOfInterest: { type: "FeatureCollection", features: [{ type: "Feature", geometry: polygon(AREA), properties: {} }] }, tasks: grid, arbitraryTasks: false },
    });
    expect(created.status).toBe(201);
    const projectId = created.body.projectId as number;

    // Not published yet: refused to mappers, and publishing without instructions is refused.
    expect((await app.request("POST", `/api/v2/projects/${projectId}/tasks/actions/lock-for-mapping/1/`, { token: mapper.token })).body.SubCode).toBe("ProjectNotPublished");
    const incomplete = await app.request("PATCH", `/api/v2/projects/${projectId}/`, { token: manager.token, body: { status: "PUBLISHED" } });
    expect(incomplete.body.SubCode).toBe("InfoForLocaleRequired");
    const published = await app.request("PATCH", `/api/v2/projects/${projectId}/`, {
      token: manager.token,
      body: {
        status: "PUBLISHED",
        projectInfoLocales: [{ locale: "en", name: `${unique} buildings`, shortDescription: "Buildings of Cité Soleil", description: "Map every building", instructions: "Trace outlines", perTaskInstructions: "Tile {x}/{y} at zoom {z}" }],
      },
    });
    expect(published.status).toBe(200);

    const search = await app.request("GET", `/api/v2/projects/?textSearch=${encodeURIComponent(unique)}&omitMapResults=true`);
    expect(search.body.results.map((r: { projectId: number }) => r.projectId)).toEqual([projectId]);
    expect(search.body.results[0]).toMatchObject({ name: `${unique} buildings`, status: "PUBLISHED", percentMapped: 0, country: ["Haiti"] });

    const geojson = await app.request("GET", `/api/v2/projects/${projectId}/tasks/`);
    expect(geojson.body.type).toBe("FeatureCollection");
    expect(geojson.body.features).toHaveLength(grid.features.length);
    expect(geojson.body.features[0].properties).toMatchObject({ taskId: 1, taskStatus: "READY", taskIsSquare: true, taskZoom: 16 });

    const xml = await app.request("GET", `/api/v2/projects/${projectId}/tasks/queries/xml/?tasks=1,2`);
    expect(xml.headers.get("content-type")).toContain("xml");
    expect(xml.text).toMatch(/^<\?xml[^>]*\?>\s*<osm version="0.6"/);
    expect(xml.text.match(/<way /g)).toHaveLength(2);
    expect(xml.text).toMatch(/<node id="-\d+"/);
    const gpx = await app.request("GET", `/api/v2/projects/${projectId}/tasks/queries/gpx/?tasks=1`);
    expect(gpx.text).toContain('xmlns="http://www.topografix.com/GPX/1/1"');
    expect(gpx.text.match(/<trk>/g)).toHaveLength(1);

    const task = await app.request("GET", `/api/v2/projects/${projectId}/tasks/1/`);
    const first = grid.features[0]!.properties as { x: number; y: number; zoom: number };
    expect(task.body).toMatchObject({ taskId: 1, projectId, taskStatus: "READY", lockHolder: null, perTaskInstructions: `Tile ${first.x}/${first.y} at zoom ${first.zoom}` });

    const base = `/api/v2/projects/${projectId}/tasks/actions`;
    expect((await app.request("POST", `${base}/lock-for-mapping/1/`, { token: mapper.token })).body.taskStatus).toBe("LOCKED_FOR_MAPPING");
    expect((await app.request("POST", `${base}/unlock-after-mapping/1/`, { token: mapper.token, body: { status: "MAPPED", comment: "Done" } })).body.taskStatus).toBe("MAPPED");
    expect((await app.request("POST", `${base}/lock-for-validation/`, { token: validator.token, body: { taskIds: [1] } })).status).toBe(200);
    const validated = await app.request("POST", `${base}/unlock-after-validation/`, { token: validator.token, body: { validatedTasks: [{ taskId: 1, status: "VALIDATED", comment: "Good" }] } });
    expect(validated.body.tasks[0].taskStatus).toBe("VALIDATED");

    const project = await app.request("GET", `/api/v2/projects/${projectId}/`);
    const n = grid.features.length;
    expect(project.body).toMatchObject({ status: "PUBLISHED", percentValidated: Math.floor((1 / n) * 100), percentMapped: Math.floor((1 / n) * 100) });
    const history = (await app.request("GET", `/api/v2/projects/${projectId}/tasks/1/`)).body.taskHistory.map((h: { action: string }) => h.action);
    expect(history).toEqual(["STATE_CHANGE", "COMMENT", "LOCKED_FOR_VALIDATION", "STATE_CHANGE", "COMMENT", "LOCKED_FOR_MAPPING"]);
  });
});
