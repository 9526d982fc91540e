import { z } from "zod";
import type { DB } from "../../db/database";
import {
  clearBeginnerExcept, countUsersAtLevel, deleteLevel, existingBadgeIds, findLevel, insertLevel, listLevels, type LevelColumns,
  setLevelBadges, updateLevel,
} from "../../db/queries/levels";
import { conflict, notFound } from "../../domain/errors";
import { toMappingLevelDTO } from "../../domain/levels";
import { requireAdmin } from "../../domain/permissions";
import { rejectingDuplicateName } from "../../domain/unique-names";
import type { RouteTable } from "../openapi/routes";
import { nameExistsResponse, pathId, SuccessDTO } from "../schemas/fields";
import { MappingLevelCreateDTO, MappingLevelDTO, MappingLevelListDTO, MappingLevelUpdateDTO } from "../schemas/levels";
import type { Services } from "../services";

const LevelParams = z.object({ level_id: pathId });
const levelNotFound = (id: number) => notFound(`Mapping level ${id} not found`);

type LevelBody = z.output<typeof MappingLevelUpdateDTO>;

function levelColumns(body: LevelBody): LevelColumns {
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.imagePath !== undefined && { image_path: body.imagePath }),
    ...(body.approvalsRequired !== undefined && { approvals_required: body.approvalsRequired }),
    ...(body.color !== undefined && { color: body.color }),
    ...(body.isBeginner !== undefined && { is_beginner: body.isBeginner }),
  };
}

/** Writes a level's badges and beginner flag; unknown badge ids answer 404 and the transaction rolls back. */
async function saveLevelExtras(trx: DB, levelId: number, body: LevelBody): Promise<void> {
  if (body.isBeginner) await clearBeginnerExcept(trx, levelId);
  if (body.requiredBadges === undefined) return;
  const ids = body.requiredBadges.map((b) => b.id);
  const known = await existingBadgeIds(trx, ids);
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length) throw notFound(`Mapping badge ${missing.join(", ")} not found`);
  await setLevelBadges(trx, levelId, ids);
}

export function levelRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;
  const levelDTO = async (id: number) => {
    const level = await findLevel(db, id);
    if (!level) throw levelNotFound(id);
    return toMappingLevelDTO(level);
  };

  routes.add({
    method: "get",
    path: "/api/v2/levels/",
    tag: "mapping_levels",
    summary: "All mapping levels, lowest first",
    auth: "none",
    responses: { 200: { description: "Levels", schema: MappingLevelListDTO } },
    handler: async () => ({ levels: (await listLevels(db)).map(toMappingLevelDTO) }),
  });

  routes.add({
    method: "post",
    path: "/api/v2/levels/",
    tag: "mapping_levels",
    summary: "Create a mapping level (admins only)",
    description: "The new level ranks above every existing one. Unknown requiredBadges answer 404; a taken name 409 NameExists.",
    auth: "required",
    body: MappingLevelCreateDTO,
    status: 201,
    responses: { 201: { description: "Created", schema: MappingLevelDTO }, 409: nameExistsResponse },
    handler: async ({ body, user }) => {
      requireAdmin(user, "create mapping levels");
      const id = await rejectingDuplicateName("A mapping level with this name", () =>
        db.transaction().execute(async (trx) => {
          const levelId = await insertLevel(trx, { name: body.name, ...levelColumns(body) });
          await saveLevelExtras(trx, levelId, body);
          return levelId;
        }),
      );
      return levelDTO(id);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/levels/{level_id}/",
    tag: "mapping_levels",
    summary: "One mapping level",
    auth: "none",
    params: LevelParams,
    responses: { 200: { description: "Level", schema: MappingLevelDTO } },
    handler: ({ params }) => levelDTO(params.level_id),
  });

  routes.add({
    method: "patch",
    path: "/api/v2/levels/{level_id}/",
    tag: "mapping_levels",
    summary: "Update a mapping level (admins only)",
    description: "Renaming a level renames it on every user who holds it. requiredBadges, when given, replaces the list.",
    auth: "required",
    params: LevelParams,
    body: MappingLevelUpdateDTO,
    responses: { 200: { description: "Updated level", schema: MappingLevelDTO }, 409: nameExistsResponse },
    handler: async ({ params, body, user }) => {
      requireAdmin(user, "update mapping levels");
      if (body.isBeginner === false && (await findLevel(db, params.level_id))?.is_beginner) {
        throw conflict("There must be a beginners' level: mark another level as the beginners' one instead", "InvalidRequest");
      }
      await rejectingDuplicateName("A mapping level with this name", () =>
        db.transaction().execute(async (trx) => {
          if (!(await updateLevel(trx, params.level_id, levelColumns(body)))) throw levelNotFound(params.level_id);
          await saveLevelExtras(trx, params.level_id, body);
        }),
      );
      return levelDTO(params.level_id);
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/levels/{level_id}/",
    tag: "mapping_levels",
    summary: "Delete a mapping level (admins only)",
    description: "A level users still hold, or the beginners' level, cannot be deleted (409 InvalidRequest).",
    auth: "required",
    params: LevelParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      requireAdmin(user, "delete mapping levels");
      const level = await findLevel(db, params.level_id);
      if (!level) throw levelNotFound(params.level_id);
      if (level.is_beginner) throw conflict("The beginners' level cannot be deleted", "InvalidRequest");
      const holders = await countUsersAtLevel(db, level.name);
      if (holders > 0) throw conflict(`${holders} users hold this level; move them to another level first`, "InvalidRequest");
      try {
        if (!(await deleteLevel(db, params.level_id))) throw levelNotFound(params.level_id);
      } catch (error) {
        // A user reached the level between the count and the delete: the foreign key refuses.
        if ((error as { code?: string }).code === "23503") throw conflict("Users hold this level", "InvalidRequest");
        throw error;
      }
      return { Success: "Mapping level deleted" };
    },
  });
}
