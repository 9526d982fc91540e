import type { DB } from "../../db/database";
import { squaresInArea } from "../../db/queries/project-create";
import { type AreaLimits, checkedArea } from "./area";
import { gridFeatures } from "./geojson-input";

export interface GridInput {
  areaOfInterest: unknown;
  grid: unknown;
  clipToAoi: boolean;
}

/**
 * The grid squares that overlap the area of interest (by more than an edge), in their original order,
 * as the official "intersecting tiles" action answers: with clipToAoi, a square crossing the border is
 * cut to the area and stops being a square (isSquare false); x, y and zoom are kept.
 */
export async function intersectingTiles(db: DB, limits: AreaLimits & { maxTasks: number }, input: GridInput) {
  const { area } = await checkedArea(db, input.areaOfInterest, limits);
  const squares = gridFeatures(input.grid, "grid", limits.maxTasks);
  const hits = await squaresInArea(db, area.geometry, squares.map((s) => s.geometry));
  const features = hits.map(({ index, clipped }) => {
    const { geometry, x, y, zoom, isSquare } = squares[index]!;
    const clip = input.clipToAoi && clipped !== null;
    return {
      type: "Feature" as const,
      geometry: clip ? clipped : geometry,
      properties: { x, y, zoom, isSquare: clip ? false : isSquare },
    };
  });
  return { type: "FeatureCollection" as const, features };
}
