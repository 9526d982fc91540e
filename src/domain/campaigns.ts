import type { DB } from "../db/database";
import {
  type CampaignRow,
  deleteCampaignRow,
  findCampaign,
  insertCampaignRow,
  linkCampaign,
  lockCampaign,
  organisationsOfCampaign,
  PROJECT_CAMPAIGNS,
  replaceCampaignOrganisations,
  unlinkCampaign,
  updateCampaignRow,
} from "../db/queries/campaigns";
import { campaignExists } from "../db/queries/organisations";
import { missingIds, projectCampaignRows } from "../db/queries/projects";
import type { UserRow } from "../db/schema";
import { badRequest, forbidden, notFound } from "./errors";
import { managesAnyOrganisation } from "./permissions";
import { findProject, loadProject } from "./projects/access";
import { isUniqueViolation, rejectingDuplicateName } from "./unique-names";

export interface CampaignInput {
  name?: string;
  logo?: string | null;
  url?: string | null;
  description?: string | null;
  organisations?: number[];
}

const DUPLICATE = "A campaign with this name";
const campaignNotFound = (id: number) => notFound(`Campaign ${id} not found`);

/** Campaigns are created and edited by managers of any organisation and by admins, as officially. */
export async function requireCampaignCurator(db: DB, user: UserRow | undefined): Promise<void> {
  if (!(await managesAnyOrganisation(db, user))) throw forbidden("User is not a manager of any organisation", "UserNotPermitted");
}

export async function requireCampaign(db: DB, id: number): Promise<CampaignRow> {
  const campaign = await findCampaign(db, id);
  if (!campaign) throw campaignNotFound(id);
  return campaign;
}

/** 400 naming the organisation ids that do not exist. */
async function checkOrganisations(db: DB, ids: number[] | undefined): Promise<void> {
  const missing = await missingIds(db, "organisations", ids ?? []);
  if (missing.length) throw badRequest(`organisations: unknown organisation id(s) ${missing.join(", ")}`);
}

function columns(input: CampaignInput) {
  return {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.logo !== undefined && { logo: input.logo }),
    ...(input.url !== undefined && { url: input.url }),
    ...(input.description !== undefined && { description: input.description }),
  };
}

/** The new campaign's id; 409 NameExists when the name is taken. */
export async function createCampaign(db: DB, user: UserRow | undefined, input: CampaignInput & { name: string }): Promise<number> {
  await requireCampaignCurator(db, user);
  await checkOrganisations(db, input.organisations);
  return rejectingDuplicateName(DUPLICATE, () =>
    db.transaction().execute(async (tx) => {
      const id = await insertCampaignRow(tx, { ...columns(input), name: input.name });
      await replaceCampaignOrganisations(tx, id, input.organisations ?? []);
      return id;
    }),
  );
}

/**
 * Fields left out stay unchanged; `organisations` replaces the list. A taken name answers 400
 * NameExists here (not 409), as the official API documents for renames.
 */
export async function updateCampaign(db: DB, user: UserRow | undefined, id: number, input: CampaignInput): Promise<void> {
  await requireCampaignCurator(db, user);
  await checkOrganisations(db, input.organisations);
  try {
    await db.transaction().execute(async (tx) => {
      if (!(await lockCampaign(tx, id))) throw campaignNotFound(id);
      await updateCampaignRow(tx, id, columns(input));
      if (input.organisations) await replaceCampaignOrganisations(tx, id, input.organisations);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw badRequest(`${DUPLICATE} already exists`, "NameExists");
    throw error;
  }
}

export async function deleteCampaign(db: DB, user: UserRow | undefined, id: number): Promise<void> {
  await requireCampaignCurator(db, user);
  if (!(await deleteCampaignRow(db, id))) throw campaignNotFound(id);
}

/** CampaignDTO: the campaign with the organisations taking part. */
export async function campaignDTO(db: DB, id: number) {
  const [campaign, organisations] = await Promise.all([requireCampaign(db, id), organisationsOfCampaign(db, id)]);
  return { ...campaign, organisations };
}

/** A project's campaigns by name; 404 for an unknown project (public, as officially). */
export async function campaignsOfProject(db: DB, projectId: number): Promise<{ id: number; name: string }[]> {
  if (!(await findProject(db, projectId))) throw notFound(`Project ${projectId} not found`);
  return (await projectCampaignRows(db, [projectId])).map(({ id, name }) => ({ id, name }));
}

/** Project managers tag their project; 400 CampaignAlreadyAssigned when it already has the campaign. */
export async function assignCampaignToProject(db: DB, user: UserRow | undefined, projectId: number, campaignId: number): Promise<void> {
  await loadProject(db, projectId, user, "manage");
  if (!(await campaignExists(db, campaignId))) throw campaignNotFound(campaignId);
  if (!(await linkCampaign(db, PROJECT_CAMPAIGNS, projectId, campaignId))) {
    throw badRequest(`Campaign ${campaignId} is already assigned to project ${projectId}`, "CampaignAlreadyAssigned");
  }
}

/** 404 when the campaign is unknown or not assigned to the project. */
export async function removeCampaignFromProject(db: DB, user: UserRow | undefined, projectId: number, campaignId: number): Promise<void> {
  await loadProject(db, projectId, user, "manage");
  if (!(await campaignExists(db, campaignId))) throw campaignNotFound(campaignId);
  if (!(await unlinkCampaign(db, PROJECT_CAMPAIGNS, projectId, campaignId))) {
    throw notFound(`Campaign ${campaignId} is not assigned to project ${projectId}`);
  }
}
