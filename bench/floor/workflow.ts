import { condition, defineUpdate, setHandler } from "@temporalio/workflow";

/**
 * The smallest workflow with the lock workflow's shape: acquired by update-with-start, holding a
 * timer, ended by a second update. No activities, no database: what is left is Temporal's own cost.
 */
export const acquireUpdate = defineUpdate<string>("acquire");
export const releaseUpdate = defineUpdate<string>("release");

export async function floorLockWorkflow(durationMs: number): Promise<void> {
  let released = false;
  setHandler(acquireUpdate, () => "held");
  setHandler(releaseUpdate, () => {
    released = true;
    return "released";
  });
  await condition(() => released, durationMs);
}
