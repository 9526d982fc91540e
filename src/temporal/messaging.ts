import { randomUUID } from "node:crypto";
import { TypedSearchAttributes } from "@temporalio/common";
import { messageWorkflowId } from "../domain/messages";
import { type MessageContributorsInput, messageContributorsWorkflow } from "../../workflows/message-contributors";
import type { TemporalHandle } from "./client";
import { SEARCH_ATTRIBUTES } from "./task-locks";

/**
 * Starts a message-contributors run and returns once Temporal has recorded it (the official API
 * answers "Messages started" without waiting for the messages). Each request is its own run.
 */
export async function startMessageContributors(temporal: TemporalHandle, input: MessageContributorsInput): Promise<string> {
  const workflowId = messageWorkflowId(input.target, randomUUID());
  await temporal.client.workflow.start(messageContributorsWorkflow, {
    workflowId,
    taskQueue: temporal.taskQueue,
    args: [input],
    typedSearchAttributes: new TypedSearchAttributes([
      { key: SEARCH_ATTRIBUTES.bulkOperation, value: input.target.kind === "team" ? "MESSAGE_TEAM_MEMBERS" : "MESSAGE_CONTRIBUTORS" },
      ...(input.target.kind === "project" ? [{ key: SEARCH_ATTRIBUTES.projectId, value: input.target.id }] : []),
    ]),
    memo: {
      description: `Message "${input.subject.slice(0, 80)}" from user ${input.senderId} to the ${input.target.kind === "team" ? "members" : "contributors"} of ${input.target.kind} ${input.target.id}`,
    },
  });
  return workflowId;
}
