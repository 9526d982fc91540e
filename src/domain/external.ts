import type { Config } from "../config";
import { ApiError } from "./errors";
import type { UserStatistics } from "./levels";

type External = Config["external"];

const badGateway = (message: string, subCode: string) => new ApiError(502, subCode, message);

/** GETs JSON from an outside service; an unreachable service or a non-2xx answer is a 502 with `subCode`. */
export async function fetchJson(url: string, options: { timeoutMs: number; subCode: string; headers?: Record<string, string> }): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json", ...options.headers }, signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (error) {
    throw badGateway(`${new URL(url).host} did not answer: ${(error as Error).message}`, options.subCode);
  }
  if (!response.ok) throw badGateway(`${new URL(url).host} answered ${response.status}`, options.subCode);
  try {
    return await response.json();
  } catch {
    throw badGateway(`${new URL(url).host} answered something other than JSON`, options.subCode);
  }
}

const ohsomeHeaders = (external: External): Record<string, string> =>
  external.ohsomeStatsToken ? { Authorization: `Basic ${external.ohsomeStatsToken}` } : {};

/** UserOSMDTO from the OSM API's user details. */
export async function osmUserDetails(external: External, userId: number) {
  const body = (await fetchJson(`${external.osmServerUrl}/api/0.6/user/${userId}.json`, {
    timeoutMs: external.timeoutMs,
    subCode: "OSMServiceError",
  })) as { user?: { account_created?: string; changesets?: { count?: number } } };
  if (!body.user) throw badGateway("The OSM API answered without user details", "OSMServiceError");
  return { accountCreated: body.user.account_created ?? null, changesetCount: body.user.changesets?.count ?? null };
}

/**
 * Proxies an ohsome statistics URL. Only URLs under OHSOME_STATS_BASE_URL are fetched, so the API
 * cannot be used to reach arbitrary hosts; a path alone is taken relative to that base.
 */
export function ohsomeProxy(external: External, url: string): Promise<unknown> {
  const base = new URL(external.ohsomeStatsUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  let target: URL;
  try {
    // Parsing normalises "..", so a URL cannot climb out of the base path.
    target = new URL(url.startsWith("/") ? `${external.ohsomeStatsUrl}${url}` : url);
  } catch {
    throw new ApiError(400, "InvalidData", "url is not a valid URL");
  }
  const underBase = target.pathname === basePath || target.pathname.startsWith(`${basePath}/`);
  if (target.origin !== base.origin || target.username || target.password || !underBase) {
    throw new ApiError(400, "InvalidData", `url must be under ${external.ohsomeStatsUrl}`);
  }
  return fetchJson(target.href, { timeoutMs: external.timeoutMs, subCode: "OhsomeServiceError", headers: ohsomeHeaders(external) });
}

/**
 * A user's statistics as badges read them: ohsome's topic values for the Tasking Manager hashtag,
 * plus the OSM changeset count (as the official get_and_save_stats combines them).
 */
export async function fetchUserStatistics(external: External, userId: number, changesetComment: string): Promise<UserStatistics> {
  const hashtag = changesetComment.replace(/^#/, "");
  const params = new URLSearchParams({ hashtag: `${hashtag}-*`, userId: String(userId), topics: external.ohsomeStatsTopics });
  const [ohsome, osm] = await Promise.all([
    fetchJson(`${external.ohsomeStatsUrl}/stats/user?${params}`, { timeoutMs: external.timeoutMs, subCode: "OhsomeServiceError", headers: ohsomeHeaders(external) }),
    osmUserDetails(external, userId),
  ]);
  const topics = (ohsome as { result?: { topics?: Record<string, { value?: unknown }> } }).result?.topics ?? {};
  const stats: UserStatistics = {};
  for (const [topic, entry] of Object.entries(topics)) {
    if (typeof entry?.value === "number" && Number.isFinite(entry.value)) stats[topic] = entry.value;
  }
  stats.changeset = osm.changesetCount ?? 0;
  return stats;
}

/** The latest official release (GitHub's releases API, or TM_RELEASES_URL): tag and publication date. */
export async function latestRelease(external: External): Promise<{ tagName: string; publishedAt: string }> {
  const body = (await fetchJson(external.releasesUrl, { timeoutMs: external.timeoutMs, subCode: "ReleaseServiceError" })) as {
    tag_name?: unknown;
    published_at?: unknown;
  };
  if (typeof body.tag_name !== "string" || typeof body.published_at !== "string" || Number.isNaN(Date.parse(body.published_at))) {
    throw badGateway("The releases API answered without a tag and publication date", "ReleaseServiceError");
  }
  return { tagName: body.tag_name, publishedAt: body.published_at };
}
