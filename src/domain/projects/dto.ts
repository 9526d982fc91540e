import type { DB } from "../../db/database";
import { currentPartnerNames } from "../../db/queries/partners";
import { teamsOfProjects } from "../../db/queries/teams";
import {
  allowedUsernameRows,
  contributorCounts,
  type ProjectCoreRow,
  type ProjectInfoRow,
  priorityAreaRows,
  projectCampaignRows,
  projectCoreRows,
  projectInfoInLocale,
  projectInfoRows,
  projectInterestRows,
} from "../../db/queries/projects";

/**
 * Builds the official project DTOs (ProjectDTO, ProjectSummary, ListSearchResultDTO) from the
 * database. Every builder works on a list of ids with a fixed number of queries, run in parallel.
 */

/** Whole percentages as the official API computes them (truncated; 0 rather than dividing by 0). */
export function taskPercentages(p: Pick<ProjectCoreRow, "total_tasks" | "tasks_mapped" | "tasks_validated" | "tasks_bad_imagery">) {
  const workable = p.total_tasks - p.tasks_bad_imagery;
  const pct = (n: number, of: number) => (of > 0 ? Math.floor((n / of) * 100) : 0);
  return {
    percentMapped: pct(p.tasks_mapped + p.tasks_validated, workable),
    percentValidated: pct(p.tasks_validated, workable),
    percentBadImagery: pct(p.tasks_bad_imagery, p.total_tasks),
  };
}

export function toProjectInfoDTO(row: ProjectInfoRow | undefined, locale: string) {
  return {
    locale: row?.locale ?? locale,
    name: row?.name ?? null,
    shortDescription: row?.short_description ?? null,
    description: row?.description ?? null,
    instructions: row?.instructions ?? null,
    perTaskInstructions: row?.per_task_instructions ?? null,
  };
}

/** The info in the requested locale, else in the project's default locale (as the official API). */
function infoForLocale(rows: ProjectInfoRow[], locale: string, defaultLocale: string) {
  const exact = rows.find((r) => r.locale === locale);
  if (exact) return toProjectInfoDTO(exact, locale);
  return toProjectInfoDTO(rows.find((r) => r.locale === defaultLocale) ?? rows[0], defaultLocale);
}

/** Official ProjectTeamDTO. */
export const projectTeamDTO = (t: { teamId: number; name: string; role: string }) => ({ teamId: t.teamId, name: t.name, role: t.role });

function groupBy<T extends { project_id: number }, V>(rows: T[], pick: (row: T) => V): Map<number, V[]> {
  const map = new Map<number, V[]>();
  for (const row of rows) {
    const list = map.get(row.project_id);
    if (list) list.push(pick(row));
    else map.set(row.project_id, [pick(row)]);
  }
  return map;
}

const idName = (r: { id: number; name: string }) => ({ id: r.id, name: r.name });

function customEditor(row: ProjectCoreRow) {
  return row.custom_editor_url === null
    ? null
    : { name: row.custom_editor_name!, description: row.custom_editor_description, url: row.custom_editor_url };
}

/** Fields ProjectDTO and ProjectSummary share, under their official names. */
function commonFields(row: ProjectCoreRow) {
  return {
    projectId: row.id,
    status: row.status,
    projectPriority: row.priority,
    defaultLocale: row.default_locale,
    difficulty: row.difficulty,
    mappingPermission: row.mapping_permission,
    validationPermission: row.validation_permission,
    enforceRandomTaskSelection: row.enforce_random_task_selection,
    private: row.private,
    changesetComment: row.changeset_comment,
    osmchaFilterId: row.osmcha_filter_id,
    dueDate: row.due_date?.toISOString() ?? null,
    imagery: row.imagery,
    idPresets: row.id_presets,
    extraIdParams: row.extra_id_params,
    rapidPowerUser: row.rapid_power_user,
    mappingTypes: row.mapping_types,
    organisation: row.organisation_id,
    organisationName: row.organisation_name,
    organisationSlug: row.organisation_slug,
    organisationLogo: row.organisation_logo,
    countryTag: row.country_tag,
    licenseId: row.license_id,
    created: row.created.toISOString(),
    lastUpdated: row.last_updated.toISOString(),
    author: row.author,
    ...taskPercentages(row),
    mappingEditors: row.mapping_editors,
    validationEditors: row.validation_editors,
    customEditor: customEditor(row),
  };
}

/**
 * The full ProjectDTO. `abbreviated` leaves out the geometries (areaOfInterest, priorityAreas),
 * which are the only parts whose size grows with the project.
 */
export async function buildProjectDTO(db: DB, projectId: number, locale: string, options: { abbreviated?: boolean } = {}) {
  const ids = [projectId];
  const withGeometry = !options.abbreviated;
  const [[row], info, campaigns, interests, allowed, areas, teams] = await Promise.all([
    projectCoreRows(db, ids, { withAoi: withGeometry, withArea: false }),
    projectInfoRows(db, ids),
    projectCampaignRows(db, ids),
    projectInterestRows(db, ids),
    allowedUsernameRows(db, ids),
    withGeometry ? priorityAreaRows(db, ids) : Promise.resolve([]),
    teamsOfProjects(db, ids),
  ]);
  if (!row) return undefined;
  return {
    ...commonFields(row),
    ...(withGeometry ? { areaOfInterest: row.aoi! } : {}),
    aoiBBOX: row.bbox,
    projectInfo: infoForLocale(info, locale, row.default_locale),
    projectInfoLocales: info.map((r) => toProjectInfoDTO(r, r.locale)),
    mappingPermissionLevelId: row.mapping_permission_level_id,
    validationPermissionLevelId: row.validation_permission_level_id,
    josmPreset: row.josm_preset,
    campaigns: campaigns.map(idName),
    allowedUsernames: allowed.map((a) => a.username),
    teams: teams.map(projectTeamDTO),
    ...(withGeometry ? { priorityAreas: areas.map((a) => a.geometry) } : {}),
    activeMappers: row.active_mappers,
    taskCreationMode: row.task_creation_mode,
    interests: interests.map(idName),
  };
}

export type ProjectDTOValue = NonNullable<Awaited<ReturnType<typeof buildProjectDTO>>>;

/** Rows shared by the list builders: core rows in the order of `ids`, info in the wanted and default locales. */
async function listRows(db: DB, ids: number[], locale: string) {
  const [core, info, campaigns] = await Promise.all([
    projectCoreRows(db, ids, { withAoi: false, withArea: true }),
    projectInfoInLocale(db, ids, locale),
    projectCampaignRows(db, ids),
  ]);
  const byId = new Map(core.map((r) => [r.id, r]));
  const ordered = ids.map((id) => byId.get(id)).filter((r): r is ProjectCoreRow => r !== undefined);
  return { rows: ordered, info: groupBy(info, (r) => r), campaigns: groupBy(campaigns, idName) };
}

/** ProjectSummary for each id, in the order given (unknown ids are skipped). */
export async function buildProjectSummaries(db: DB, ids: number[], locale: string) {
  const [{ rows, info, campaigns }, allowed, teams] = await Promise.all([
    listRows(db, ids, locale),
    allowedUsernameRows(db, ids),
    teamsOfProjects(db, ids),
  ]);
  const allowedBy = groupBy(allowed, (a) => a.username);
  const teamsBy = groupBy(teams, projectTeamDTO);
  return rows.map((row) => {
    const projectInfo = infoForLocale(info.get(row.id) ?? [], locale, row.default_locale);
    return {
      ...commonFields(row),
      campaigns: campaigns.get(row.id) ?? [],
      aoiCentroid: row.centroid,
      allowedUsernames: allowedBy.get(row.id) ?? [],
      teams: teamsBy.get(row.id) ?? [],
      projectInfo,
      shortDescription: projectInfo.shortDescription,
    };
  });
}

export type ProjectSummaryValue = Awaited<ReturnType<typeof buildProjectSummaries>>[number];

/** ListSearchResultDTO for each id, in the order given: the cards of project lists. */
export async function buildSearchResults(db: DB, ids: number[], locale: string) {
  const [{ rows, info, campaigns }, contributors, partnerNames] = await Promise.all([
    listRows(db, ids, locale),
    contributorCounts(db, ids),
    currentPartnerNames(db, ids),
  ]);
  return rows.map((row) => {
    const projectInfo = infoForLocale(info.get(row.id) ?? [], locale, row.default_locale);
    const { percentMapped, percentValidated } = taskPercentages(row);
    return {
      projectId: row.id,
      locale: projectInfo.locale,
      name: projectInfo.name,
      shortDescription: projectInfo.shortDescription,
      difficulty: row.difficulty,
      priority: row.priority,
      organisationName: row.organisation_name,
      organisationLogo: row.organisation_logo,
      campaigns: campaigns.get(row.id) ?? [],
      percentMapped,
      percentValidated,
      status: row.status,
      activeMappers: row.active_mappers,
      lastUpdated: row.last_updated.toISOString(),
      dueDate: row.due_date?.toISOString() ?? null,
      totalContributors: contributors.get(row.id) ?? 0,
      country: row.country_tag,
      creationDate: row.created.toISOString(),
      author: row.author,
      partnerNames: partnerNames.get(row.id) ?? [],
      totalAreaSquareKilometers: Math.round((row.area_km2 ?? 0) * 1000) / 1000,
    };
  });
}

/** Names of several projects in one locale (with default-locale fallback), for lists and maps. */
export async function projectNames(db: DB, ids: number[], locale: string): Promise<Map<number, string | null>> {
  const byProject = groupBy(await projectInfoInLocale(db, ids, locale), (r) => r);
  return new Map(
    ids.map((id) => {
      const rows = byProject.get(id) ?? [];
      return [id, (rows.find((r) => r.locale === locale) ?? rows[0])?.name ?? null];
    }),
  );
}
