import type { PartnerRow, PartnershipRow } from "../db/queries/partners";
import type { WebsiteLink } from "../db/schema";
import { badRequest } from "./errors";
import { slugify } from "./organisations";

/** The official form sends up to five website links as name_1/url_1 ... name_5/url_5. */
export const WEBSITE_LINK_SLOTS = [1, 2, 3, 4, 5] as const;

type LinkFields = Partial<Record<`name_${number}` | `url_${number}`, string | null | undefined>>;

/** True when the body names any link slot, i.e. the caller means to set the links. */
export function hasWebsiteLinkFields(body: LinkFields): boolean {
  return WEBSITE_LINK_SLOTS.some((i) => body[`name_${i}`] !== undefined || body[`url_${i}`] !== undefined);
}

/** Collects the filled name/url pairs in slot order; a slot with only one half is refused. */
export function websiteLinksFrom(body: LinkFields): WebsiteLink[] {
  const links: WebsiteLink[] = [];
  for (const i of WEBSITE_LINK_SLOTS) {
    const name = body[`name_${i}`]?.trim();
    const url = body[`url_${i}`]?.trim();
    if (!name && !url) continue;
    if (!name || !url) throw badRequest(`Website link ${i} needs both name_${i} and url_${i}`);
    links.push({ name, url });
  }
  return links;
}

/**
 * A permalink names the partner in the statistics page's URL. It must not be all digits: GET
 * /partners/{segment}/ reads an integer segment as the partner's id.
 */
export const permalinkFrom = (name: string): string => slugify(name, "partner");

export const PERMALINK_PATTERN = /^(?!\d+$)[A-Za-z0-9_-]+$/;

/** PartnerDTO as the official API answers creates and updates: snake_case, website_links as a list. */
export function toPartnerDTO(partner: PartnerRow) {
  return {
    id: partner.id,
    name: partner.name,
    primary_hashtag: partner.primary_hashtag,
    secondary_hashtag: partner.secondary_hashtag,
    link_x: partner.link_x,
    link_meta: partner.link_meta,
    link_instagram: partner.link_instagram,
    logo_url: partner.logo_url,
    current_projects: partner.current_projects,
    permalink: partner.permalink,
    website_links: partner.website_links,
    mapswipe_group_id: partner.mapswipe_group_id,
  };
}

/** The official reads flatten website_links into name_1/url_1, name_2/url_2, ... */
export function toFlatPartnerDTO(partner: PartnerRow) {
  const { website_links, ...rest } = toPartnerDTO(partner);
  const flat: Record<string, unknown> = { ...rest };
  website_links.forEach((link, i) => {
    flat[`name_${i + 1}`] = link.name;
    flat[`url_${i + 1}`] = link.url;
  });
  return flat;
}

export function toPartnershipDTO(row: PartnershipRow) {
  return {
    id: row.id,
    projectId: row.project_id,
    partnerId: row.partner_id,
    startedOn: row.started_on.toISOString(),
    endedOn: row.ended_on?.toISOString() ?? null,
  };
}

/** A partnership's range must not end before it starts. */
export function assertPartnershipRange(range: { startedOn: Date; endedOn: Date | null }): void {
  if (range.endedOn && range.endedOn < range.startedOn) throw badRequest("endedOn must not be before startedOn");
}
