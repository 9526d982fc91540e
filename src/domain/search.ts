import type { ProjectSearchQuery } from "../api/schemas/search";
import type { DB } from "../db/database";
import {
  countMatches, mapResultsJson, type ProjectFilter, type SearchOrder, searchPageIds, type Viewer,
} from "../db/queries/search";
import type { UserRow } from "../db/schema";
import { unauthorized } from "./errors";
import { buildSearchResults } from "./projects/dto";
import { isAdmin } from "./permissions";

/** The official page size of the project search. */
export const SEARCH_PAGE_SIZE = 14;

/** The official Pagination object. */
export function pagination(page: number, perPage: number, total: number) {
  const pages = Math.ceil(total / perPage);
  const hasNext = page < pages;
  const hasPrev = page > 1;
  return { hasNext, hasPrev, nextNum: hasNext ? page + 1 : null, page, pages, prevNum: hasPrev ? page - 1 : null, perPage, total };
}

export const viewerOf = (user: UserRow | undefined): Viewer | undefined => (user ? { id: user.id, admin: isAdmin(user) } : undefined);

/**
 * Free text to a prefix tsquery: every word must prefix-match (AND), e.g. "nairobi build" →
 * `nairobi:* & build:*`. Only letters and digits survive, so the tsquery syntax can't be injected.
 * A number also matches the project with that id.
 */
export function textSearchOf(text: string): NonNullable<ProjectFilter["text"]> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const id = /^#?\d{1,9}$/.test(text.trim()) ? Number(text.trim().replace("#", "")) : null;
  return { tsquery: words.length ? words.map((w) => `${w}:*`).join(" & ") : null, projectId: id };
}

const ORDER_ALIASES: Record<string, SearchOrder> = { percent_mapped: "percentMapped", percent_validated: "percentValidated" };

/** The official search parameters turned into a filter; the "…ByMe" filters need a signed-in user. */
export async function filterFromQuery(db: DB, q: ProjectSearchQuery, user: UserRow | undefined): Promise<ProjectFilter> {
  const byMe = { createdByMe: q.createdByMe, mappedByMe: q.mappedByMe, favoritedByMe: q.favoritedByMe, managedByMe: q.managedByMe, basedOnMyInterests: q.basedOnMyInterests };
  const wanted = Object.entries(byMe).filter(([, v]) => v === true).map(([k]) => k);
  if (wanted.length && !user) throw unauthorized(`Sign in to filter by ${wanted.join(", ")}`);
  const filter: ProjectFilter = {
    // Official default: only PUBLISHED, except that "my projects" lists all of the author's projects.
    statuses: q.projectStatuses?.length ? q.projectStatuses : q.createdByMe ? undefined : ["PUBLISHED"],
    difficulty: q.difficulty && q.difficulty !== "ALL" ? q.difficulty : undefined,
    mappingTypes: q.mappingTypes?.length ? { types: q.mappingTypes, exact: q.mappingTypesExact ?? false } : undefined,
    organisationName: q.organisationName,
    organisationId: q.organisationId,
    campaign: q.campaign,
    country: q.country,
    interestIds: q.interests?.length && !q.basedOnMyInterests ? q.interests : undefined,
    lastUpdated: { from: q.lastUpdatedFrom, to: q.lastUpdatedTo },
    created: { from: q.createdFrom, to: q.createdTo },
    partner: q.partnerId !== undefined ? { id: q.partnerId, from: q.partnershipFrom, to: q.partnershipTo } : undefined,
    action: q.action === "map" || q.action === "validate" ? q.action : undefined,
  };
  if (q.textSearch) filter.text = textSearchOf(q.textSearch);
  if (user) {
    if (q.createdByMe) filter.authorId = user.id;
    if (q.mappedByMe) filter.mappedBy = user.id;
    if (q.favoritedByMe) filter.favoritedBy = user.id;
    if (q.managedByMe) filter.managedBy = viewerOf(user);
    if (q.basedOnMyInterests) filter.interestsOfUser = user.id;
  }
  if (q.teamId !== undefined) filter.teamId = q.teamId;
  return filter;
}

/**
 * ProjectSearchResultsDTO as JSON text: the page (ids, then the shared ListSearchResultDTO
 * builder), the count and the map results run concurrently, and the map FeatureCollection (every match, possibly thousands of points) is
 * spliced in as PostgreSQL serialised it rather than parsed and re-serialised here.
 */
export async function searchProjects(db: DB, q: ProjectSearchQuery, user: UserRow | undefined, locale: string): Promise<string> {
  const filter = await filterFromQuery(db, q, user);
  const viewer = viewerOf(user);
  const page = {
    order: ORDER_ALIASES[q.orderBy] ?? (q.orderBy as SearchOrder),
    direction: q.orderByType,
    limit: SEARCH_PAGE_SIZE,
    offset: (q.page - 1) * SEARCH_PAGE_SIZE,
  };
  const [results, total, mapResults] = await Promise.all([
    searchPageIds(db, filter, viewer, page).then((ids) => buildSearchResults(db, ids, locale)),
    countMatches(db, filter, viewer),
    q.omitMapResults ? Promise.resolve("null") : mapResultsJson(db, filter, viewer),
  ]);
  return `{"mapResults":${mapResults},"results":${JSON.stringify(results)},"pagination":${JSON.stringify(pagination(q.page, SEARCH_PAGE_SIZE, total))}}`;
}
