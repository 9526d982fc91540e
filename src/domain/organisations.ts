import type { DB } from "../db/database";
import {
  campaignsOf,
  deleteOrganisationRow,
  findOrganisation,
  insertOrganisationRow,
  listOrganisations,
  lockOrganisationAndCountProjects,
  managersOf,
  type OrganisationManager,
  organisationStats,
  projectNamesOf,
  replaceManagers,
  updateOrganisationRow,
  usersByUsername,
} from "../db/queries/organisations";
import type { OrganisationRow, UserRow } from "../db/schema";
import { badRequest, forbidden, notFound } from "./errors";
import { isAdmin, managesOrganisation } from "./permissions";
import { organisationTeamsDTO } from "./teams";
import { rejectingDuplicateName } from "./unique-names";

export interface OrganisationInput {
  name?: string;
  slug?: string;
  logo?: string | null;
  description?: string | null;
  url?: string | null;
  type?: OrganisationRow["type"];
  subscriptionTier?: number | null;
  managers?: string[];
}

const DUPLICATE = "An organisation with this name or slug";

/**
 * URL slug of a name, as the official API derives it: accents folded, lowercase, runs of anything
 * else collapsed to "-". An all-digit slug would read as an id in `/organisations/{id or slug}/`
 * (and `/partners/{id or permalink}/`), so it is prefixed.
 */
export function slugify(name: string, digitsPrefix = "org"): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!slug) throw badRequest("name: needs at least one letter or digit to derive a slug from");
  return /^\d+$/.test(slug) ? `${digitsPrefix}-${slug}` : slug;
}

/** The organisation addressed by a path's id or slug, or 404. */
export async function requireOrganisation(db: DB, idOrSlug: number | string): Promise<OrganisationRow> {
  const org = await findOrganisation(db, idOrSlug);
  if (!org) throw notFound(`Organisation ${idOrSlug} not found`);
  return org;
}

/**
 * 404 for an unknown organisation, then 403 unless the user manages it (or is an admin); the
 * official API answers UserNotOrgAdmin for edits and UserNotPermitted for campaign links.
 */
export async function requireManagedOrganisation(
  db: DB,
  user: UserRow | undefined,
  organisationId: number,
  subCode: "UserNotOrgAdmin" | "UserNotPermitted" = "UserNotOrgAdmin",
): Promise<OrganisationRow> {
  const org = await requireOrganisation(db, organisationId);
  if (!(await managesOrganisation(db, user, org.id))) throw forbidden("User is not a manager of this organisation", subCode);
  return org;
}

/** User ids of manager usernames; 400 UserNotFound naming any that does not exist. */
async function resolveManagers(db: DB, usernames: string[]): Promise<number[]> {
  const found = await usersByUsername(db, usernames);
  const known = new Set(found.map((u) => u.username.toLowerCase()));
  const missing = usernames.filter((u) => !known.has(u.toLowerCase()));
  if (missing.length) throw badRequest(`managers: unknown user(s) ${missing.join(", ")}`, "UserNotFound");
  return [...new Set(found.map((u) => u.id))];
}

function columns(input: OrganisationInput) {
  return {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.slug !== undefined && { slug: input.slug }),
    ...(input.logo !== undefined && { logo: input.logo }),
    ...(input.description !== undefined && { description: input.description }),
    ...(input.url !== undefined && { url: input.url }),
    ...(input.type !== undefined && { type: input.type }),
    ...(input.subscriptionTier !== undefined && { subscription_tier: input.subscriptionTier }),
  };
}

/** Admins create organisations; the creator becomes one of its managers, as in the official API. */
export async function createOrganisation(db: DB, creator: UserRow, input: OrganisationInput & { name: string; managers: string[] }): Promise<number> {
  const managerIds = await resolveManagers(db, input.managers);
  if (!managerIds.includes(creator.id)) managerIds.push(creator.id);
  return rejectingDuplicateName(DUPLICATE, () =>
    db.transaction().execute(async (tx) => {
      const id = await insertOrganisationRow(tx, { ...columns(input), name: input.name, slug: input.slug ?? slugify(input.name) });
      await replaceManagers(tx, id, managerIds);
      return id;
    }),
  );
}

/**
 * Managers and admins edit; only admins change the type and subscription tier (for others those
 * fields are ignored, as in the official API). `managers`, when given, replaces the manager list.
 */
export async function updateOrganisation(db: DB, user: UserRow, organisationId: number, input: OrganisationInput): Promise<void> {
  await requireManagedOrganisation(db, user, organisationId);
  const { type, subscriptionTier, ...rest } = input;
  const changes = isAdmin(user) ? input : rest;
  const managerIds = input.managers ? await resolveManagers(db, input.managers) : undefined;
  await rejectingDuplicateName(DUPLICATE, () =>
    db.transaction().execute(async (tx) => {
      await updateOrganisationRow(tx, organisationId, columns(changes));
      if (managerIds) await replaceManagers(tx, organisationId, managerIds);
    }),
  );
}

/** Refused with 403 OrgHasProjects while any project belongs to it. */
export async function deleteOrganisation(db: DB, user: UserRow, organisationId: number): Promise<void> {
  await requireManagedOrganisation(db, user, organisationId);
  await db.transaction().execute(async (tx) => {
    if ((await lockOrganisationAndCountProjects(tx, organisationId)) > 0) {
      throw forbidden("Organisation has projects; delete or move them first", "OrgHasProjects");
    }
    await deleteOrganisationRow(tx, organisationId);
  });
}

function baseDTO(org: OrganisationRow) {
  return {
    organisationId: org.id,
    name: org.name,
    slug: org.slug,
    logo: org.logo,
    description: org.description,
    url: org.url,
    type: org.type,
    subscriptionTier: org.subscription_tier,
  };
}

const managerDTO = (m: OrganisationManager) => ({ username: m.username, pictureUrl: m.pictureUrl });

/** One organisation, as GET /organisations/{id or slug}/ answers it. */
export async function organisationDTO(db: DB, org: OrganisationRow, user: UserRow | undefined, options: { omitManagers: boolean }) {
  const [managers, projects, campaigns, isManager, teams] = await Promise.all([
    options.omitManagers ? undefined : managersOf(db, [org.id]),
    projectNamesOf(db, org.id),
    campaignsOf(db, org.id),
    managesOrganisation(db, user, org.id),
    organisationTeamsDTO(db, org.id, user),
  ]);
  return {
    ...baseDTO(org),
    ...(managers && { managers: managers.map(managerDTO) }),
    isManager,
    projects,
    teams,
    // [id, name] pairs, typed List[List[str]] in the official DTO.
    campaigns: campaigns.map((c) => [String(c.id), c.name]),
  };
}

/**
 * The organisation list. Managers are shown only to logged-in callers (as officially), and only
 * logged-in callers may filter by manager (403 LoginToFilterManager otherwise).
 */
export async function listOrganisationDTOs(
  db: DB,
  user: UserRow | undefined,
  options: { managerUserId?: number; omitManagers: boolean; omitStats: boolean },
) {
  if (options.managerUserId !== undefined && !user) {
    throw forbidden("Log in to filter organisations by manager", "LoginToFilterManager");
  }
  const orgs = await listOrganisations(db, { managerUserId: options.managerUserId });
  const ids = orgs.map((o) => o.id);
  const withManagers = user !== undefined && !options.omitManagers;
  const [managers, stats] = await Promise.all([
    withManagers ? managersOf(db, ids) : [],
    options.omitStats ? undefined : organisationStats(db, ids),
  ]);
  const managersByOrg = new Map<number, OrganisationManager[]>();
  for (const m of managers) managersByOrg.set(m.organisationId, [...(managersByOrg.get(m.organisationId) ?? []), m]);
  return orgs.map((org) => ({
    ...baseDTO(org),
    ...(withManagers && { managers: (managersByOrg.get(org.id) ?? []).map(managerDTO) }),
    ...(stats && { stats: stats.get(org.id) }),
  }));
}
