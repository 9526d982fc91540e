import { Context } from "@temporalio/activity";
import {
  insertBroadcastBatch, forgetRecipients, markEmailed, notifyLockHolder, pendingEmails, renderBroadcast, snapshotRecipients,
} from "../src/db/queries/messages";
import { createMailer, type Mailer, notificationEmail } from "../src/domain/email";
import type { MessageTarget } from "../src/domain/messages";
import type { ActivityDeps } from "./deps";

export interface RecipientBatch {
  workflowId: string;
  fromSeq: number;
  toSeq: number;
}

/**
 * Messaging side effects. Each is safe to repeat: the recipient snapshot is taken once per run,
 * message rows are keyed `<workflowId>:<userId>`, and only messages not yet emailed are emailed.
 */
export function messagingActivities({ db, config }: ActivityDeps) {
  let mailer: Mailer | undefined | null = null;
  const getMailer = () => (mailer === null ? (mailer = createMailer(config.smtp)) : mailer);

  return {
    /** Fixes who receives the run's message and its text; answers the number of recipients. */
    async snapshotMessageRecipients(input: { workflowId: string; target: MessageTarget; senderId: number; message: string }) {
      const [total, body] = await Promise.all([snapshotRecipients(db, input), renderBroadcast(db, input)]);
      return { total, body };
    },

    /** Writes one batch of messages in one statement; says whether any of them should be emailed. */
    async deliverMessageBatch(input: RecipientBatch & { target: MessageTarget; senderId: number; subject: string; body: string }) {
      Context.current().heartbeat({ fromSeq: input.fromSeq });
      const written = await insertBroadcastBatch(db, input);
      Context.current().heartbeat({ fromSeq: input.fromSeq, written });
      const emailPending = getMailer() ? (await pendingEmails(db, input)).length : 0;
      return { written, emailPending };
    },

    /** Emails the batch's messages to verified addresses, recording each one sent; heartbeats its progress. */
    async emailMessageBatch(input: RecipientBatch) {
      const mail = getMailer();
      if (!mail) return { emailed: 0 };
      let emailed = 0;
      for (const pending of await pendingEmails(db, input)) {
        await mail.send({ to: pending.email_address!, ...notificationEmail(pending) });
        await markEmailed(db, pending.id);
        emailed += 1;
        Context.current().heartbeat({ emailed, lastMessageId: pending.id });
      }
      return { emailed };
    },

    async forgetMessageRecipients(input: { workflowId: string }) {
      await forgetRecipients(db, input.workflowId);
    },

    /** The lock workflow's notices to its holder (a local activity; keyed, so a retry sends nothing new). */
    notifyLockHolder: (input: Parameters<typeof notifyLockHolder>[1]) => notifyLockHolder(db, input),
  };
}
