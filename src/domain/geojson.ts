import { z } from "zod";

/** GeoJSON input shapes (RFC 7946) as the official API accepts them; geometry validity is checked in PostGIS. */
const position = z
  .array(z.number().finite())
  .min(2)
  .max(3)
  .refine(([lon, lat]) => lon! >= -180 && lon! <= 180 && lat! >= -90 && lat! <= 90, "coordinates must be lon/lat in EPSG:4326");
const linearRing = z.array(position).min(4, "a polygon ring needs at least 4 positions");

export const PolygonGeometry = z.object({ type: z.literal("Polygon"), coordinates: z.array(linearRing).min(1) });
export const MultiPolygonGeometry = z.object({ type: z.literal("MultiPolygon"), coordinates: z.array(z.array(linearRing).min(1)).min(1) });
export const AreaGeometry = z.discriminatedUnion("type", [PolygonGeometry, MultiPolygonGeometry]);

export const AreaFeature = z.object({
  type: z.literal("Feature"),
  geometry: AreaGeometry,
  properties: z.record(z.string(), z.unknown()).nullable().optional(),
});

export const AreaFeatureCollection = z.object({
  type: z.literal("FeatureCollection"),
  features: z.array(AreaFeature).min(1, "the FeatureCollection has no features"),
});

/** An area of interest: a FeatureCollection, a Feature, or a bare (Multi)Polygon. */
export const AreaOfInterest = z
  .union([AreaFeatureCollection, AreaFeature, AreaGeometry])
  .meta({ id: "AreaOfInterest", description: "GeoJSON FeatureCollection, Feature, Polygon or MultiPolygon in EPSG:4326" });

export type AreaOfInterestInput = z.infer<typeof AreaOfInterest>;

/** The polygon geometries of an area of interest, one per feature. */
export function areaGeometries(aoi: AreaOfInterestInput): z.infer<typeof AreaGeometry>[] {
  if (aoi.type === "FeatureCollection") return aoi.features.map((f) => f.geometry);
  if (aoi.type === "Feature") return [aoi.geometry];
  return [aoi];
}
