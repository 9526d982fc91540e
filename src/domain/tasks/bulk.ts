import { type RawBuilder, sql } from "kysely";

/**
 * The project-wide task operations (official map-all, validate-all, invalidate-all,
 * reset-all-badimagery, reset-all, reset-by-user): which tasks each touches, what they become, and
 * the official answer. Locked tasks in scope are taken over: their lock workflows are ended first.
 */
export const BULK_OPERATIONS = ["MAP_ALL", "VALIDATE_ALL", "INVALIDATE_ALL", "RESET_BADIMAGERY", "RESET_ALL", "RESET_BY_USER"] as const;
export type BulkOperation = (typeof BULK_OPERATIONS)[number];

export interface BulkRequest {
  projectId: number;
  operation: BulkOperation;
  /** The project manager who asked. */
  userId: number;
  /** reset-by-user: whose BADIMAGERY or VALIDATED marks to revert. */
  target?: { userId: number; action: "BADIMAGERY" | "VALIDATED" };
}

interface OperationRule {
  /** Which tasks are in scope, over columns of `tasks` (aliased t). */
  scope: (r: BulkRequest) => RawBuilder<boolean>;
  /** The status they become. */
  newStatus: (r: BulkRequest) => "READY" | "MAPPED" | "VALIDATED" | "INVALIDATED";
  /** mapped_by / validated_by after the change, as SQL over t. */
  mappedBy: (r: BulkRequest) => RawBuilder<unknown>;
  validatedBy: (r: BulkRequest) => RawBuilder<unknown>;
  success: string;
}

const effective = sql`task_effective_status(t.task_status, t.status_before_lock)`;
const keep = (column: "mapped_by" | "validated_by") => () => sql.ref(`t.${column}`);
const none = () => sql`NULL::bigint`;
const actor = (r: BulkRequest) => sql`${r.userId}::bigint`;

export const BULK_RULES: Record<BulkOperation, OperationRule> = {
  MAP_ALL: {
    scope: () => sql<boolean>`t.task_status NOT IN ('BADIMAGERY', 'MAPPED', 'VALIDATED', 'SPLIT')`,
    newStatus: () => "MAPPED",
    mappedBy: actor,
    validatedBy: keep("validated_by"),
    success: "All tasks mapped",
  },
  VALIDATE_ALL: {
    scope: () => sql<boolean>`t.task_status NOT IN ('BADIMAGERY', 'VALIDATED', 'SPLIT')`,
    newStatus: () => "VALIDATED",
    mappedBy: keep("mapped_by"),
    validatedBy: actor,
    success: "All tasks validated",
  },
  INVALIDATE_ALL: {
    scope: () => sql<boolean>`${effective} IN ('MAPPED', 'VALIDATED')`,
    newStatus: () => "INVALIDATED",
    mappedBy: keep("mapped_by"),
    validatedBy: none,
    success: "All tasks invalidated",
  },
  RESET_BADIMAGERY: {
    scope: () => sql<boolean>`${effective} = 'BADIMAGERY'`,
    newStatus: () => "READY",
    mappedBy: none,
    validatedBy: none,
    success: "All bad imagery tasks marked ready for mapping",
  },
  RESET_ALL: {
    scope: () => sql<boolean>`t.task_status NOT IN ('READY', 'SPLIT')`,
    newStatus: () => "READY",
    mappedBy: none,
    validatedBy: none,
    success: "All tasks reset",
  },
  RESET_BY_USER: {
    scope: (r) =>
      r.target!.action === "BADIMAGERY"
        ? sql<boolean>`${effective} = 'BADIMAGERY' AND t.mapped_by = ${r.target!.userId}`
        : sql<boolean>`${effective} = 'VALIDATED' AND t.validated_by = ${r.target!.userId}`,
    newStatus: (r) => (r.target!.action === "BADIMAGERY" ? "READY" : "MAPPED"),
    mappedBy: (r) => (r.target!.action === "BADIMAGERY" ? none() : sql.ref("t.mapped_by")),
    validatedBy: none,
    success: "Successfully reverted tasks",
  },
};

/** The bulk workflow's id: one per project, so two bulk operations never run on a project at once. */
export const bulkWorkflowId = (projectId: number) => `project-${projectId}/bulk`;
