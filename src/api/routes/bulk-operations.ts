import { z } from "zod";
import { findUserByUsername } from "../../db/queries/users";
import { notFound } from "../../domain/errors";
import { loadProject } from "../../domain/projects/access";
import { BULK_RULES, type BulkOperation, type BulkRequest } from "../../domain/tasks/bulk";
import { runBulkOperation } from "../../temporal/bulk";
import type { RouteTable } from "../openapi/routes";
import { SuccessDTO } from "../schemas/fields";
import { ProjectParams } from "../schemas/tasks";
import type { Services } from "../services";

const Started = z.object({ Success: z.string(), workflowId: z.string() }).meta({ id: "BulkOperationStarted" });

const ENDPOINTS: { path: string; operation: BulkOperation; summary: string }[] = [
  { path: "map-all", operation: "MAP_ALL", summary: "Mark every task not yet mapped as MAPPED" },
  { path: "validate-all", operation: "VALIDATE_ALL", summary: "Mark every task not yet validated (except bad imagery) as VALIDATED" },
  { path: "invalidate-all", operation: "INVALIDATE_ALL", summary: "Mark every MAPPED or VALIDATED task as INVALIDATED" },
  { path: "reset-all-badimagery", operation: "RESET_BADIMAGERY", summary: "Return every BADIMAGERY task to READY" },
  { path: "reset-all", operation: "RESET_ALL", summary: "Return every task to READY, releasing locks and keeping history" },
];

export function bulkOperationRoutes(routes: RouteTable, services: Services): void {
  const { db, temporal, config } = services;

  async function run(request: BulkRequest, ctx: { status: number }) {
    const outcome = await runBulkOperation(temporal, request, config.bulkWaitMs);
    if (outcome.finished) return { Success: BULK_RULES[request.operation].success };
    ctx.status = 202;
    return { Success: `${request.operation} is running; follow workflow ${outcome.workflowId}`, workflowId: outcome.workflowId };
  }

  const responses = {
    200: { description: "Done", schema: SuccessDTO },
    202: { description: "Still running after TM_BULK_WAIT: the workflow carries on", schema: Started },
    409: { description: "Another bulk operation is running on this project (BulkOperationInProgress)" },
  };
  const description =
    "Runs as the Temporal workflow `project-{project_id}/bulk` (one at a time per project); locked tasks in scope have " +
    "their lock workflows ended first. Answers when done, or 202 with the workflow id after TM_BULK_WAIT.";

  for (const endpoint of ENDPOINTS) {
    routes.add({
      method: "post",
      path: `/api/v2/projects/{project_id}/tasks/actions/${endpoint.path}/`,
      tag: "tasks",
      summary: `${endpoint.summary} (project managers)`,
      description,
      auth: "required",
      params: ProjectParams,
      responses,
      handler: async ({ params, user, ctx }) => {
        await loadProject(db, params.project_id, user, "manage");
        return run({ projectId: params.project_id, operation: endpoint.operation, userId: user!.id }, ctx);
      },
    });
  }

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/tasks/actions/reset-by-user/",
    tag: "tasks",
    summary: "Revert a user's BADIMAGERY marks to READY, or their VALIDATED marks to MAPPED (project managers)",
    description,
    auth: "required",
    params: ProjectParams,
    query: z.object({ username: z.string().trim().min(1), action: z.enum(["BADIMAGERY", "VALIDATED"]) }),
    responses,
    handler: async ({ params, query, user, ctx }) => {
      await loadProject(db, params.project_id, user, "manage");
      const target = await findUserByUsername(db, query.username);
      if (!target) throw notFound(`User ${query.username} not found`, "UserNotFound");
      return run({ projectId: params.project_id, operation: "RESET_BY_USER", userId: user!.id, target: { userId: target.id, action: query.action } }, ctx);
    },
  });
}
