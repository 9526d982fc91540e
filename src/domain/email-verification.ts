import { createHmac, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";
import { sendOneEmail } from "./email";

/**
 * Email-verification tokens: `<base64url JSON {email, exp}>.<HMAC-SHA256>` under TM_SECRET. The signed
 * payload starts with a purpose label so a token of another kind can never pass as one of these.
 * They last a day, as officially.
 */
export const EMAIL_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
const PURPOSE = "email-verification";

export type EmailTokenCheck = { ok: true; email: string } | { ok: false; subCode: "BadSignature" | "ExpiredToken" };

function signature(secret: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(`${PURPOSE}:${payload}`).digest();
}

export function issueEmailToken(secret: string, email: string, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ email, exp: Math.floor((now + EMAIL_TOKEN_TTL_MS) / 1000) })).toString("base64url");
  return `${payload}.${signature(secret, payload).toString("base64url")}`;
}

export function verifyEmailToken(secret: string, token: string, now = Date.now()): EmailTokenCheck {
  const [payload, given, extra] = token.split(".");
  if (!payload || !given || extra !== undefined) return { ok: false, subCode: "BadSignature" };
  const expected = signature(secret, payload);
  const givenBytes = Buffer.from(given, "base64url");
  if (givenBytes.length !== expected.length || !timingSafeEqual(givenBytes, expected)) return { ok: false, subCode: "BadSignature" };
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { email: string; exp: number };
  if (claims.exp * 1000 <= now) return { ok: false, subCode: "ExpiredToken" };
  return { ok: true, email: claims.email };
}

/** The link the verification email carries: the frontend's page, which calls GET /system/authentication/email/. */
export function verificationLink(appBaseUrl: string, username: string, token: string): string {
  const query = new URLSearchParams({ username, token });
  return `${appBaseUrl}/verify-email/?${query.toString()}`;
}

export function verificationEmail(username: string, link: string) {
  return {
    subject: "Confirm your email address",
    text: `Hi ${username},\n\nPlease confirm this email address for your Tasking Manager account by opening this link within 24 hours:\n\n${link}\n`,
  };
}

/**
 * Emails the user a link that verifies their address (on sign-up, on an address change, and on
 * request). Answers false, sending nothing, when no SMTP server is configured, as officially.
 */
export function sendVerificationEmail(config: Pick<Config, "appBaseUrl" | "secret" | "smtp">, username: string, email: string): Promise<boolean> {
  const link = verificationLink(config.appBaseUrl, username, issueEmailToken(config.secret, email));
  return sendOneEmail(config.smtp, { to: email, ...verificationEmail(username, link) });
}
