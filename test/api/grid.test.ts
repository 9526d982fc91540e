import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gridCovering, MAX_MERCATOR_LAT, tileAt, tileBounds, tileCount, tileFeature, tilesCovering } from "../../src/domain/grid";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertOrganisation } from "../helpers/fixtures";

describe("grid tile math (official TMS numbering: y counts from the south)", () => {
  it("numbers the zoom-1 tiles from the south-west", () => {
    const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 9));
    close(tileBounds(0, 0, 1), [-180, -MAX_MERCATOR_LAT, 0, 0]);
    close(tileBounds(1, 1, 1), [0, 0, 180, MAX_MERCATOR_LAT]);
    close(tileBounds(0, 0, 0), [-180, -MAX_MERCATOR_LAT, 180, MAX_MERCATOR_LAT]);
  });

  it("finds the tile holding a position, consistent with its bounds, and the XYZ row is 2^z-1-y", () => {
    for (const [lon, lat, zoom] of [[36.81, -1.29, 16], [85.32, 27.71, 17], [-72.33, 18.54, 18], [-179.99, -85, 12], [179.99, 85, 12]] as const) {
      const { x, y } = tileAt(lon, lat, zoom);
      const [w, s, e, n] = tileBounds(x, y, zoom);
      expect(lon).toBeGreaterThanOrEqual(w);
      expect(lon).toBeLessThan(e);
      expect(lat).toBeGreaterThanOrEqual(s);
      expect(lat).toBeLessThan(n);
      // The slippy-map (XYZ) row of the same position, from the usual formula.
      const rad = (lat * Math.PI) / 180;
      const xyzY = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * 2 ** zoom);
      expect(y).toBe(2 ** zoom - 1 - xyzY);
    }
    expect(tileAt(180, 90, 3)).toEqual({ x: 7, y: 7 });
    expect(tileAt(-180, -90, 3)).toEqual({ x: 0, y: 0 });
  });

  it("covers a bounding box with a rectangle of tiles, as official grid squares", () => {
    const range = tilesCovering([36.8, -1.3, 36.82, -1.28], 16);
    const grid = gridCovering([36.8, -1.3, 36.82, -1.28], 16);
    expect(grid.features).toHaveLength(tileCount(range));
    expect(grid.features.length).toBe(16);
    expect(tileFeature(range.minX, range.minY, 16)).toEqual(grid.features[0]);
    expect(grid.features[0]!.properties).toEqual({ x: range.minX, y: range.minY, zoom: 16, isSquare: true });
    expect(grid.features[0]!.geometry.type).toBe("MultiPolygon");
  });
});

describe("grid tile math against PostGIS", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it("matches ST_TileEnvelope (with the XYZ row) to 1e-9 degrees", async () => {
    for (const [x, y, z] of [[39468, 32531, 16], [0, 0, 1], [2000, 1234, 12]] as const) {
      const { rows } = await sql<{ b: number[] }>`
        SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)]::float8[] AS b
        FROM (SELECT ST_Transform(ST_TileEnvelope(${z}, ${x}, ${2 ** z - 1 - y}), 4326) AS e) t`.execute(app.services.db);
      tileBounds(x, y, z).forEach((v, i) => expect(v).toBeCloseTo(rows[0]!.b[i]!, 9));
    }
  });

  it("a server-built grid has the squares the frontend would send, ids in reading order", async () => {
    const manager = await app.user("MAPPER");
    const org = await insertOrganisation(app.services.db, [manager.id]);
    const aoi = { type: "Polygon", coordinates: [[[85.3, 27.7], [85.31, 27.7], [85.31, 27.71], [85.3, 27.71], [85.3, 27.7]]] };
    const res = await app.request("POST", "/api/v2/projects/", {
      token: manager.token,
      body: { projectName: "Kathmandu", organisation: org.id, areaOfInterest: aoi, zoomLevel: 17 },
    });
    expect(res.status, res.text).toBe(201);
    const { rows } = await sql<{ id: number; x: number; y: number; b: number[] }>`
      SELECT id, x, y, ARRAY[ST_XMin(geometry), ST_YMin(geometry), ST_XMax(geometry), ST_YMax(geometry)]::float8[] AS b
      FROM tasks WHERE project_id = ${res.body.projectId} ORDER BY id`.execute(app.services.db);
    expect(rows.length).toBe(tileCount(tilesCovering([85.3, 27.7, 85.31, 27.71], 17)));
    for (const row of rows) tileBounds(row.x, row.y, 17).forEach((v, i) => expect(v).toBeCloseTo(row.b[i]!, 9));
    // North to south, then west to east.
    const order = rows.map((r) => [-r.y, r.x]);
    expect(order).toEqual([...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
  });

  it("an AOI drawn along tile edges makes exactly its tiles, not slivers of the neighbours", async () => {
    const manager = await app.user("MAPPER");
    const org = await insertOrganisation(app.services.db, [manager.id]);
    const sw = tileAt(-72.34, 18.57, 17);
    const [west, south] = tileBounds(sw.x, sw.y, 17);
    const [, , east, north] = tileBounds(sw.x + 2, sw.y + 1, 17);
    const aoi = { type: "Polygon", coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]] };
    const res = await app.request("POST", "/api/v2/projects/", {
      token: manager.token,
      body: { projectName: "Edges", organisation: org.id, areaOfInterest: aoi, zoomLevel: 17, clipToAoi: true },
    });
    expect(res.status, res.text).toBe(201);
    const tasks = await app.services.db.selectFrom("tasks").select(["x", "y", "is_square"]).where("project_id", "=", res.body.projectId).execute();
    expect(tasks).toHaveLength(6);
    // Wholly inside up to rounding, so clipping leaves them squares.
    expect(tasks.every((t) => t.is_square)).toBe(true);
    expect(tasks.every((t) => t.x! >= sw.x && t.x! <= sw.x + 2 && t.y! >= sw.y && t.y! <= sw.y + 1)).toBe(true);

    const wider = gridCovering([west - 0.01, south - 0.01, east + 0.01, north + 0.01], 17);
    const trimmed = await app.request("POST", "/api/v2/projects/actions/intersecting-tiles/", {
      token: manager.token,
      body: { areaOfInterest: aoi, grid: wider, clipToAoi: false },
    });
    expect(trimmed.status, trimmed.text).toBe(200);
    expect(trimmed.body.features).toHaveLength(6);
  });
});
