import { sql } from "kysely";
import { insertOrganisation, insertProject } from "../test/helpers/fixtures";
import { memoryMb, percentiles, startBenchStack, timeCalls } from "./lib/stack";

/**
 * GET /api/v2/projects/{id}/ on a project of 10,000 tasks (a 100×100 grid) with some locked,
 * mapped and validated tasks, a second locale, priority areas and allowed users. Target: median
 * under 20 ms. Usage: npm run bench:project [-- requests]
 */
const REQUESTS = Number(process.argv[2] ?? 300);
const WARMUP = 30;

const stack = await startBenchStack("project");
try {
  const { db } = stack.services;
  const [author, mapper, manager] = await Promise.all([stack.user("MAPPER"), stack.user("MAPPER"), stack.user("MAPPER")]);
  const org = await insertOrganisation(db, [manager.id]);
  const { projectId } = await insertProject(db, { authorId: author.id, organisationId: org.id, size: 100 });
  await db.insertInto("project_info").values({ project_id: projectId, locale: "fr", name: "Projet", description: "Décrire", instructions: "Faire" }).execute();
  await sql`UPDATE tasks SET task_status = 'MAPPED', mapped_by = ${mapper.id} WHERE project_id = ${projectId} AND id <= 3000`.execute(db);
  await sql`UPDATE tasks SET task_status = 'VALIDATED', mapped_by = ${mapper.id}, validated_by = ${manager.id} WHERE project_id = ${projectId} AND id BETWEEN 3001 AND 4000`.execute(db);
  await sql`UPDATE tasks SET task_status = 'LOCKED_FOR_MAPPING', status_before_lock = 'READY', locked_by = ${mapper.id}, lock_token = 'bench'
            WHERE project_id = ${projectId} AND id = 5000`.execute(db);
  await sql`INSERT INTO project_priority_areas (project_id, geometry)
            SELECT ${projectId}, ST_MakeEnvelope(36.8 + g * 0.05, -1.3, 36.82 + g * 0.05, -1.28, 4326) FROM generate_series(0, 4) g`.execute(db);
  await db.insertInto("project_allowed_users").values([{ project_id: projectId, user_id: mapper.id }]).execute();
  await sql`ANALYZE`.execute(db);

  const url = `${stack.baseUrl}/api/v2/projects/${projectId}/`;
  let bytes = 0;
  const samples = await timeCalls(REQUESTS, WARMUP, async () => {
    const res = await fetch(url, { headers: { Authorization: `Token ${manager.token}` } });
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
    bytes = (await res.arrayBuffer()).byteLength;
  });
  const stats = percentiles(samples);
  const check = (await (await fetch(url, { headers: { Authorization: `Token ${manager.token}` } })).json()) as Record<string, unknown>;
  const total = (await db.selectFrom("projects").select("total_tasks").where("id", "=", projectId).executeTakeFirstOrThrow()).total_tasks;
  console.log(`project ${projectId}: ${total} tasks, percentMapped ${check.percentMapped}, percentValidated ${check.percentValidated}, activeMappers ${check.activeMappers}`);
  console.log(`GET /api/v2/projects/{id}/ — project of 10,000 tasks, ${REQUESTS} sequential requests after ${WARMUP} warm-up, ${bytes} bytes each`);
  console.log(`latency ms: median ${stats.median}, p95 ${stats.p95}, p99 ${stats.p99}, max ${stats.max}`);
  const mem = memoryMb();
  console.log(`API process memory: rss ${mem.rss} MB, heapUsed ${mem.heapUsed} MB`);
  console.log(stats.median < 20 ? "target met: median under 20 ms" : "TARGET MISSED: median is 20 ms or more");
} finally {
  await stack.close();
}
