import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from "@temporalio/workflow";
import type { Activities } from "../activities";
import type { TaskOutcome } from "../src/db/queries/task-locks";
import type { LockMode } from "../src/domain/tasks/state-machine";

/**
 * One task lock, from acquisition to its end: unlocked by its holder, stopped, split, overridden by a
 * bulk operation, or released by its own durable timer at the deadline. The database rows it writes
 * carry this run's id as their fencing token.
 */
export interface TaskLockInput {
  projectId: number;
  taskIds: number[];
  userId: number;
  username: string;
  mode: LockMode;
  lockDurationMs: number;
  /** How long before the deadline the holder is warned (TM_LOCK_EXPIRY_WARNING); absent or 0: no warning. */
  expiryWarningMs?: number;
}

export type LockPhase = "pending" | "acquiring" | "held" | "refused" | "released" | "expired" | "overridden" | "split" | "abandoned";

export interface LockState {
  phase: LockPhase;
  projectId: number;
  taskIds: number[];
  holderId: number;
  holder: string;
  mode: LockMode;
  lockedAt?: string;
  expiresAt?: string;
  extensions: number;
}

/** The reason a lock update was refused, as the API answers it. */
export interface LockRefusal {
  status: number;
  subCode: string;
  message: string;
}

export const acquireLockUpdate = defineUpdate<{ lockedAt: string; expiresAt: string }, [{ userId: number }]>("acquireLock");
export const unlockTasksUpdate = defineUpdate<{ released: number[] }, [{ userId: number; kind: "UNLOCK" | "STOP"; outcomes: TaskOutcome[] }]>("unlockTasks");
export const extendLockUpdate = defineUpdate<{ expiresAt: string }, [{ userId: number }]>("extendLock");
export const splitTaskUpdate = defineUpdate<{ newTaskIds: number[] }, [{ userId: number; taskId: number }]>("splitTask");
/** Bulk operations end a lock through the workflow before they change its tasks. */
export const overrideLockUpdate = defineUpdate<{ wasHeld: boolean }, [{ reason: string }]>("overrideLock");
export const lockStateQuery = defineQuery<LockState>("lockState");

const { acquireTaskLock, releaseTaskLock, extendTaskLock, splitLockedTask } = proxyLocalActivities<Activities>({
  startToCloseTimeout: "10s",
  // PostgreSQL may be restarting: keep retrying, backing off to 5 s between attempts.
  retry: { initialInterval: "200ms", backoffCoefficient: 2, maximumInterval: "5s" },
});
// A notice is keyed, so retrying is safe; but it must never hold up the lock itself, so it gives up.
const { notifyLockHolder } = proxyLocalActivities<Activities>({
  startToCloseTimeout: "10s",
  retry: { initialInterval: "200ms", backoffCoefficient: 2, maximumInterval: "5s", maximumAttempts: 8 },
});

/** Refusals are ApplicationFailures whose type says where they came from and whose details carry the answer. */
function refuse(type: "LockUnavailable" | "LockRefused", refusal: LockRefusal): ApplicationFailure {
  return ApplicationFailure.create({ type, message: refusal.message, details: [refusal], nonRetryable: true });
}

export async function taskLockWorkflow(input: TaskLockInput): Promise<LockState> {
  const { runId, workflowId } = workflowInfo();
  const state: LockState = {
    phase: "pending",
    projectId: input.projectId,
    taskIds: input.taskIds,
    holderId: input.userId,
    holder: input.username,
    mode: input.mode,
    extensions: 0,
  };
  let deadline = 0;
  let busy = false; // one state change at a time; the timer waits its turn too

  async function exclusive<T>(change: () => Promise<T>): Promise<T> {
    await condition(() => !busy);
    busy = true;
    try {
      return await change();
    } finally {
      busy = false;
    }
  }

  function requireHolder(userId: number): void {
    if (state.phase !== "held") {
      throw refuse("LockUnavailable", { status: 403, subCode: "TaskNotOwned", message: `The lock has ended (${state.phase})` });
    }
    if (userId !== state.holderId) {
      throw refuse("LockUnavailable", { status: 403, subCode: "TaskNotOwned", message: "Task is locked by another user" });
    }
  }

  const base = () => ({ projectId: input.projectId, token: runId, userId: state.holderId, mode: input.mode });

  setHandler(lockStateQuery, () => state);

  setHandler(
    acquireLockUpdate,
    async () => {
      state.phase = "acquiring";
      const expiresAt = new Date(Date.now() + input.lockDurationMs).toISOString();
      const result = await acquireTaskLock({ ...base(), taskIds: input.taskIds, workflowId, expiresAt });
      if (!result.ok) {
        state.phase = "refused";
        throw refuse("LockRefused", result.refusal);
      }
      state.phase = "held";
      state.lockedAt = result.lockedAt;
      state.expiresAt = expiresAt;
      deadline = Date.parse(expiresAt);
      return { lockedAt: result.lockedAt, expiresAt };
    },
    {
      // Another request reaching this running lock (same workflow id) is refused without side effects.
      validator: ({ userId }) => {
        if (state.phase === "pending") return;
        const ending = ["released", "expired", "overridden", "split", "refused"].includes(state.phase);
        throw refuse("LockUnavailable", {
          status: ending ? 409 : 403,
          subCode: ending ? "LockEnding" : userId === state.holderId ? "UserAlreadyHasTaskLocked" : "LockedByAnotherUser",
          message: ending ? "The previous lock on this task is ending; try again" : "Task is already locked",
        });
      },
    },
  );

  setHandler(
    unlockTasksUpdate,
    ({ kind, outcomes }) =>
      exclusive(async () => {
        requireHolder(state.holderId);
        const { released } = await releaseTaskLock({ ...base(), kind, outcomes });
        state.taskIds = state.taskIds.filter((id) => !released.includes(id));
        if (state.taskIds.length === 0) state.phase = "released";
        return { released };
      }),
    {
      validator: ({ userId, outcomes }) => {
        requireHolder(userId);
        const foreign = outcomes.find((o: TaskOutcome) => !state.taskIds.includes(o.taskId));
        if (foreign) throw refuse("LockUnavailable", { status: 403, subCode: "TaskNotOwned", message: `Task ${foreign.taskId} is not part of this lock` });
      },
    },
  );

  setHandler(
    extendLockUpdate,
    () =>
      exclusive(async () => {
        requireHolder(state.holderId);
        const expiresAt = new Date(Date.now() + input.lockDurationMs).toISOString();
        state.extensions += 1;
        await extendTaskLock({ ...base(), expiresAt, sequence: state.extensions });
        state.expiresAt = expiresAt;
        deadline = Date.parse(expiresAt);
        return { expiresAt };
      }),
    { validator: ({ userId }) => requireHolder(userId) },
  );

  setHandler(
    splitTaskUpdate,
    ({ taskId }) =>
      exclusive(async () => {
        requireHolder(state.holderId);
        const result = await splitLockedTask({ projectId: input.projectId, taskId, token: runId, userId: state.holderId });
        state.phase = "split";
        return result;
      }),
    {
      validator: ({ userId, taskId }) => {
        requireHolder(userId);
        if (input.mode !== "MAPPING" || !state.taskIds.includes(taskId)) {
          throw refuse("LockUnavailable", { status: 403, subCode: "LockToSplit", message: "Task must be locked for mapping by this user to split it" });
        }
      },
    },
  );

  setHandler(overrideLockUpdate, () =>
    exclusive(async () => {
      const wasHeld = state.phase === "held";
      if (wasHeld || state.phase === "pending") state.phase = "overridden";
      return { wasHeld };
    }),
  );

  // The acquire update arrives with the start; a start without it (a crashed caller) does not linger.
  if (!(await condition(() => state.phase !== "pending", "1 minute"))) state.phase = "abandoned";
  await condition(() => state.phase !== "acquiring");

  // Expiry notices to the holder. (No patched() gate: it costs every lock a marker and a visibility
  // upsert, and no release ever ran this workflow without notices.)
  const warningMs = input.expiryWarningMs ?? 0;
  let warnedFor = 0; // the deadline whose warning went out: an extension re-arms the warning
  const notice = (kind: "LOCK_EXPIRY_WARNING" | "LOCK_AUTO_RELEASED", key: string) =>
    notifyLockHolder({ kind, key, userId: state.holderId, projectId: input.projectId, taskIds: state.taskIds, mode: input.mode, expiresAt: new Date(deadline).toISOString() })
      .catch(() => undefined);

  while (state.phase === "held") {
    const current = deadline;
    const warnAt = current - warningMs;
    const warn = warningMs > 0 && warnedFor !== current && warnAt > Date.now();
    const changed = await condition(() => state.phase !== "held" || deadline !== current, Math.max(1, (warn ? warnAt : current) - Date.now()));
    if (changed) continue;
    if (warn) {
      warnedFor = current;
      await notice("LOCK_EXPIRY_WARNING", `${runId}:warning:${current}`);
      continue;
    }
    await exclusive(async () => {
      // An extension may have moved the deadline while the timer's turn was pending.
      if (state.phase !== "held" || Date.now() < deadline) return;
      await releaseTaskLock({ ...base(), kind: "EXPIRE", outcomes: [] });
      state.phase = "expired";
    });
  }
  if (state.phase === "expired") await notice("LOCK_AUTO_RELEASED", `${runId}:released`);
  await condition(allHandlersFinished);
  return state;
}
