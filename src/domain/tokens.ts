import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Session tokens as the official API hands them out: clients send `Authorization: Token <base64>`.
 * The decoded token is `<userId>.<expiresAtSeconds>.<nonce>.<signature>`, signed with HMAC-SHA256 under TM_SECRET;
 * the nonce makes every issued token distinct.
 */
export interface TokenClaims {
  userId: number;
  expiresAt: Date;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: "malformed" | "bad-signature" | "expired" };

function sign(secret: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(payload).digest();
}

export function issueToken(secret: string, userId: number, ttlMs: number, now = Date.now()): string {
  const expiresAt = Math.floor((now + ttlMs) / 1000);
  const payload = `${userId}.${expiresAt}.${randomBytes(6).toString("base64url")}`;
  const session = `${payload}.${sign(secret, payload).toString("base64url")}`;
  return Buffer.from(session, "utf8").toString("base64");
}

export function verifyToken(secret: string, token: string, now = Date.now()): TokenCheck {
  const session = Buffer.from(token, "base64").toString("utf8");
  const match = /^(\d{1,19})\.(\d{1,12})\.([A-Za-z0-9_-]{8})\.([A-Za-z0-9_-]{43})$/.exec(session);
  if (!match) return { ok: false, reason: "malformed" };
  const [, userId, expiresAt, nonce, signature] = match as unknown as [string, string, string, string, string];
  const expected = sign(secret, `${userId}.${expiresAt}.${nonce}`);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad-signature" };
  const expiry = new Date(Number(expiresAt) * 1000);
  if (expiry.getTime() <= now) return { ok: false, reason: "expired" };
  return { ok: true, claims: { userId: Number(userId), expiresAt: expiry } };
}

/**
 * An application key: an opaque random credential a user creates for scripts. Sent as
 * `Authorization: Token <key>` it authenticates as that user until deleted; the prefix keeps it from
 * ever parsing as a session token.
 */
export const APPLICATION_KEY_PREFIX = "tmapp_";

export function newApplicationKey(): string {
  return APPLICATION_KEY_PREFIX + randomBytes(24).toString("base64url");
}

export function looksLikeApplicationKey(token: string): boolean {
  return token.startsWith(APPLICATION_KEY_PREFIX);
}
