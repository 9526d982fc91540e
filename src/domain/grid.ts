/**
 * Square task grids on the Web Mercator tile scheme, numbered as the official Tasking Manager does:
 * x counts tiles eastwards from 180°W and y counts them NORTHWARDS from the south edge of the
 * Mercator square (the TMS convention; an XYZ/slippy-map row is 2^zoom - 1 - y). Grid squares travel
 * as GeoJSON Features in EPSG:4326 with properties {x, y, zoom, isSquare}, so a task can later be split
 * into the four tiles of zoom + 1.
 */

/** Half the side of the spherical Mercator square, in metres (EPSG:3857). */
const MERCATOR_HALF = 20037508.342789244;
const EARTH_RADIUS = 6378137;
/** Latitude limit of the Mercator square. */
export const MAX_MERCATOR_LAT = 85.0511287798066;

/** Zoom levels a server-built grid may use: ~40 km tiles at 10 down to ~75 m tiles at 19. */
export const MIN_GRID_ZOOM = 10;
export const MAX_GRID_ZOOM = 19;

export type BBox = [west: number, south: number, east: number, north: number];

export interface TileRange {
  zoom: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

const tileSide = (zoom: number) => (2 * MERCATOR_HALF) / 2 ** zoom;
const mercatorToLat = (my: number) => ((2 * Math.atan(Math.exp(my / EARTH_RADIUS)) - Math.PI / 2) * 180) / Math.PI;
const latToMercator = (lat: number) => EARTH_RADIUS * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Lon/lat bounds of tile (x, y, zoom). */
export function tileBounds(x: number, y: number, zoom: number): BBox {
  const side = tileSide(zoom);
  return [
    ((x * side - MERCATOR_HALF) / MERCATOR_HALF) * 180,
    mercatorToLat(y * side - MERCATOR_HALF),
    (((x + 1) * side - MERCATOR_HALF) / MERCATOR_HALF) * 180,
    mercatorToLat((y + 1) * side - MERCATOR_HALF),
  ];
}

/** The tile holding a lon/lat position (positions on the far edges fall in the last tile). */
export function tileAt(lon: number, lat: number, zoom: number): { x: number; y: number } {
  const n = 2 ** zoom;
  const side = tileSide(zoom);
  const x = Math.floor(((clamp(lon, -180, 180) + 180) / 360) * n);
  const y = Math.floor((latToMercator(clamp(lat, -MAX_MERCATOR_LAT, MAX_MERCATOR_LAT)) + MERCATOR_HALF) / side);
  return { x: clamp(x, 0, n - 1), y: clamp(y, 0, n - 1) };
}

/** The tiles of `zoom` whose union covers a lon/lat bounding box. */
export function tilesCovering(bbox: BBox, zoom: number): TileRange {
  const sw = tileAt(bbox[0], bbox[1], zoom);
  const ne = tileAt(bbox[2], bbox[3], zoom);
  return { zoom, minX: sw.x, maxX: ne.x, minY: sw.y, maxY: ne.y };
}

export const tileCount = (r: TileRange) => (r.maxX - r.minX + 1) * (r.maxY - r.minY + 1);

/** A grid square as the official frontend sends it: a one-polygon MultiPolygon Feature. */
export function tileFeature(x: number, y: number, zoom: number) {
  const [w, s, e, n] = tileBounds(x, y, zoom);
  return {
    type: "Feature" as const,
    geometry: { type: "MultiPolygon" as const, coordinates: [[[[w, s], [e, s], [e, n], [w, n], [w, s]]]] },
    properties: { x, y, zoom, isSquare: true },
  };
}

/** Every square of `zoom` covering a bounding box, as a FeatureCollection (rows south to north). */
export function gridCovering(bbox: BBox, zoom: number) {
  const r = tilesCovering(bbox, zoom);
  const features = [];
  for (let y = r.minY; y <= r.maxY; y++) for (let x = r.minX; x <= r.maxX; x++) features.push(tileFeature(x, y, zoom));
  return { type: "FeatureCollection" as const, features };
}
