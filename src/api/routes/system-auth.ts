import { z } from "zod";
import { applicationKeysOf, type ApplicationKeyRow, deleteApplicationKey, findApplicationKey, insertApplicationKey } from "../../db/queries/applications";
import { upsertOsmUser } from "../../db/queries/osm-users";
import { findUserByUsername } from "../../db/queries/users";
import { sendVerificationEmail, verifyEmailToken } from "../../domain/email-verification";
import { ApiError, conflict, forbidden, notFound } from "../../domain/errors";
import { authorizeUrl, exchangeCode, fetchOsmUser, mappingLevelFor } from "../../domain/osm-auth";
import { issueToken, newApplicationKey } from "../../domain/tokens";
import { isUniqueViolation } from "../../domain/unique-names";
import type { RouteTable } from "../openapi/routes";
import { SuccessDTO } from "../schemas/fields";
import { ApplicationDTO, ApplicationsDTO, LoginURLDTO, SessionDTO } from "../schemas/system-auth";
import type { Services } from "../services";

const KeyParams = z.object({ application_key: z.string().min(1).max(200) });

/** The official answer for a key that is not valid, or not the caller's: 302 (sic). */
const keyRefused = (message: string) => new ApiError(302, "InvalidToken", message);

function toApplicationDTO(row: ApplicationKeyRow) {
  return { keyId: row.id, userId: row.user_id, applicationkey: row.app_key, createdDate: row.created.toISOString() };
}

/** Sign-in with OpenStreetMap, email verification and application keys. */
export function systemAuthRoutes(routes: RouteTable, services: Services): void {
  const { db, config, logger } = services;

  routes.add({
    method: "get",
    path: "/api/v2/system/authentication/applications/",
    tag: "system",
    summary: "The signed-in user's application keys",
    auth: "required",
    responses: { 200: { description: "Keys (possibly none)", schema: ApplicationsDTO } },
    handler: async ({ user }) => ({ applications: (await applicationKeysOf(db, user!.id)).map(toApplicationDTO) }),
  });

  routes.add({
    method: "post",
    path: "/api/v2/system/authentication/applications/",
    tag: "system",
    summary: "Create an application key: sent as 'Authorization: Token <key>', it acts as you until deleted",
    auth: "required",
    responses: { 200: { description: "The new key", schema: ApplicationDTO } },
    handler: async ({ user }) => toApplicationDTO(await insertApplicationKey(db, user!.id, newApplicationKey())),
  });

  routes.add({
    method: "patch",
    path: "/api/v2/system/authentication/applications/{application_key}/",
    tag: "system",
    summary: "Check whether an application key is valid",
    description: "200 when it is; 302 (the official answer) when it is not.",
    auth: "none",
    params: KeyParams,
    responses: { 200: { description: "Valid", schema: SuccessDTO }, 302: { description: "Not a valid key" } },
    handler: async ({ params }) => {
      if (!(await findApplicationKey(db, params.application_key))) throw keyRefused("Application key is not valid");
      return { Success: "Application key is valid" };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/system/authentication/applications/{application_key}/",
    tag: "system",
    summary: "Delete one of your application keys",
    description: "404 for an unknown key; 302 (the official answer) for another user's key.",
    auth: "required",
    params: KeyParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO }, 302: { description: "Another user's key" } },
    handler: async ({ params, user }) => {
      const key = await findApplicationKey(db, params.application_key);
      if (!key) throw notFound("Application key not found");
      if (key.user_id !== user!.id) throw keyRefused("This application key belongs to another user");
      await deleteApplicationKey(db, key.id);
      return { Success: "Application key deleted" };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/system/authentication/login/",
    tag: "system",
    summary: "The OpenStreetMap authorize URL to send the user to, with a fresh state",
    description: "redirect_uri defaults to TM_REDIRECT_URI; OSM sends the user back there with code and state.",
    auth: "none",
    query: z.object({ redirect_uri: z.url().optional() }),
    responses: { 200: { description: "Authorize URL", schema: LoginURLDTO } },
    handler: ({ query }) => authorizeUrl(config.osm, query.redirect_uri ?? config.osm.redirectUri),
  });

  routes.add({
    method: "get",
    path: "/api/v2/system/authentication/callback/",
    tag: "system",
    summary: "Finish the OpenStreetMap login: trade the code, create or update the user, answer a session token",
    description:
      "A new user gets a mapping level from their OSM changeset count and, when email_address is given, a verification email. " +
      "A bad code answers 400 InvalidGrantError; OSM failing answers 502 TokenFetchError or OSMServiceError.",
    auth: "none",
    query: z.object({
      code: z.string().min(1, "No code supplied"),
      redirect_uri: z.url().optional(),
      email_address: z.email().optional(),
    }),
    responses: { 200: { description: "Session", schema: SessionDTO } },
    handler: async ({ query }) => {
      const accessToken = await exchangeCode(config.osm, query.code, query.redirect_uri ?? config.osm.redirectUri);
      const osmUser = await fetchOsmUser(config.osm, accessToken);
      const { user, created } = await upsertOsmUser(db, {
        id: osmUser.id,
        username: osmUser.username,
        pictureUrl: osmUser.pictureUrl,
        mappingLevel: mappingLevelFor(osmUser.changesets),
        email: query.email_address ?? null,
      }).catch((error: unknown) => {
        if (isUniqueViolation(error)) throw conflict(`The username ${osmUser.username} is held by another account`, "AuthError");
        throw error;
      });
      if (created && user.email_address) await sendVerificationEmailBestEffort(user.username, user.email_address);
      return {
        username: user.username,
        session_token: issueToken(config.secret, user.id, config.sessionTokenTtlMs),
        picture: user.picture_url,
        osm_oauth_token: accessToken,
      };
    },
  });

  /** Best effort: the login succeeds even when the mail server does not answer. */
  async function sendVerificationEmailBestEffort(username: string, email: string): Promise<void> {
    try {
      await sendVerificationEmail(config, username, email);
    } catch (error) {
      logger.warn({ err: error, username }, "verification email not sent");
    }
  }

  routes.add({
    method: "get",
    path: "/api/v2/system/authentication/email/",
    tag: "system",
    summary: "Verify a user's email address with the token the verification email carried",
    description: "403 ExpiredToken or BadSignature for a bad token, 403 InvalidEmail when the user's address changed since.",
    auth: "none",
    query: z.object({ username: z.string().min(1), token: z.string().min(1) }),
    responses: { 200: { description: "Verified", schema: z.object({ Status: z.literal("OK") }) } },
    handler: async ({ query }) => {
      const user = await findUserByUsername(db, query.username);
      if (!user) throw notFound(`User ${query.username} not found`, "UserNotFound");
      const check = verifyEmailToken(config.secret, query.token);
      if (!check.ok) throw forbidden(check.subCode === "ExpiredToken" ? "The token has expired" : "The token is not valid", check.subCode);
      if (!user.email_address || user.email_address.toLowerCase() !== check.email.toLowerCase()) {
        throw forbidden("The token was issued for another email address", "InvalidEmail");
      }
      await db.updateTable("users").set({ is_email_verified: true }).where("id", "=", user.id).execute();
      return { Status: "OK" };
    },
  });
}
