import { acquireTaskLock, extendTaskLock, releaseTaskLock, splitLockedTask } from "../src/db/queries/task-locks";
import type { ActivityDeps } from "./deps";

/**
 * The lock workflow's side effects: one PostgreSQL transaction each, idempotent under retry and
 * fenced by the lock token (see src/db/queries/task-locks.ts).
 */
export function taskLockActivities({ db }: ActivityDeps) {
  return {
    acquireTaskLock: (input: Parameters<typeof acquireTaskLock>[1]) => acquireTaskLock(db, input),
    releaseTaskLock: (input: Parameters<typeof releaseTaskLock>[1]) => releaseTaskLock(db, input),
    extendTaskLock: (input: Parameters<typeof extendTaskLock>[1]) => extendTaskLock(db, input),
    splitLockedTask: (input: Parameters<typeof splitLockedTask>[1]) => splitLockedTask(db, input),
  };
}
