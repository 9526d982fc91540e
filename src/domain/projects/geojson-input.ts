import { z } from "zod";
import { badRequest } from "../errors";
import { AreaFeature, AreaGeometry, AreaOfInterest } from "../geojson";

/**
 * Structural checks of the GeoJSON a project is created from, answering the official SubCodes.
 * Geometric validity (self-intersections, area, overlap with the AOI) is PostGIS's job afterwards.
 */

export type Geometry = z.infer<typeof AreaGeometry>;

export interface AreaFeatureInput {
  geometry: Geometry;
  properties: Record<string, unknown> | null;
}

/** A square (or clipped square) of a task grid, properties as the official frontend sends them. */
export interface GridFeatureInput {
  geometry: Geometry;
  x: number;
  y: number;
  zoom: number;
  isSquare: boolean;
}

const POLYGONAL = new Set(["Polygon", "MultiPolygon"]);

function describe(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${[prefix, ...i.path].join(".")}: ${i.message}`)
    .join("; ");
}

/** Geometry types found in a GeoJSON object (features' geometries for a FeatureCollection). */
function geometryTypes(value: unknown): string[] {
  const v = value as { type?: unknown; geometry?: { type?: unknown } | null; features?: unknown } | null;
  if (v?.type === "FeatureCollection") return Array.isArray(v.features) ? v.features.flatMap(geometryTypes) : [];
  if (v?.type === "Feature") return [String(v.geometry?.type)];
  return [String(v?.type)];
}

function nonPolygonal(): never {
  throw badRequest("Area Of Interest: geometry must be a MultiPolygon", "MustBeMultiPloygon");
}

/** The features of an area of interest (a bare geometry or Feature counts as one feature). */
export function areaFeatures(aoi: unknown): AreaFeatureInput[] {
  const parsed = AreaOfInterest.safeParse(aoi);
  if (!parsed.success) {
    if (!geometryTypes(aoi).every((t) => POLYGONAL.has(t))) nonPolygonal();
    throw badRequest(`Area of Interest: Invalid MultiPolygon - ${describe(parsed.error, "areaOfInterest")}`, "InvalidMultipolygon");
  }
  const data = parsed.data;
  if (data.type === "FeatureCollection") return data.features.map((f) => ({ geometry: f.geometry, properties: f.properties ?? null }));
  if (data.type === "Feature") return [{ geometry: data.geometry, properties: data.properties ?? null }];
  return [{ geometry: data, properties: null }];
}

const GridFeature = AreaFeature.extend({
  properties: z.looseObject({
    x: z.number().int().min(0),
    y: z.number().int().min(0),
    zoom: z.number().int().min(0).max(30),
    isSquare: z.boolean().default(true),
  }),
});
const GridFeatures = z.array(GridFeature);

/**
 * The squares of a grid FeatureCollection (`field` names it in errors), at most `maxFeatures` of them.
 * Parsed in one pass, so that 10,000 squares cost milliseconds.
 */
export function gridFeatures(grid: unknown, field: string, maxFeatures: number): GridFeatureInput[] {
  const fc = grid as { type?: unknown; features?: unknown } | null;
  if (fc?.type !== "FeatureCollection") throw badRequest(`${field}: GeoJson must be a FeatureCollection`, "MustBeFeatureCollection");
  if (!Array.isArray(fc.features) || fc.features.length === 0) throw badRequest(`${field}: the FeatureCollection has no features`, "MustHaveFeatures");
  if (fc.features.length > maxFeatures) {
    throw badRequest(`${field}: ${fc.features.length} tasks is more than the limit of ${maxFeatures}`, "InvalidData");
  }
  const parsed = GridFeatures.safeParse(fc.features);
  if (!parsed.success) {
    const index = parsed.error.issues[0]!.path[0] as number;
    const types = geometryTypes(fc.features[index]);
    if (!types.every((t) => POLYGONAL.has(t))) {
      throw badRequest(`${field}.features.${index}: task geometry must be a MultiPolygon`, "MustBeMultiPloygon");
    }
    throw badRequest(`Invalid task: ${describe(parsed.error, `${field}.features`)}`, "InvalidData");
  }
  return parsed.data.map((f) => ({ geometry: f.geometry, x: f.properties.x, y: f.properties.y, zoom: f.properties.zoom, isSquare: f.properties.isSquare }));
}
