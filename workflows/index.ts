/**
 * Every workflow the worker runs, one per file, re-exported here for the bundler.
 * Workflow code is deterministic: no I/O, clocks or randomness outside the Temporal SDK.
 */
export { bulkTaskOperationWorkflow } from "./bulk-task-operation";
export { messageContributorsWorkflow } from "./message-contributors";
export { taskLockWorkflow } from "./task-lock";
