import { z } from "zod";
import type { Updateable } from "kysely";
import { findUserById } from "../../db/queries/users";
import { badgesOfUser, deleteBadge, findBadge, insertBadge, listBadges, updateBadge } from "../../db/queries/levels";
import type { MappingBadgesTable } from "../../db/schema";
import { notFound } from "../../domain/errors";
import { parseRequirements, toMappingBadgeDTO, toMappingBadgePublicDTO } from "../../domain/levels";
import { isAdmin, requireAdmin } from "../../domain/permissions";
import { rejectingDuplicateName } from "../../domain/unique-names";
import type { RouteTable } from "../openapi/routes";
import { MappingBadgeCreateDTO, MappingBadgeDTO, MappingBadgeListDTO, MappingBadgePublicListDTO, MappingBadgeUpdateDTO } from "../schemas/badges";
import { nameExistsResponse, pathId, SuccessDTO } from "../schemas/fields";
import type { Services } from "../services";
import { UserIdParams } from "../schemas/users";

const BadgeParams = z.object({ badge_id: pathId });
const badgeNotFound = (id: number) => notFound(`Mapping badge ${id} not found`);

/** The columns a body sets; requirements are checked to be a JSON object of numbers first. */
function badgeColumns(body: z.output<typeof MappingBadgeUpdateDTO>): Updateable<MappingBadgesTable> {
  if (body.requirements !== undefined) parseRequirements(body.requirements ?? null);
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.description !== undefined && { description: body.description }),
    ...(body.imagePath !== undefined && { image_path: body.imagePath }),
    ...(body.requirements !== undefined && { requirements: body.requirements }),
    ...(body.isEnabled !== undefined && { is_enabled: body.isEnabled }),
    ...(body.isInternal !== undefined && { is_internal: body.isInternal }),
  };
}

export function badgeRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;

  routes.add({
    method: "get",
    path: "/api/v2/badges/",
    tag: "mapping_badges",
    summary: "Mapping badges",
    description: "Admins get every badge with its requirements; everyone else the enabled, non-internal ones.",
    auth: "optional",
    responses: { 200: { description: "Badges", schema: MappingBadgeListDTO } },
    handler: async ({ user }) =>
      isAdmin(user)
        ? { badges: (await listBadges(db)).map(toMappingBadgeDTO) }
        : { badges: (await listBadges(db, { publicOnly: true })).map(toMappingBadgePublicDTO) },
  });

  routes.add({
    method: "post",
    path: "/api/v2/badges/",
    tag: "mapping_badges",
    summary: "Create a mapping badge (admins only)",
    description: "requirements is a JSON object of statistic names to values, e.g. {\"changeset\": 100}.",
    auth: "required",
    body: MappingBadgeCreateDTO,
    status: 201,
    responses: { 201: { description: "Created", schema: MappingBadgeDTO }, 409: nameExistsResponse },
    handler: async ({ body, user }) => {
      requireAdmin(user, "create mapping badges");
      const badge = await rejectingDuplicateName("A mapping badge with this name", () =>
        insertBadge(db, { name: body.name, ...badgeColumns(body) }),
      );
      return toMappingBadgeDTO(badge);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/badges/{badge_id}/",
    tag: "mapping_badges",
    summary: "One mapping badge",
    auth: "none",
    params: BadgeParams,
    responses: { 200: { description: "Badge", schema: MappingBadgeDTO } },
    handler: async ({ params }) => {
      const badge = await findBadge(db, params.badge_id);
      if (!badge) throw badgeNotFound(params.badge_id);
      return toMappingBadgeDTO(badge);
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/badges/{badge_id}/",
    tag: "mapping_badges",
    summary: "Update a mapping badge (admins only)",
    auth: "required",
    params: BadgeParams,
    body: MappingBadgeUpdateDTO,
    responses: { 200: { description: "Updated badge", schema: MappingBadgeDTO }, 409: nameExistsResponse },
    handler: async ({ params, body, user }) => {
      requireAdmin(user, "update mapping badges");
      const badge = await rejectingDuplicateName("A mapping badge with this name", () => updateBadge(db, params.badge_id, badgeColumns(body)));
      if (!badge) throw badgeNotFound(params.badge_id);
      return toMappingBadgeDTO(badge);
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/badges/{badge_id}/",
    tag: "mapping_badges",
    summary: "Delete a mapping badge (admins only)",
    description: "Users who earned it lose it, and levels stop requiring it.",
    auth: "required",
    params: BadgeParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      requireAdmin(user, "delete mapping badges");
      if (!(await deleteBadge(db, params.badge_id))) throw badgeNotFound(params.badge_id);
      return { Success: "Mapping badge deleted" };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/badges/user/{user_id}/",
    tag: "mapping_badges",
    summary: "The badges a user earned",
    auth: "none",
    params: UserIdParams,
    responses: { 200: { description: "Badges", schema: MappingBadgePublicListDTO } },
    handler: async ({ params }) => {
      if (!(await findUserById(db, params.user_id))) throw notFound("User not found", "UserNotFound");
      return { badges: (await badgesOfUser(db, params.user_id)).map(toMappingBadgePublicDTO) };
    },
  });
}
