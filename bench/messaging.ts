/**
 * message-contributors benchmark against the real stack (PostgreSQL, Temporal dev server, worker and
 * API processes): a project with 10,000 contributors (made with bulk SQL in a fresh database), then the
 * time from the POST until all 10,000 messages are written, polled in the database. Three runs (a new
 * project and new contributors each); prints median/min/max seconds, the POST's own latency, and the
 * API and worker memory. Target: under 10 s.
 * Usage: npm run bench:messaging [-- --contributors 10000 --runs 3]
 */
import { parseArgs } from "node:util";
import { createDb } from "../src/db/database";
import { ensureLocalUser } from "../src/db/queries/users";
import { issueToken } from "../src/domain/tokens";
import { insertContributors } from "../test/helpers/contributors";
import { insertOrganisation, insertProject } from "../test/helpers/fixtures";
import { startProcessStack } from "./lib/processes";

const { values } = parseArgs({ options: { contributors: { type: "string", default: "10000" }, runs: { type: "string", default: "3" } } });
const CONTRIBUTORS = Number(values.contributors);
const RUNS = Number(values.runs);
const SECRET = "tasking-manager-dev-secret-change-me";

const stack = await startProcessStack();
const db = createDb(stack.databaseUrl);

async function messagesFrom(senderId: number): Promise<number> {
  const row = await db.selectFrom("messages").select((eb) => eb.fn.countAll<number>().as("n")).where("from_user_id", "=", senderId).executeTakeFirstOrThrow();
  return Number(row.n);
}

const results: { seconds: number; postMs: number; apiMiB: number; workerMiB: number }[] = [];
try {
  for (let run = 1; run <= RUNS; run++) {
    const { user: manager } = await ensureLocalUser(db, `bench_messaging_manager_${run}`, "MAPPER");
    const org = await insertOrganisation(db, [manager.id]);
    const { projectId } = await insertProject(db, { authorId: manager.id, organisationId: org.id, size: 1 });
    await insertContributors(db, projectId, CONTRIBUTORS, { prefix: `bench_contributor_${run}` });
    const token = issueToken(SECRET, manager.id, 3_600_000);

    const started = performance.now();
    const res = await fetch(`${stack.baseUrl}/api/v2/projects/${projectId}/actions/message-contributors/`, {
      method: "POST",
      headers: { Authorization: `Token ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ subject: "Thank you", message: "Thanks for mapping with us!" }),
    });
    const postMs = performance.now() - started;
    if (!res.ok) throw new Error(`POST failed: ${res.status} ${await res.text()}`);
    let peak = stack.memory();
    while ((await messagesFrom(manager.id)) < CONTRIBUTORS) {
      if (performance.now() - started > 120_000) throw new Error("messages not written within 120 s");
      const now = stack.memory();
      peak = { apiMiB: Math.max(peak.apiMiB, now.apiMiB), workerMiB: Math.max(peak.workerMiB, now.workerMiB) };
      await new Promise((r) => setTimeout(r, 25));
    }
    const seconds = (performance.now() - started) / 1000;
    results.push({ seconds, postMs, ...peak });
    console.log(`run ${run}: ${CONTRIBUTORS} messages in ${seconds.toFixed(2)} s (POST answered in ${postMs.toFixed(0)} ms; peak RSS API ${peak.apiMiB} MiB, worker ${peak.workerMiB} MiB)`);
  }
  const sorted = results.map((r) => r.seconds).sort((a, b) => a - b);
  const fmt = (n: number) => n.toFixed(2);
  console.log(
    `\nmessage-contributors, ${CONTRIBUTORS} contributors, ${RUNS} runs: median ${fmt(sorted[Math.floor(sorted.length / 2)]!)} s, ` +
      `min ${fmt(sorted[0]!)} s, max ${fmt(sorted.at(-1)!)} s (target < 10 s); ` +
      `POST median ${results.map((r) => r.postMs).sort((a, b) => a - b)[Math.floor(results.length / 2)]!.toFixed(0)} ms; ` +
      `peak RSS API ${Math.max(...results.map((r) => r.apiMiB))} MiB, worker ${Math.max(...results.map((r) => r.workerMiB))} MiB`,
  );
} finally {
  await db.destroy();
  await stack.close();
}
