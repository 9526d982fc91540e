import { z } from "zod";
import { MAX_GRID_ZOOM, MIN_GRID_ZOOM } from "../../domain/grid";

/**
 * Request bodies for creating projects and trimming grids. GeoJSON members are only checked for
 * being GeoJSON objects here: their structure and geometry are checked by the domain (and PostGIS) so
 * that failures carry the official SubCodes (MustBeFeatureCollection, MustBeMultiPloygon, ...), and so
 * that a 10,000-square grid is not walked twice.
 */
const GeoJsonObject = z.looseObject({ type: z.string() });

const AreaOfInterestInput = GeoJsonObject.describe(
  "GeoJSON FeatureCollection, Feature, Polygon or MultiPolygon in EPSG:4326 (lon/lat); features are dissolved into one MultiPolygon",
);

const GridInput = GeoJsonObject.describe(
  "GeoJSON FeatureCollection of grid squares: (Multi)Polygon features with properties {x, y, zoom, isSquare}",
);

const id = z.coerce.number().int().positive();

export const DraftProjectDTO = z
  .object({
    projectName: z.string().trim().min(1, "projectName must not be empty").max(512).describe("Name of the project in its default locale"),
    organisation: id.optional().describe("Id of the organisation owning the project; the caller must manage it (or be an admin). Required unless cloning"),
    areaOfInterest: AreaOfInterestInput.optional().describe(
      "The area of interest (GeoJSON FeatureCollection, Feature, Polygon or MultiPolygon, EPSG:4326). Required unless cloning, in which case the source project's area and tasks are copied",
    ),
    tasks: GridInput.optional().describe(
      "The task grid as the official frontend sends it: a FeatureCollection of squares with properties {x, y, zoom, isSquare}; each feature becomes a task, ids from 1 in order",
    ),
    arbitraryTasks: z.boolean().default(false).describe("Make each feature of the area of interest one task (task creation mode ARBITRARY)"),
    cloneFromProjectId: id.optional().describe("Copy this project's settings and descriptions (and, without areaOfInterest, its area and tasks); the caller must manage it"),
    zoomLevel: z
      .number()
      .int()
      .min(MIN_GRID_ZOOM)
      .max(MAX_GRID_ZOOM)
      .optional()
      .describe(
        `Extension to the official API: without tasks and arbitraryTasks, the server builds the square grid itself from the Web Mercator tiles of this zoom (${MIN_GRID_ZOOM}-${MAX_GRID_ZOOM}) that intersect the area of interest`,
      ),
    clipToAoi: z
      .boolean()
      .default(false)
      .describe("Extension to the official API, with zoomLevel: clip the border squares to the area of interest (they become non-square tasks)"),
  })
  .meta({ id: "DraftProjectDTO" });

export const GridDTO = z
  .object({
    areaOfInterest: AreaOfInterestInput,
    grid: GridInput,
    clipToAoi: z.boolean().default(false).describe("Clip the squares crossing the border to the area of interest (clipped squares get isSquare false)"),
  })
  .meta({ id: "GridDTO" });

export const ProjectCreated = z.object({ projectId: z.number().int() }).meta({ id: "ProjectCreated" });

export const GridFeatureCollection = z
  .object({ type: z.literal("FeatureCollection"), features: z.array(z.looseObject({ type: z.literal("Feature") })) })
  .meta({ id: "GridFeatureCollection", description: "The grid squares that intersect the area of interest, properties {x, y, zoom, isSquare} kept" });

