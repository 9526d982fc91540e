import nodemailer from "nodemailer";
import type { Config } from "../config";

export interface Mailer {
  send(mail: { to: string; subject: string; text: string }): Promise<void>;
  close(): void;
}

/**
 * An SMTP mailer for TM_SMTP_HOST (undefined when no host is configured: then nobody is emailed).
 * One pooled connection per worker process.
 */
export function createMailer(smtp: Config["smtp"]): Mailer | undefined {
  if (!smtp.host) return undefined;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port ?? 587,
    secure: smtp.port === 465,
    pool: true,
    maxConnections: 2,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? "" } : undefined,
    // A plain-text test or relay server on localhost has no certificate worth checking.
    tls: { rejectUnauthorized: false },
  });
  return {
    async send(mail) {
      await transport.sendMail({ from: smtp.from, ...mail });
    },
    close: () => transport.close(),
  };
}

/** The email copy of a notification. */
export function notificationEmail(message: { subject: string | null; message: string | null; username: string }) {
  return {
    subject: message.subject ?? "New message",
    text: `Hi ${message.username},\n\n${message.message ?? ""}\n\n--\nThis message is also in your Tasking Manager notifications.`,
  };
}

/**
 * Sends one email from the API process (no pooled connection kept open); false when no SMTP host is
 * configured, so nothing was sent.
 */
export async function sendOneEmail(smtp: Config["smtp"], mail: { to: string; subject: string; text: string }): Promise<boolean> {
  const mailer = createMailer(smtp);
  if (!mailer) return false;
  try {
    await mailer.send(mail);
    return true;
  } finally {
    mailer.close();
  }
}
