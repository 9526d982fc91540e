import { sql } from "kysely";
import { memoryMb, percentiles, startBenchStack, timeCalls } from "./lib/stack";

/**
 * GET /api/v2/projects/ over 10,000 projects (varied names, statuses, difficulties, organisations,
 * mapping types, countries, progress and geometries, inserted set-wise). Targets: median under 50 ms
 * with omitMapResults=true, under 300 ms with the map results. Usage: npm run bench:search [-- requests]
 */
const REQUESTS = Number(process.argv[2] ?? 200);
const WARMUP = 20;
const PROJECTS = 10_000;

const stack = await startBenchStack("search");
try {
  const { db } = stack.services;
  const [author, manager] = await Promise.all([stack.user("MAPPER"), stack.user("MAPPER")]);
  await sql`INSERT INTO organisations (name, slug) SELECT 'Bench org ' || g, 'bench-org-' || g FROM generate_series(1, 50) g`.execute(db);
  await sql`INSERT INTO organisation_managers (organisation_id, user_id) SELECT id, ${manager.id} FROM organisations ORDER BY id LIMIT 3`.execute(db);
  const firstOrg = (await sql<{ id: number }>`SELECT min(id) AS id FROM organisations`.execute(db)).rows[0]!.id;
  const started = Date.now();
  await sql`
    INSERT INTO projects (status, created, last_updated, due_date, author_id, organisation_id, priority, difficulty, private,
                          mapping_types, country_tag, geometry, centroid, total_tasks, tasks_mapped, tasks_validated, tasks_bad_imagery)
    SELECT (ARRAY['PUBLISHED','PUBLISHED','PUBLISHED','PUBLISHED','PUBLISHED','PUBLISHED','PUBLISHED','PUBLISHED','DRAFT','ARCHIVED'])[g % 10 + 1],
           now() - (g % 1000) * interval '1 day', now() - (g * 7 % 5000) * interval '1 hour',
           CASE WHEN g % 4 = 0 THEN now() + (g % 90) * interval '1 day' END,
           ${author.id}, ${firstOrg} + g % 50,
           (ARRAY['URGENT','HIGH','MEDIUM','LOW'])[g % 4 + 1], (ARRAY['EASY','MODERATE','CHALLENGING'])[g % 3 + 1], g % 20 = 0,
           CASE g % 5 WHEN 0 THEN ARRAY['ROADS'] WHEN 1 THEN ARRAY['BUILDINGS'] WHEN 2 THEN ARRAY['ROADS','BUILDINGS']
                      WHEN 3 THEN ARRAY['WATERWAYS','LAND_USE'] ELSE ARRAY['OTHER'] END,
           ARRAY[(ARRAY['Kenya','Uganda','Nepal','Peru','Haiti','Mozambique','Bangladesh','Philippines'])[g % 8 + 1]],
           env.geom, ST_Centroid(env.geom),
           100, (g % 50), (g % 30), (g % 5)
    FROM generate_series(1, ${PROJECTS}) g
    CROSS JOIN LATERAL (SELECT ST_Multi(ST_MakeEnvelope(lon, lat, lon + 0.05, lat + 0.05, 4326)) AS geom
                        FROM (SELECT -170 + (g * 37 % 340)::float8 AS lon, -60 + (g * 13 % 120)::float8 AS lat) c) env
  `.execute(db);
  await sql`
    INSERT INTO project_info (project_id, locale, name, short_description, description)
    SELECT p.id, 'en',
           (ARRAY['Buildings','Roads','Flood response','Health sites','Schools','Waterways','Land use','Cholera'])[p.id % 8 + 1] || ' in ' ||
             p.country_tag[1] || ' #' || p.id,
           'Mapping ' || lower((ARRAY['settlements','road network','rivers','farmland'])[p.id % 4 + 1]) || ' for humanitarian response',
           'A longer description of project ' || p.id
    FROM projects p
  `.execute(db);
  await sql`ANALYZE`.execute(db);
  console.log(`${PROJECTS} projects seeded in ${Date.now() - started} ms`);

  const measure = async (label: string, query: string, token?: string) => {
    const url = `${stack.baseUrl}/api/v2/projects/?${query}`;
    let bytes = 0;
    let total = 0;
    const samples = await timeCalls(REQUESTS, WARMUP, async () => {
      const res = await fetch(url, { headers: token ? { Authorization: `Token ${token}` } : {} });
      if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
      const body = await res.text();
      bytes = body.length;
      total = (JSON.parse(body) as { pagination: { total: number } }).pagination.total;
    });
    const s = percentiles(samples);
    console.log(`${label.padEnd(44)} median ${s.median} ms, p95 ${s.p95} ms, p99 ${s.p99} ms (${total} matches, ${bytes} bytes)`);
    return s;
  };

  console.log(`GET /api/v2/projects/ — ${REQUESTS} sequential requests per case after ${WARMUP} warm-up`);
  const plain = await measure("default, omitMapResults=true", "omitMapResults=true");
  await measure("recent_projects.py query", "orderBy=last_updated&orderByType=DESC&mappingTypesExact=false&page=1&createdByMe=false&mappedByMe=false&favoritedByMe=false&managedByMe=false&basedOnMyInterests=false&omitMapResults=true");
  const text = await measure("textSearch=flood, omitMapResults=true", "textSearch=flood&omitMapResults=true");
  await measure("filters, page 2, signed-in manager", "difficulty=MODERATE&mappingTypes=ROADS&country=Kenya&page=2&orderBy=percentMapped&omitMapResults=true", manager.token);
  const map = await measure("default with map results", "");
  const mem = memoryMb();
  console.log(`API process memory: rss ${mem.rss} MB, heapUsed ${mem.heapUsed} MB`);
  const met = plain.median < 50 && text.median < 50 && map.median < 300;
  console.log(met ? "targets met: under 50 ms without map results, under 300 ms with them" : "TARGET MISSED");
} finally {
  await stack.close();
}
