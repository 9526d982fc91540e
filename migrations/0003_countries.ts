import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Kysely, sql } from "kysely";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";

/**
 * Country boundaries (Natural Earth 1:50m, shipped by the `world-atlas` npm package) so projects are
 * tagged with the countries their AOI intersects, offline: no geocoding service on the request path.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE countries (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE,
      geometry geometry(MultiPolygon, 4326) NOT NULL
    );
    CREATE INDEX countries_geometry_gist ON countries USING gist (geometry);
  `.execute(db);

  // One statement: PostGIS parses the features, repairs the few shapes simplification left invalid
  // and keeps only their polygonal part.
  await sql`
    INSERT INTO countries (name, geometry)
    SELECT f -> 'properties' ->> 'name',
           ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(f -> 'geometry'), 4326)), 3))
    FROM jsonb_array_elements(${JSON.stringify(countryFeatures())}::jsonb -> 'features') AS f
    WHERE f -> 'geometry' <> 'null'::jsonb
  `.execute(db);
  await sql`ANALYZE countries`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE countries`.execute(db);
}

function countryFeatures() {
  const require = createRequire(import.meta.url);
  const topology = JSON.parse(readFileSync(require.resolve("world-atlas/countries-50m.json"), "utf8")) as Topology;
  return feature(topology, topology.objects.countries as GeometryCollection<{ name: string }>);
}
