import type { TaskStatus } from "../../db/schema";

/**
 * The task state machine: READY → LOCKED_FOR_MAPPING → MAPPED → LOCKED_FOR_VALIDATION → VALIDATED,
 * with INVALIDATED and BADIMAGERY as the official side paths.
 */
export type LockMode = "MAPPING" | "VALIDATION";

export const LOCKED_STATUS: Record<LockMode, TaskStatus> = {
  MAPPING: "LOCKED_FOR_MAPPING",
  VALIDATION: "LOCKED_FOR_VALIDATION",
};

/** Statuses a task may be locked from, per mode (the official is_mappable / validator rules). */
export const LOCKABLE_FROM: Record<LockMode, readonly TaskStatus[]> = {
  MAPPING: ["READY", "INVALIDATED", "BADIMAGERY"],
  VALIDATION: ["MAPPED", "INVALIDATED", "BADIMAGERY"],
};

/** What a mapper may hand a task back as. */
export const MAPPING_RESULTS = ["MAPPED", "BADIMAGERY", "READY"] as const;
export type MappingResult = (typeof MAPPING_RESULTS)[number];

/** What a validator may hand a task back as. */
export const VALIDATION_RESULTS = ["VALIDATED", "INVALIDATED"] as const;
export type ValidationResult = (typeof VALIDATION_RESULTS)[number];

export const HISTORY_ACTION = {
  locked: { MAPPING: "LOCKED_FOR_MAPPING", VALIDATION: "LOCKED_FOR_VALIDATION" },
  autoUnlocked: { MAPPING: "AUTO_UNLOCKED_FOR_MAPPING", VALIDATION: "AUTO_UNLOCKED_FOR_VALIDATION" },
  extended: { MAPPING: "EXTENDED_FOR_MAPPING", VALIDATION: "EXTENDED_FOR_VALIDATION" },
} as const;

export function lockModeOf(status: TaskStatus): LockMode | undefined {
  if (status === "LOCKED_FOR_MAPPING") return "MAPPING";
  if (status === "LOCKED_FOR_VALIDATION") return "VALIDATION";
  return undefined;
}

/** The lock workflow's id names the task (a validation lock of several tasks is named by its lowest task). */
export function lockWorkflowId(projectId: number, taskIds: readonly number[]): string {
  return `project-${projectId}/task-${Math.min(...taskIds)}/lock`;
}
