/**
 * Lock benchmark against the real stack (PostgreSQL, Temporal dev server, worker and API processes):
 *  1. lock-for-mapping → unlock-after-mapping cycles at 1 and 32 concurrent clients on distinct tasks:
 *     cycles/s and p50/p95/p99 latency per call;
 *  2. the same state changes as plain SQL transactions with no Temporal, and the ratio (cost of durability);
 *  3. expiry lateness: 200 tasks locked with a 5 s expiry, how late each was released;
 *  4. API and worker memory under load.
 * Usage: npm run bench:locks [-- --seconds 20]
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { createDb } from "../src/db/database";
import { acquireTaskLock, releaseTaskLock } from "../src/db/queries/task-locks";
import { ensureLocalUser } from "../src/db/queries/users";
import { issueToken } from "../src/domain/tokens";
import { insertOrganisation, insertProject } from "../test/helpers/fixtures";
import { percentiles, startProcessStack } from "./lib/processes";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "15" }, levels: { type: "string", default: "1,32" }, "skip-expiry": { type: "boolean", default: false } } });
const seconds = Number(values.seconds);
const SECRET = "tasking-manager-dev-secret-change-me";

async function makeUsers(db: ReturnType<typeof createDb>, n: number, prefix: string) {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const { user } = await ensureLocalUser(db, `${prefix}_${i}`, "MAPPER");
      return { id: user.id, token: issueToken(SECRET, user.id, 86_400_000) };
    }),
  );
}

async function httpCycles(baseUrl: string, projectId: number, clients: { token: string; taskId: number }[], durationMs: number) {
  const lockMs: number[] = [];
  const unlockMs: number[] = [];
  let cycles = 0;
  let errors = 0;
  const errorCodes: Record<string, number> = {};
  const countError = async (res: Response) => {
    errors++;
    const body = (await res.json().catch(() => ({}))) as { SubCode?: string };
    const code = `${res.status} ${body.SubCode ?? ""}`;
    errorCodes[code] = (errorCodes[code] ?? 0) + 1;
  };
  const until = Date.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    clients.map(async ({ token, taskId }) => {
      const headers = { Authorization: `Token ${token}`, "Content-Type": "application/json" };
      const base = `${baseUrl}/api/v2/projects/${projectId}/tasks/actions`;
      while (Date.now() < until) {
        let t = performance.now();
        const lock = await fetch(`${base}/lock-for-mapping/${taskId}/`, { method: "POST", headers });
        lockMs.push(performance.now() - t);
        if (!lock.ok) {
          await countError(lock);
          continue;
        }
        await lock.arrayBuffer();
        t = performance.now();
        const unlock = await fetch(`${base}/unlock-after-mapping/${taskId}/`, { method: "POST", headers, body: JSON.stringify({ status: "READY" }) });
        unlockMs.push(performance.now() - t);
        if (unlock.ok) {
          await unlock.arrayBuffer();
          cycles++;
        } else await countError(unlock);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { cycles, errors, errorCodes, cyclesPerSecond: Math.round((cycles / elapsed) * 10) / 10, lock: percentiles(lockMs), unlock: percentiles(unlockMs) };
}

async function sqlCycles(db: ReturnType<typeof createDb>, projectId: number, clients: { id: number; taskId: number }[], durationMs: number) {
  const callMs: number[] = [];
  let cycles = 0;
  const until = Date.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    clients.map(async ({ id, taskId }) => {
      while (Date.now() < until) {
        const token = randomUUID();
        let t = performance.now();
        const acquired = await acquireTaskLock(db, { projectId, taskIds: [taskId], userId: id, mode: "MAPPING", token, workflowId: "plain-sql", expiresAt: new Date(Date.now() + 7_200_000).toISOString() });
        callMs.push(performance.now() - t);
        if (!acquired.ok) throw new Error(acquired.refusal.message);
        t = performance.now();
        await releaseTaskLock(db, { projectId, token, userId: id, mode: "MAPPING", kind: "UNLOCK", outcomes: [{ taskId, status: "READY" }] });
        callMs.push(performance.now() - t);
        cycles++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { cycles, cyclesPerSecond: Math.round((cycles / elapsed) * 10) / 10, call: percentiles(callMs) };
}

/** Expiry lateness: 200 locks with a 5 s expiry, one per user; how late each was released. */
async function expiryLateness(db: ReturnType<typeof createDb>, baseUrl: string, ownerId: number, organisationId: number) {
  const expiryUsers = await makeUsers(db, 200, "expiry");
  const expiryProject = await insertProject(db, { authorId: ownerId, organisationId: organisationId, size: 15, lon: 10 }); // 225 tasks
  const answers: Record<string, number> = {};
  await Promise.all(
    expiryUsers.map(async (u, i) => {
      const res = await fetch(`${baseUrl}/api/v2/projects/${expiryProject.projectId}/tasks/actions/lock-for-mapping/${i + 1}/`, { method: "POST", headers: { Authorization: `Token ${u.token}` } });
      const body = (await res.json().catch(() => ({}))) as { SubCode?: string };
      const answer = res.ok ? String(res.status) : `${res.status} ${body.SubCode ?? ""}`;
      answers[answer] = (answers[answer] ?? 0) + 1;
    }),
  );
  const deadlines = new Map(
    (await db.selectFrom("tasks").select(["id", "lock_expires_at"]).where("project_id", "=", expiryProject.projectId).where("locked_by", "is not", null).execute()).map((r) => [r.id, r.lock_expires_at!.getTime()]),
  );
  const lateness: number[] = [];
  const seen = new Set<number>();
  const until = Date.now() + 30_000;
  while (seen.size < deadlines.size && Date.now() < until) {
    const released = await db.selectFrom("tasks").select("id").where("project_id", "=", expiryProject.projectId).where("locked_by", "is", null).where("id", "in", [...deadlines.keys()]).execute();
    const now = Date.now();
    for (const r of released) if (!seen.has(r.id)) {
      seen.add(r.id);
      lateness.push(now - deadlines.get(r.id)!);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { lockAnswers: answers, locks: deadlines.size, released: seen.size, latenessMs: percentiles(lateness), note: "polled every 20 ms" };
}

async function main() {
  const stack = await startProcessStack({ TM_SECRET: SECRET, TM_TASK_AUTOUNLOCK_AFTER: "5s" });
  const db = createDb(stack.databaseUrl, { max: 40 });
  try {
    const owner = (await makeUsers(db, 1, "owner"))[0]!;
    const org = await insertOrganisation(db, [owner.id]);
    const project = await insertProject(db, { authorId: owner.id, organisationId: org.id, size: 20 }); // 400 tasks
    const users = await makeUsers(db, 32, "bench");
    const memory: { apiMiB: number; workerMiB: number }[] = [];
    const sampler = setInterval(() => memory.push(stack.memory()), 500);

    // Warm-up (bundles are loaded, connections open).
    await httpCycles(stack.baseUrl, project.projectId, [{ token: users[0]!.token, taskId: 1 }], 2000);

    const results: Record<string, unknown> = {};
    for (const n of values.levels.split(",").map(Number)) {
      const clients = users.slice(0, n).map((u, i) => ({ token: u.token, taskId: i + 1, id: u.id }));
      const http = await httpCycles(stack.baseUrl, project.projectId, clients, seconds * 1000);
      const plain = await sqlCycles(db, project.projectId, clients, Math.min(seconds, 5) * 1000);
      results[`${n} client${n > 1 ? "s" : ""}`] = { temporal: http, plainSql: plain, durabilityCostRatio: Math.round((plain.cyclesPerSecond / http.cyclesPerSecond) * 10) / 10 };
    }
    clearInterval(sampler);

    const expiry = values["skip-expiry"] ? undefined : await expiryLateness(db, stack.baseUrl, owner.id, org.id);

    const peak = (k: "apiMiB" | "workerMiB") => Math.max(...memory.map((m) => m[k]));
    console.log(JSON.stringify({
      benchmark: "task locks",
      durationSecondsPerLevel: seconds,
      cycles: results,
      expiry,
      memoryUnderLoadMiB: { apiPeak: peak("apiMiB"), workerPeak: peak("workerMiB") },
    }, null, 2));
  } finally {
    await db.destroy();
    await stack.close();
  }
}

await main();
