import { randomBytes } from "node:crypto";
import type { Config } from "../config";
import { ApiError, badRequest } from "./errors";

/**
 * The OpenStreetMap OAuth2 login, as the official API runs it: login answers OSM's authorize URL with a
 * random state (the frontend checks it comes back); the callback trades the code at OSM's token endpoint
 * and reads the user at /api/0.6/user/details.json. OSM_SERVER_URL points all of it at a stand-in in tests.
 */
type OsmConfig = Config["osm"];

const OSM_TIMEOUT_MS = 15_000;

export function authorizeUrl(osm: OsmConfig, redirectUri: string): { auth_url: string; state: string } {
  const state = randomBytes(24).toString("base64url");
  const query = new URLSearchParams({ response_type: "code", client_id: osm.clientId, redirect_uri: redirectUri, scope: osm.scope, state });
  return { auth_url: `${osm.serverUrl}/oauth2/authorize?${query.toString()}`, state };
}

const osmUnavailable = (message: string, subCode: string) => new ApiError(502, subCode, message);

/** Trades an authorization code for an OSM access token. */
export async function exchangeCode(osm: OsmConfig, code: string, redirectUri: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${osm.serverUrl}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, client_id: osm.clientId, client_secret: osm.clientSecret }),
      signal: AbortSignal.timeout(OSM_TIMEOUT_MS),
    });
  } catch {
    throw osmUnavailable("Couldn't fetch token from OSM.", "TokenFetchError");
  }
  const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown };
  if (body.error === "invalid_grant") throw badRequest("The provided authorization grant is invalid, expired or revoked", "InvalidGrantError");
  if (!response.ok || typeof body.access_token !== "string") throw osmUnavailable("Couldn't fetch token from OSM.", "TokenFetchError");
  return body.access_token;
}

export interface OsmUser {
  id: number;
  username: string;
  pictureUrl: string | null;
  changesets: number;
}

/** Reads the OSM account the access token belongs to. */
export async function fetchOsmUser(osm: OsmConfig, accessToken: string): Promise<OsmUser> {
  const failed = () => osmUnavailable("Couldn't query user details from OSM.", "OSMServiceError");
  let response: Response;
  try {
    response = await fetch(`${osm.serverUrl}/api/0.6/user/details.json`, {
      headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" },
      signal: AbortSignal.timeout(OSM_TIMEOUT_MS),
    });
  } catch {
    throw failed();
  }
  if (!response.ok) throw failed();
  const body = (await response.json().catch(() => ({}))) as {
    user?: { id?: unknown; display_name?: unknown; img?: { href?: unknown }; changesets?: { count?: unknown } };
  };
  const user = body.user;
  if (!user || !Number.isSafeInteger(user.id) || typeof user.display_name !== "string" || !user.display_name) throw failed();
  return {
    id: user.id as number,
    username: user.display_name,
    pictureUrl: typeof user.img?.href === "string" ? user.img.href : null,
    changesets: typeof user.changesets?.count === "number" ? user.changesets.count : 0,
  };
}

/** A new user's mapping level from their OSM changeset count (the official 250 / 500 thresholds). */
export function mappingLevelFor(changesets: number): "BEGINNER" | "INTERMEDIATE" | "ADVANCED" {
  if (changesets >= 500) return "ADVANCED";
  if (changesets >= 250) return "INTERMEDIATE";
  return "BEGINNER";
}
