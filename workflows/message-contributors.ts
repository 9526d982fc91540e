import { defineQuery, proxyActivities, setHandler, workflowInfo } from "@temporalio/workflow";
import type { Activities } from "../activities";
import type { MessageTarget } from "../src/domain/messages";

/**
 * A manager's message to every contributor of a project or campaign, or to a team's active members. The recipients
 * are fixed by the first activity, then written in batches; every write is keyed by run and
 * recipient, so a worker dying halfway changes nothing: the retried batch writes only what is missing
 * and each recipient ends up with exactly one message (and at most one email).
 */
export interface MessageContributorsInput {
  target: MessageTarget;
  senderId: number;
  subject: string;
  message: string;
  /** Recipients per batch activity (TM_MESSAGE_BATCH_SIZE). */
  batchSize: number;
}

export interface MessagingProgress {
  sent: number;
  total: number;
  emailed: number;
}

export const messagingProgressQuery = defineQuery<MessagingProgress>("messagingProgress");

const retry = { initialInterval: "500ms", backoffCoefficient: 2, maximumInterval: "30s" };
// A dead worker is noticed within heartbeatTimeout and the batch is retried elsewhere.
const { snapshotMessageRecipients, deliverMessageBatch, forgetMessageRecipients } = proxyActivities<Activities>({
  startToCloseTimeout: "1 minute",
  heartbeatTimeout: "10s",
  retry,
});
const { emailMessageBatch } = proxyActivities<Activities>({ startToCloseTimeout: "30 minutes", heartbeatTimeout: "30s", retry });

export async function messageContributorsWorkflow(input: MessageContributorsInput): Promise<MessagingProgress> {
  const { workflowId } = workflowInfo();
  const progress: MessagingProgress = { sent: 0, total: 0, emailed: 0 };
  setHandler(messagingProgressQuery, () => progress);

  const { total, body } = await snapshotMessageRecipients({ workflowId, target: input.target, senderId: input.senderId, message: input.message });
  progress.total = total;
  // Every inbox first; the slower email copies follow, batch by batch.
  const toEmail = [];
  for (let fromSeq = 1; fromSeq <= total; fromSeq += input.batchSize) {
    const batch = { workflowId, fromSeq, toSeq: Math.min(total, fromSeq + input.batchSize - 1) };
    const { emailPending } = await deliverMessageBatch({ ...batch, target: input.target, senderId: input.senderId, subject: input.subject, body });
    progress.sent = batch.toSeq;
    if (emailPending > 0) toEmail.push(batch);
  }
  for (const batch of toEmail) progress.emailed += (await emailMessageBatch(batch)).emailed;
  await forgetMessageRecipients({ workflowId });
  return progress;
}
