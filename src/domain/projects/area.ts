import type { DB } from "../../db/database";
import { type DissolvedArea, dissolveArea, firstInvalidGeometry, isGeometryInputError } from "../../db/queries/project-create";
import { badRequest } from "../errors";
import { type AreaFeatureInput, areaFeatures } from "./geojson-input";

export interface AreaLimits {
  maxAoiAreaSqKm: number;
}

export interface CheckedArea {
  features: AreaFeatureInput[];
  area: DissolvedArea;
}

/**
 * An area of interest checked the way project creation and grid trimming need it: polygons only,
 * each valid in PostGIS (a self-intersection answers SelfIntersectingAOI), dissolved into one
 * MultiPolygon no larger than the configured limit.
 */
export async function checkedArea(db: DB, aoi: unknown, limits: AreaLimits): Promise<CheckedArea> {
  const features = areaFeatures(aoi);
  const geometries = features.map((f) => f.geometry);
  let invalid: Awaited<ReturnType<typeof firstInvalidGeometry>>;
  try {
    invalid = await firstInvalidGeometry(db, geometries);
  } catch (err) {
    if (isGeometryInputError(err)) throw badRequest(`Area of Interest: Invalid MultiPolygon - ${err.message}`, "InvalidMultipolygon");
    throw err;
  }
  if (invalid) {
    const where = features.length > 1 ? ` (feature ${invalid.index})` : "";
    if (/self-intersection/i.test(invalid.reason)) {
      throw badRequest(`Area of Interest is self-intersecting${where}: ${invalid.reason}`, "SelfIntersectingAOI");
    }
    throw badRequest(`Area of Interest: Invalid MultiPolygon${where} - ${invalid.reason}`, "InvalidMultipolygon");
  }
  const area = await dissolveArea(db, geometries);
  if (area.areaSqKm > limits.maxAoiAreaSqKm) {
    throw badRequest(
      `Area of Interest is ${Math.round(area.areaSqKm).toLocaleString("en")} km², above the limit of ${limits.maxAoiAreaSqKm.toLocaleString("en")} km²`,
      "InvalidData",
    );
  }
  return { features, area };
}
