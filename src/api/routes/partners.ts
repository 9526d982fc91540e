import type { Insertable } from "kysely";
import { z } from "zod";
import { partnerBreakdowns, partnerMembers, partnerTotals } from "../../db/queries/partner-stats";
import {
  deletePartner,
  findPartner,
  findPartnerByPermalink,
  insertPartner,
  listPartners,
  type PartnerRow,
  updatePartner,
} from "../../db/queries/partners";
import type { PartnersTable } from "../../db/schema";
import { notFound, unauthorized } from "../../domain/errors";
import { filteredStatsDTO, groupedStatsDTO, membersCsv, recentSince, statsRange } from "../../domain/partner-stats";
import { hasWebsiteLinkFields, permalinkFrom, toFlatPartnerDTO, toPartnerDTO, websiteLinksFrom } from "../../domain/partners";
import { requireAdmin } from "../../domain/permissions";
import { rejectingDuplicateName } from "../../domain/unique-names";
import type { RouteTable } from "../openapi/routes";
import { nameExistsResponse, pathId, queryBoolean, SuccessDTO } from "../schemas/fields";
import { FilteredPartnerStatsDTO, FlatPartnerDTO, GroupedPartnerStatsDTO, NewPartnerDTO, PartnerDTO, UpdatePartnerDTO } from "../schemas/partners";
import type { Services } from "../services";

const PartnerParams = z.object({ partner_id: pathId });
const PermalinkParams = z.object({ permalink: z.string().min(1).max(200) });
const partnerNotFound = (which: number | string) => notFound(`Partner ${which} not found`);
const DUPLICATE = "A partner with this name or permalink";

/**
 * The columns a create or update body sets: website links only when the body names a link slot, and the
 * permalink only when given (a partner always keeps one: its statistics page lives there).
 */
function partnerColumns(body: z.output<typeof UpdatePartnerDTO>): Partial<Insertable<PartnersTable>> {
  const columns: Partial<Insertable<PartnersTable>> = {};
  for (const key of ["name", "primary_hashtag", "secondary_hashtag", "logo_url", "link_meta", "link_x", "link_instagram", "current_projects", "mapswipe_group_id"] as const) {
    if (body[key] !== undefined) (columns as Record<string, unknown>)[key] = body[key] || null;
  }
  if (body.permalink) columns.permalink = body.permalink;
  if (hasWebsiteLinkFields(body)) columns.website_links = JSON.stringify(websiteLinksFrom(body));
  return columns;
}

export function partnerRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;

  async function partnerByPermalink(permalink: string): Promise<PartnerRow> {
    const partner = await findPartnerByPermalink(db, permalink);
    if (!partner) throw partnerNotFound(permalink);
    return partner;
  }

  routes.add({
    method: "get",
    path: "/api/v2/partners/",
    tag: "partners",
    summary: "All partners",
    auth: "required",
    responses: { 200: { description: "Partners, website links flattened into name_N/url_N", schema: z.array(FlatPartnerDTO) } },
    handler: async () => (await listPartners(db)).map(toFlatPartnerDTO),
  });

  routes.add({
    method: "post",
    path: "/api/v2/partners/",
    tag: "partners",
    summary: "Create a partner (admins only)",
    description: "Website links come as name_1/url_1 ... name_5/url_5. Without a permalink one is made from the name. A taken name or permalink answers 409 NameExists.",
    auth: "required",
    body: NewPartnerDTO,
    status: 201,
    responses: { 201: { description: "The new partner", schema: PartnerDTO }, 409: nameExistsResponse },
    handler: async ({ body, user }) => {
      requireAdmin(user, "manage partners");
      const columns = partnerColumns(body);
      const partner = await rejectingDuplicateName(DUPLICATE, () =>
        insertPartner(db, { ...columns, name: body.name, primary_hashtag: body.primary_hashtag, permalink: columns.permalink ?? permalinkFrom(body.name) }),
      );
      return toPartnerDTO(partner);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/partners/{partner_id}/",
    tag: "partners",
    summary: "One partner, by numeric id (signed-in users) or by permalink (anyone)",
    description: "An all-digits segment is the partner's id and needs a token, as officially; any other segment is a permalink.",
    auth: "optional",
    params: z.object({ partner_id: z.string().min(1).max(200).describe("Partner id, or permalink") }),
    responses: { 200: { description: "Partner, website links flattened into name_N/url_N", schema: FlatPartnerDTO } },
    handler: async ({ params, user }) => {
      const segment = params.partner_id;
      if (!/^\d+$/.test(segment)) return toFlatPartnerDTO(await partnerByPermalink(segment));
      if (!user) throw unauthorized("Authentication token is required");
      const partner = await findPartner(db, Number(segment));
      if (!partner) throw partnerNotFound(segment);
      return toFlatPartnerDTO(partner);
    },
  });

  routes.add({
    method: "put",
    path: "/api/v2/partners/{partner_id}/",
    tag: "partners",
    summary: "Update a partner (admins only)",
    description: "Changes only the given fields; giving any name_N/url_N replaces all website links. A taken name or permalink answers 409 NameExists.",
    auth: "required",
    params: PartnerParams,
    body: UpdatePartnerDTO,
    responses: { 200: { description: "The updated partner", schema: PartnerDTO }, 409: nameExistsResponse },
    handler: async ({ params, body, user }) => {
      requireAdmin(user, "manage partners");
      const updated = await rejectingDuplicateName(DUPLICATE, () => updatePartner(db, params.partner_id, partnerColumns(body)));
      if (!updated) throw partnerNotFound(params.partner_id);
      return toPartnerDTO(updated);
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/partners/{partner_id}/",
    tag: "partners",
    summary: "Delete a partner (admins only), with its project partnerships",
    auth: "required",
    params: PartnerParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      requireAdmin(user, "manage partners");
      if (!(await deletePartner(db, params.partner_id))) throw partnerNotFound(params.partner_id);
      return { Success: "Partner deleted" };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/partners/{permalink}/general-statistics/",
    tag: "partners",
    summary: "A partner's contributors and totals over its projects' task history",
    description:
      "Computed from this database: task state changes (contributions) and locked time on the partner's projects while each partnership ran; " +
      "recent = the last 30 days. Members are paginated with limit/offset; downloadAsCSV=true answers every member as CSV.",
    auth: "none",
    params: PermalinkParams,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).optional().default(10),
      offset: z.coerce.number().int().min(0).optional().default(0),
      downloadAsCSV: queryBoolean.optional(),
    }),
    responses: {
      200: { description: "Statistics (or CSV of members)", schema: GroupedPartnerStatsDTO },
    },
    handler: async ({ params, query, ctx }) => {
      const partner = await partnerByPermalink(params.permalink);
      const window = { partnerId: partner.id };
      const page = query.downloadAsCSV ? undefined : { limit: query.limit, offset: query.offset };
      const [members, totals] = await Promise.all([partnerMembers(db, window, page), partnerTotals(db, window, recentSince())]);
      const stats = groupedStatsDTO(partner, members, totals);
      if (!query.downloadAsCSV) return stats;
      ctx.type = "text/csv";
      ctx.attachment(`${partner.permalink ?? partner.id}_members.csv`);
      return membersCsv(stats.members);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/partners/{permalink}/filtered-statistics/",
    tag: "partners",
    summary: "A partner's contributions between two dates, by user, place, mapping type, day and organisation",
    description: "fromDate is required and toDate defaults to today (YYYY-MM-DD, inclusive, at most 366 days apart). areaSwipedByProjectType is a MapSwipe figure and stays empty.",
    auth: "none",
    params: PermalinkParams,
    query: z.object({ fromDate: z.iso.date().optional(), toDate: z.iso.date().optional() }),
    responses: { 200: { description: "Statistics", schema: FilteredPartnerStatsDTO } },
    handler: async ({ params, query }) => {
      const partner = await partnerByPermalink(params.permalink);
      const range = statsRange(query.fromDate, query.toDate);
      const window = { partnerId: partner.id, from: range.from, to: range.to };
      const [members, breakdowns] = await Promise.all([partnerMembers(db, window), partnerBreakdowns(db, window)]);
      return filteredStatsDTO(partner, range, members, breakdowns);
    },
  });
}
