import type { ProjectUpdate } from "../../api/schemas/projects";
import type { DB } from "../../db/database";
import {
  missingIds,
  polygonsAreValid,
  projectInfoRows,
  replacePriorityAreas,
  replaceProjectLinks,
  usersByUsernames,
} from "../../db/queries/projects";
import { findUserByUsername } from "../../db/queries/users";
import type { ProjectsTable, UserRow } from "../../db/schema";
import { badRequest, forbidden, notFound } from "../errors";
import { sanitizeMarkdown } from "../markdown";
import { isAdmin, managesOrganisation } from "../permissions";
import type { ProjectRecord } from "./access";

/** PATCH fields stored as plain project columns, and the column each one lands in. */
const COLUMN_OF = {
  status: "status",
  projectPriority: "priority",
  defaultLocale: "default_locale",
  difficulty: "difficulty",
  mappingPermission: "mapping_permission",
  validationPermission: "validation_permission",
  mappingPermissionLevelId: "mapping_permission_level_id",
  validationPermissionLevelId: "validation_permission_level_id",
  enforceRandomTaskSelection: "enforce_random_task_selection",
  private: "private",
  changesetComment: "changeset_comment",
  osmchaFilterId: "osmcha_filter_id",
  dueDate: "due_date",
  imagery: "imagery",
  josmPreset: "josm_preset",
  idPresets: "id_presets",
  extraIdParams: "extra_id_params",
  rapidPowerUser: "rapid_power_user",
  mappingTypes: "mapping_types",
  mappingEditors: "mapping_editors",
  validationEditors: "validation_editors",
  organisation: "organisation_id",
  countryTag: "country_tag",
  licenseId: "license_id",
  taskCreationMode: "task_creation_mode",
} as const satisfies Partial<Record<keyof ProjectUpdate, keyof ProjectsTable>>;

const INFO_TEXT_FIELDS = ["name", "shortDescription", "description", "instructions", "perTaskInstructions"] as const;
const INFO_COLUMN_OF = {
  name: "name",
  shortDescription: "short_description",
  description: "description",
  instructions: "instructions",
  perTaskInstructions: "per_task_instructions",
} as const;

type InfoInput = NonNullable<ProjectUpdate["projectInfoLocales"]>[number];

const clean = (text: string | null | undefined) => (typeof text === "string" ? sanitizeMarkdown(text) : text);

/** A published project must be readable in its default locale: name, description and instructions. */
async function requireDefaultLocaleInfo(db: DB, project: ProjectRecord, input: ProjectUpdate): Promise<void> {
  const locale = input.defaultLocale ?? project.default_locale;
  const stored = (await projectInfoRows(db, [project.id])).find((r) => r.locale === locale);
  const sent = input.projectInfoLocales?.find((i) => i.locale === locale);
  for (const field of ["name", "description", "instructions"] as const) {
    const value = sent?.[field] !== undefined ? sent[field] : stored?.[INFO_COLUMN_OF[field]];
    if (!value?.trim()) {
      throw badRequest(`Project info for the default locale (${locale}) needs a ${field} before publishing`, "InfoForLocaleRequired");
    }
  }
}

/** Resolves every reference in the update, or throws a 4xx naming the field; nothing is written here. */
async function checkReferences(db: DB, project: ProjectRecord, user: UserRow, input: ProjectUpdate) {
  if ((input.status ?? project.status) === "PUBLISHED") await requireDefaultLocaleInfo(db, project, input);
  if (input.licenseId != null && (await missingIds(db, "licenses", [input.licenseId])).length) {
    throw badRequest(`licenseId: license ${input.licenseId} does not exist`, "RequireLicenseId");
  }
  if (input.organisation !== undefined && input.organisation !== project.organisation_id) {
    if ((await missingIds(db, "organisations", [input.organisation])).length) {
      throw badRequest(`organisation: organisation ${input.organisation} does not exist`);
    }
    if (!(await managesOrganisation(db, user, input.organisation))) {
      throw forbidden("organisation: the project can only move to an organisation you manage", "UserPermissionError");
    }
  }
  for (const [field, table] of [["interests", "interests"], ["campaigns", "campaigns"]] as const) {
    const ids = input[field]?.map((x) => x.id) ?? [];
    const missing = await missingIds(db, table, ids);
    if (missing.length) throw badRequest(`${field}: unknown id(s) ${missing.join(", ")}`);
  }
  let allowedUserIds: number[] | undefined;
  if (input.allowedUsernames) {
    const found = await usersByUsernames(db, input.allowedUsernames);
    const known = new Set(found.map((u) => u.username.toLowerCase()));
    const unknown = input.allowedUsernames.filter((u) => !known.has(u.toLowerCase()));
    if (unknown.length) throw badRequest(`allowedUsernames: unknown user(s) ${unknown.join(", ")}`);
    allowedUserIds = found.map((u) => u.id);
  }
  const priorityAreas = input.priorityAreas === undefined ? undefined : (input.priorityAreas ?? []).map((g) => JSON.stringify(g));
  if (priorityAreas && !(await polygonsAreValid(db, priorityAreas))) {
    throw badRequest("priorityAreas: every priority area must be a valid, closed, non-self-intersecting polygon");
  }
  return { allowedUserIds, priorityAreas };
}

/**
 * Applies a manager's PATCH: project columns, per-locale info (upserted), allowed users, priority
 * areas, custom editor, interests and campaigns. Every check runs first and the writes share one
 * transaction, so a rejected update changes nothing.
 */
export async function updateProject(db: DB, project: ProjectRecord, user: UserRow, input: ProjectUpdate): Promise<void> {
  const { allowedUserIds, priorityAreas } = await checkReferences(db, project, user, input);

  const columns: Record<string, unknown> = { last_updated: new Date() };
  for (const [field, column] of Object.entries(COLUMN_OF)) {
    const value = input[field as keyof typeof COLUMN_OF];
    if (value !== undefined) columns[column] = value;
  }

  await db.transaction().execute(async (trx) => {
    await trx.updateTable("projects").set(columns).where("id", "=", project.id).execute();
    for (const info of input.projectInfoLocales ?? []) await upsertInfo(trx, project.id, info);
    if (allowedUserIds) await replaceProjectLinks(trx, { table: "project_allowed_users", column: "user_id" }, project.id, allowedUserIds);
    if (priorityAreas) await replacePriorityAreas(trx, project.id, priorityAreas);
    if (input.interests) await replaceProjectLinks(trx, { table: "project_interests", column: "interest_id" }, project.id, input.interests.map((i) => i.id));
    if (input.campaigns) await replaceProjectLinks(trx, { table: "campaign_projects", column: "campaign_id" }, project.id, input.campaigns.map((c) => c.id));
    if (input.customEditor === null) {
      await trx.deleteFrom("project_custom_editors").where("project_id", "=", project.id).execute();
    } else if (input.customEditor) {
      const editor = { name: input.customEditor.name, description: input.customEditor.description ?? null, url: input.customEditor.url };
      await trx
        .insertInto("project_custom_editors")
        .values({ project_id: project.id, ...editor })
        .onConflict((oc) => oc.column("project_id").doUpdateSet(editor))
        .execute();
    }
  });
}

/** Inserts or updates one locale; fields the client left out keep their stored value. */
async function upsertInfo(db: DB, projectId: number, info: InfoInput): Promise<void> {
  const values: Record<string, string | null> = {};
  for (const field of INFO_TEXT_FIELDS) {
    if (info[field] !== undefined) values[INFO_COLUMN_OF[field]] = clean(info[field]) ?? null;
  }
  const insert = db.insertInto("project_info").values({ project_id: projectId, locale: info.locale, ...values });
  await (Object.keys(values).length
    ? insert.onConflict((oc) => oc.columns(["project_id", "locale"]).doUpdateSet(values))
    : insert.onConflict((oc) => oc.columns(["project_id", "locale"]).doNothing())
  ).execute();
}

/** Replaces the project's interests; every id must exist. Returns the interests now set. */
export async function setProjectInterests(db: DB, projectId: number, interestIds: number[]) {
  const missing = await missingIds(db, "interests", interestIds);
  if (missing.length) throw badRequest(`interests: unknown id(s) ${missing.join(", ")}`);
  await db.transaction().execute((trx) => replaceProjectLinks(trx, { table: "project_interests", column: "interest_id" }, projectId, interestIds));
}

/**
 * Hands the project to another user. Only admins and managers of the project's organisation may
 * do it, and the new owner must be one of those too.
 */
export async function transferProjectOwnership(db: DB, project: ProjectRecord, actor: UserRow, username: string): Promise<void> {
  if (!(await managesOrganisation(db, actor, project.organisation_id))) {
    throw forbidden("Only admins and managers of the project's organisation can transfer it", "TransferPermissionError");
  }
  const newOwner = await findUserByUsername(db, username);
  if (!newOwner) throw notFound(`User ${username} not found`, "UserNotFound");
  if (!isAdmin(newOwner) && !(await managesOrganisation(db, newOwner, project.organisation_id))) {
    throw forbidden("The new owner must be an admin or a manager of the project's organisation", "InvalidNewOwner");
  }
  await db.updateTable("projects").set({ author_id: newOwner.id, last_updated: new Date() }).where("id", "=", project.id).execute();
}
