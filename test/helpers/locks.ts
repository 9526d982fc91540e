import type { TestApp } from "./app";
import { insertOrganisation, insertProject } from "./fixtures";

/** A published project with a manager, a mapper and a validator, ready for lock tests. */
export async function lockScenario(app: TestApp, options: { size?: number; lon?: number } = {}) {
  const manager = await app.user("MAPPER");
  const mapper = await app.user("MAPPER");
  const validator = await app.user("MAPPER");
  const org = await insertOrganisation(app.services.db, [manager.id]);
  const project = await insertProject(app.services.db, { authorId: manager.id, organisationId: org.id, size: options.size ?? 3, lon: options.lon });
  const base = `/api/v2/projects/${project.projectId}/tasks/actions`;
  return {
    ...project,
    manager,
    mapper,
    validator,
    lock: (taskId: number, token: string) => app.request("POST", `${base}/lock-for-mapping/${taskId}/`, { token }),
    unlock: (taskId: number, token: string, status = "MAPPED", comment?: string) =>
      app.request("POST", `${base}/unlock-after-mapping/${taskId}/`, { token, body: { status, comment } }),
    stop: (taskId: number, token: string, comment?: string) => app.request("POST", `${base}/stop-mapping/${taskId}/`, { token, body: { comment } }),
    lockValidation: (taskIds: number[], token: string) => app.request("POST", `${base}/lock-for-validation/`, { token, body: { taskIds } }),
    validate: (validatedTasks: unknown[], token: string) => app.request("POST", `${base}/unlock-after-validation/`, { token, body: { validatedTasks } }),
    stopValidation: (resetTasks: unknown[], token: string) => app.request("POST", `${base}/stop-validation/`, { token, body: { resetTasks } }),
    extend: (taskIds: number[], token: string) => app.request("POST", `${base}/extend/`, { token, body: { taskIds } }),
    split: (taskId: number, token: string) => app.request("POST", `${base}/split/${taskId}/`, { token }),
    undo: (taskId: number, token: string) => app.request("POST", `${base}/undo-last-action/${taskId}/`, { token }),
    task: (taskId: number) => app.request("GET", `/api/v2/projects/${project.projectId}/tasks/${taskId}/`),
    row: (taskId: number) =>
      app.services.db.selectFrom("tasks").selectAll().where("project_id", "=", project.projectId).where("id", "=", taskId).executeTakeFirstOrThrow(),
    history: (taskId: number) =>
      app.services.db
        .selectFrom("task_history")
        .select(["action", "action_text", "user_id"])
        .where("project_id", "=", project.projectId)
        .where("task_id", "=", taskId)
        .orderBy("id")
        .execute(),
  };
}

/** Has the scenario's mapper lock and hand in each task as MAPPED, failing the test on any refusal. */
export async function mapTasks(s: LockScenario, ids: number[]) {
  for (const id of ids) {
    const locked = await s.lock(id, s.mapper.token);
    if (locked.status !== 200) throw new Error(`lock ${id}: ${locked.status} ${JSON.stringify(locked.body)}`);
    const mapped = await s.unlock(id, s.mapper.token, "MAPPED");
    if (mapped.status !== 200) throw new Error(`unlock ${id}: ${mapped.status} ${JSON.stringify(mapped.body)}`);
  }
}

export type LockScenario = Awaited<ReturnType<typeof lockScenario>>;

/** Open lock workflows of a project, as an operator would list them in the Web UI. */
export async function runningLockWorkflows(app: TestApp, projectId: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of app.services.temporal.client.workflow.list({ query: `ProjectId = ${projectId} AND ExecutionStatus = "Running"` })) {
    ids.push(wf.workflowId);
  }
  return ids;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
