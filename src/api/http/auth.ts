import { userByApplicationKey } from "../../db/queries/applications";
import { findUserById } from "../../db/queries/users";
import type { UserRow } from "../../db/schema";
import { forbidden, unauthorized } from "../../domain/errors";
import { looksLikeApplicationKey, verifyToken } from "../../domain/tokens";
import type { Services } from "../services";
import type { AppContext } from "./state";

export type AuthMode = "none" | "optional" | "required";

/**
 * Reads `Authorization: Token <base64>` (Bearer is accepted too) into the signed-in user. The token is a
 * session token, or an application key the user created.
 */
export async function authenticate(ctx: AppContext, services: Services, mode: AuthMode): Promise<UserRow | undefined> {
  if (mode === "none") return undefined;
  const header = ctx.get("Authorization");
  if (!header) {
    if (mode === "required") throw unauthorized("Authentication token is required");
    return undefined;
  }
  const match = /^(?:Token|Bearer)\s+(\S+)$/i.exec(header.trim());
  if (!match) throw unauthorized("Authorization header must be 'Token <session token>'");
  if (looksLikeApplicationKey(match[1]!)) {
    const owner = await userByApplicationKey(services.db, match[1]!);
    if (!owner) throw unauthorized("Application key is invalid");
    return owner;
  }
  const check = verifyToken(services.config.secret, match[1]!);
  if (!check.ok) throw unauthorized(check.reason === "expired" ? "Token has expired" : "Token is invalid");
  const user = await findUserById(services.db, check.claims.userId);
  if (!user) throw unauthorized("Token names an unknown user");
  return user;
}

/** A READ_ONLY account may read but never write. */
export function refuseReadOnlyWrites(method: string, user: UserRow | undefined): void {
  if (user?.role === "READ_ONLY" && method !== "GET" && method !== "HEAD") {
    throw forbidden("User is read-only and cannot make changes", "ReadOnly");
  }
}
