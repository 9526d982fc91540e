import type { ActivityDeps } from "./deps";
import { bulkActivities } from "./bulk";
import { messagingActivities } from "./messaging";
import { taskLockActivities } from "./task-locks";

export type { ActivityDeps } from "./deps";

/** Every activity the worker registers, bound to its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...taskLockActivities(deps),
    ...messagingActivities(deps),
    ...bulkActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
