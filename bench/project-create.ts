import { type BBox, gridCovering, tileAt, tileBounds } from "../src/domain/grid";
import { insertOrganisation } from "../test/helpers/fixtures";
import { memoryMb, startBenchStack, timeCalls } from "./lib/stack";

/**
 * POST /api/v2/projects/ with a 10,000-square grid (100×100 zoom-18 tiles over Nairobi, ~3.5 MB of
 * GeoJSON, as the official frontend sends it), end to end over HTTP. Target: under 5 s each.
 *
 * Usage: npm run bench:create [-- runs]   (default 5 runs after 1 warm-up)
 * Against a running API instead of an in-process one: BENCH_URL=http://host:port BENCH_TOKEN=<token of
 * a manager or admin> BENCH_ORGANISATION=<organisation id> npm run bench:create
 */
const RUNS = Number(process.argv[2] ?? 5);
const SIDE = 100;
const ZOOM = 18;
const TARGET_S = 5;

/** The AOI is exactly the grid's outer edge; the grid is the tiles covering the first and last tile centres. */
function benchArea() {
  const sw = tileAt(36.7, -1.4, ZOOM);
  const first = tileBounds(sw.x, sw.y, ZOOM);
  const last = tileBounds(sw.x + SIDE - 1, sw.y + SIDE - 1, ZOOM);
  const [west, south] = first;
  const [, , east, north] = last;
  const centres: BBox = [(first[0] + first[2]) / 2, (first[1] + first[3]) / 2, (last[0] + last[2]) / 2, (last[1] + last[3]) / 2];
  const tasks = gridCovering(centres, ZOOM);
  if (tasks.features.length !== SIDE * SIDE) throw new Error(`grid has ${tasks.features.length} squares, expected ${SIDE * SIDE}`);
  const areaOfInterest = { type: "Polygon", coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]] };
  return { areaOfInterest, tasks };
}

async function target(): Promise<{ baseUrl: string; token: string; organisation: number; countTasks?: (id: number) => Promise<number>; close(): Promise<void> }> {
  if (process.env.BENCH_URL) {
    const token = process.env.BENCH_TOKEN;
    const organisation = Number(process.env.BENCH_ORGANISATION);
    if (!token || !organisation) throw new Error("with BENCH_URL, set BENCH_TOKEN (a manager's or admin's token) and BENCH_ORGANISATION (an organisation id)");
    return { baseUrl: process.env.BENCH_URL.replace(/\/$/, ""), token, organisation, close: async () => undefined };
  }
  const stack = await startBenchStack("create");
  const manager = await stack.user("MAPPER");
  const org = await insertOrganisation(stack.services.db, [manager.id]);
  const countTasks = async (id: number) =>
    (await stack.services.db.selectFrom("projects").select("total_tasks").where("id", "=", id).executeTakeFirstOrThrow()).total_tasks;
  return { baseUrl: stack.baseUrl, token: manager.token, organisation: org.id, countTasks, close: () => stack.close() };
}

/** Times RUNS creations (after 1 warm-up) of the body `make` builds; checks each project has SIDE² tasks. */
async function measure(t: Awaited<ReturnType<typeof target>>, label: string, make: (run: number) => Record<string, unknown>) {
  let run = 0;
  let bytes = 0;
  const created: number[] = [];
  const samples = await timeCalls(RUNS, 1, async () => {
    const payload = JSON.stringify({ projectName: `Bench ${label} ${++run}`, organisation: t.organisation, ...make(run) });
    bytes = Buffer.byteLength(payload);
    const res = await fetch(`${t.baseUrl}/api/v2/projects/`, {
      method: "POST",
      headers: { Authorization: `Token ${t.token}`, "Content-Type": "application/json" },
      body: payload,
    });
    const answer = (await res.json()) as { projectId?: number };
    if (res.status !== 201 || !answer.projectId) throw new Error(`POST /api/v2/projects/ answered ${res.status}: ${JSON.stringify(answer)}`);
    created.push(answer.projectId);
  });
  if (t.countTasks) {
    const counts = await Promise.all(created.map(t.countTasks));
    if (counts.some((n) => n !== SIDE * SIDE)) throw new Error(`projects have ${counts.join(", ")} tasks, expected ${SIDE * SIDE}`);
  }
  const seconds = samples.map((ms) => ms / 1000).sort((a, b) => a - b);
  const fmt = (s: number) => s.toFixed(2);
  console.log(`${label}: ${SIDE * SIDE} tasks, ${(bytes / 1048576).toFixed(2)} MB body, ${RUNS} runs after 1 warm-up`);
  console.log(`  seconds: median ${fmt(seconds[Math.floor((seconds.length - 1) / 2)]!)}, min ${fmt(seconds[0]!)}, max ${fmt(seconds.at(-1)!)}`);
  return seconds.at(-1)!;
}

const t = await target();
try {
  const { areaOfInterest, tasks } = benchArea();
  console.log(`POST /api/v2/projects/ against ${process.env.BENCH_URL ?? "an in-process API"}`);
  const worst = Math.max(
    await measure(t, "grid sent by the client (official)", () => ({ areaOfInterest, tasks })),
    await measure(t, "grid built by the server (zoomLevel)", () => ({ areaOfInterest, zoomLevel: ZOOM })),
  );
  if (process.env.BENCH_URL) console.log("API process memory: n/a (the API runs in another process)");
  else {
    const mem = memoryMb();
    console.log(`API process memory after: rss ${mem.rss} MB, heapUsed ${mem.heapUsed} MB (this process also built the request bodies)`);
  }
  console.log(worst < TARGET_S ? `target met: every run under ${TARGET_S} s` : `TARGET MISSED: a run took ${TARGET_S} s or more`);
} finally {
  await t.close();
}
