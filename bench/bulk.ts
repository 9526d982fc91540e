/**
 * Bulk benchmark against the real stack (API and worker processes, PostgreSQL, Temporal): reset-all
 * on a project of 10,000 tasks of which 100 are locked (each lock a running workflow). Prints, per
 * run, the seconds from the POST to the answer, whether every lock workflow ended, and whether any
 * task is still LOCKED; then the median over the runs and the processes' memory.
 * Usage: npm run bench:bulk [-- --runs 3]
 */
import { parseArgs } from "node:util";
import { sql } from "kysely";
import { Client, Connection } from "@temporalio/client";
import { createDb } from "../src/db/database";
import { ensureLocalUser } from "../src/db/queries/users";
import { issueToken } from "../src/domain/tokens";
import { insertOrganisation, insertProject } from "../test/helpers/fixtures";
import { percentiles, startProcessStack } from "./lib/processes";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const SECRET = "tasking-manager-dev-secret-change-me";

const stack = await startProcessStack({ TM_SECRET: SECRET, TM_BULK_WAIT: "120s" });
const db = createDb(stack.databaseUrl, { max: 20 });
const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? "127.0.0.1:7233" });
const client = new Client({ connection });
try {
  const { user: manager } = await ensureLocalUser(db, "bulk_manager", "MAPPER");
  const managerToken = issueToken(SECRET, manager.id, 86_400_000);
  const org = await insertOrganisation(db, [manager.id]);
  const mappers = await Promise.all(
    Array.from({ length: 100 }, async (_, i) => {
      const { user } = await ensureLocalUser(db, `bulk_mapper_${i}`, "MAPPER");
      return { id: user.id, token: issueToken(SECRET, user.id, 86_400_000) };
    }),
  );
  const seconds: number[] = [];
  const runs: unknown[] = [];
  for (let run = 0; run < Number(values.runs); run++) {
    const project = await insertProject(db, { authorId: manager.id, organisationId: org.id, size: 100, lon: 10 + run });
    await db.updateTable("tasks").set({ task_status: "MAPPED", mapped_by: manager.id }).where("project_id", "=", project.projectId).where("id", ">", 200).execute();
    await Promise.all(
      mappers.map((m, i) =>
        fetch(`${stack.baseUrl}/api/v2/projects/${project.projectId}/tasks/actions/lock-for-mapping/${i + 1}/`, { method: "POST", headers: { Authorization: `Token ${m.token}` } }).then((r) => {
          if (!r.ok) throw new Error(`lock ${i + 1}: ${r.status}`);
          return r.arrayBuffer();
        }),
      ),
    );
    const lockWorkflows = (await db.selectFrom("tasks").select(["lock_workflow_id", "lock_token"]).where("project_id", "=", project.projectId).where("locked_by", "is not", null).execute());
    const started = performance.now();
    const res = await fetch(`${stack.baseUrl}/api/v2/projects/${project.projectId}/tasks/actions/reset-all/`, { method: "POST", headers: { Authorization: `Token ${managerToken}` } });
    const body = await res.json();
    const elapsed = (performance.now() - started) / 1000;
    seconds.push(elapsed);
    const stillLocked = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks WHERE project_id = ${project.projectId} AND task_status IN ('LOCKED_FOR_MAPPING', 'LOCKED_FOR_VALIDATION')`.execute(db)).rows[0]!.n);
    const notReady = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks WHERE project_id = ${project.projectId} AND task_status <> 'READY'`.execute(db)).rows[0]!.n);
    const open = (await Promise.all(lockWorkflows.map((w) => client.workflow.getHandle(w.lock_workflow_id!, w.lock_token!).describe()))).filter((d) => d.status.name === "RUNNING").length;
    runs.push({ status: res.status, body, seconds: Math.round(elapsed * 100) / 100, locksBefore: lockWorkflows.length, lockWorkflowsStillRunning: open, tasksStillLocked: stillLocked, tasksNotReady: notReady });
  }
  console.log(JSON.stringify({ benchmark: "reset-all on 10,000 tasks with 100 locked", runs, secondsMedian: percentiles(seconds).p50, memoryMiB: stack.memory() }, null, 2));
} finally {
  await connection.close();
  await db.destroy();
  await stack.close();
}
