import type { PartnerRow } from "../db/queries/partners";
import type { MemberStats, PartnerBreakdowns, PartnerTotals } from "../db/queries/partner-stats";
import { badRequest } from "./errors";

/**
 * The partner statistics pages (GroupedPartnerStatsDTO, FilteredPartnerStatsDTO). The official backend
 * asks MapSwipe for these; here they come from this Tasking Manager's own task history, so `provider`
 * says "tasking-manager" and MapSwipe-only figures (area swiped) are empty.
 */
export const STATS_PROVIDER = "tasking-manager";

/** Members who contributed within this long are "active", and the "recent" totals cover it. */
export const RECENT_DAYS = 30;
const DAY_MS = 86_400_000;
/** The filtered statistics cover at most a year, as the official API allows. */
const MAX_RANGE_DAYS = 366;

export function recentSince(now = Date.now()): Date {
  return new Date(now - RECENT_DAYS * DAY_MS);
}

function memberDTO(member: MemberStats) {
  return {
    userId: String(member.userId),
    username: member.username,
    totalMappingProjects: member.projects,
    totalcontributionTime: member.seconds,
    totalcontributions: member.contributions,
  };
}

export function groupedStatsDTO(partner: PartnerRow, members: MemberStats[], totals: PartnerTotals, now = Date.now()) {
  const since = recentSince(now);
  return {
    id: partner.id,
    provider: STATS_PROVIDER,
    idInsideProvider: String(partner.id),
    nameInsideProvider: partner.name,
    descriptionInsideProvider: null,
    membersCount: totals.contributors,
    members: members.map((m) => ({ id: String(m.userId), ...memberDTO(m), isActive: m.lastActive >= since })),
    totalContributors: totals.contributors,
    totalcontributions: totals.contributions,
    totalcontributionTime: totals.seconds,
    totalRecentContributors: totals.recentContributors,
    totalRecentcontributions: totals.recentContributions,
    totalRecentcontributionTime: totals.recentSeconds,
  };
}

const CSV_COLUMNS = ["userId", "username", "isActive", "totalMappingProjects", "totalcontributionTime", "totalcontributions"] as const;

function csvCell(value: unknown): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The members table as CSV, for downloadAsCSV=true. */
export function membersCsv(members: ReturnType<typeof groupedStatsDTO>["members"]): string {
  const lines = [CSV_COLUMNS.join(","), ...members.map((m) => CSV_COLUMNS.map((c) => csvCell(m[c])).join(","))];
  return `${lines.join("\n")}\n`;
}

/** Mapping types as the frontend labels them: BUILDINGS -> Buildings, LAND_USE -> Land use. */
function displayName(code: string): string {
  const words = code.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** fromDate (required) .. toDate (default today), inclusive days, at most a year apart. */
export function statsRange(fromDate: string | undefined, toDate: string | undefined, now = Date.now()): { from: Date; to: Date; fromDate: string; toDate: string } {
  if (!fromDate) throw badRequest("fromDate is required (YYYY-MM-DD)");
  const to = toDate ?? new Date(now).toISOString().slice(0, 10);
  const start = new Date(`${fromDate}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  if (start > end) throw badRequest("fromDate must not be after toDate");
  if ((end.getTime() - start.getTime()) / DAY_MS > MAX_RANGE_DAYS) throw badRequest(`The date range must not exceed ${MAX_RANGE_DAYS} days`);
  return { from: start, to: new Date(end.getTime() + DAY_MS), fromDate, toDate: to };
}

export function filteredStatsDTO(partner: PartnerRow, range: { fromDate: string; toDate: string }, members: MemberStats[], breakdowns: PartnerBreakdowns) {
  return {
    id: partner.id,
    provider: STATS_PROVIDER,
    idInsideProvider: String(partner.id),
    fromDate: range.fromDate,
    toDate: range.toDate,
    contributionsByUser: members.map(memberDTO),
    contributionsByGeo: breakdowns.byProjectCentroid.map((p) => ({
      geojson: { type: "Point", coordinates: [p.lon, p.lat] },
      totalcontributions: p.contributions,
    })),
    areaSwipedByProjectType: [] as { totalArea: number | null; projectType: string; projectTypeDisplay: string }[],
    contributionsByProjectType: breakdowns.byMappingType.map((t) => ({
      projectType: t.mappingType,
      projectTypeDisplay: displayName(t.mappingType),
      totalcontributions: t.contributions,
    })),
    contributionsByDate: breakdowns.byDate.map((d) => ({ taskDate: d.day, totalcontributions: d.contributions })),
    contributionsByorganizationName: breakdowns.byOrganisation.map((o) => ({ organizationName: o.organisation, totalcontributions: o.contributions })),
    contributionTimeByDate: breakdowns.byDate.map((d) => ({ date: d.day, totalcontributionTime: d.seconds })),
  };
}
