import { sql } from "kysely";
import { insertOrganisation, insertProject } from "../test/helpers/fixtures";
import { memoryMb, percentiles, startBenchStack, timeCalls } from "./lib/stack";

/**
 * GET /api/v2/projects/{id}/tasks/ on a project of 10,000 tasks (a 100×100 grid, some mapped,
 * validated and locked). Target: median under 400 ms. Usage: npm run bench:tasks [-- requests]
 */
const REQUESTS = Number(process.argv[2] ?? 100);
const WARMUP = 10;

const stack = await startBenchStack("tasks");
try {
  const { db } = stack.services;
  const [author, mapper] = await Promise.all([stack.user("MAPPER"), stack.user("MAPPER")]);
  const org = await insertOrganisation(db, [author.id]);
  const { projectId } = await insertProject(db, { authorId: author.id, organisationId: org.id, size: 100 });
  await sql`UPDATE tasks SET task_status = 'MAPPED', mapped_by = ${mapper.id} WHERE project_id = ${projectId} AND id <= 3000`.execute(db);
  await sql`UPDATE tasks SET task_status = 'VALIDATED', mapped_by = ${mapper.id}, validated_by = ${author.id}
            WHERE project_id = ${projectId} AND id BETWEEN 3001 AND 4000`.execute(db);
  await sql`UPDATE tasks SET task_status = 'LOCKED_FOR_MAPPING', status_before_lock = 'READY', locked_by = ${mapper.id}, lock_token = 'bench'
            WHERE project_id = ${projectId} AND id = 5000`.execute(db);
  await sql`ANALYZE`.execute(db);

  const measure = async (label: string, path: string) => {
    const url = `${stack.baseUrl}${path}`;
    let bytes = 0;
    const samples = await timeCalls(REQUESTS, WARMUP, async () => {
      const res = await fetch(url);
      if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
      bytes = (await res.arrayBuffer()).byteLength;
    });
    const s = percentiles(samples);
    console.log(`${label.padEnd(36)} median ${s.median} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, max ${s.max} ms (${bytes} bytes)`);
    return s;
  };

  console.log(`project ${projectId}: 10,000 tasks; ${REQUESTS} sequential requests per case after ${WARMUP} warm-up`);
  const all = await measure("GET …/tasks/ (all 10,000)", `/api/v2/projects/${projectId}/tasks/`);
  await measure("GET …/tasks/?tasks=1,…,50", `/api/v2/projects/${projectId}/tasks/?tasks=${Array.from({ length: 50 }, (_, i) => i + 1).join(",")}`);
  const mem = memoryMb();
  console.log(`API process memory: rss ${mem.rss} MB, heapUsed ${mem.heapUsed} MB`);
  console.log(all.median < 400 ? "target met: median under 400 ms" : "TARGET MISSED: median is 400 ms or more");
} finally {
  await stack.close();
}
