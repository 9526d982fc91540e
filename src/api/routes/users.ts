import { z } from "zod";
import {
  anonymiseUser, countUsers, emailOwner, favoriteProjectIds, findUserById, findUserByUsername, listUsers, registerEmail,
  replaceUserInterests, userInterests, usernamesStartingWith,
} from "../../db/queries/users";
import { findLevelByName } from "../../db/queries/levels";
import type { UserRow } from "../../db/schema";
import { ApiError, badRequest, forbidden, notFound } from "../../domain/errors";
import { approveLevel } from "../../domain/levels";
import { isAdmin, requireAdmin } from "../../domain/permissions";
import { buildProjectDTO } from "../../domain/projects/dto";
import { pagination } from "../../domain/search";
import { sendVerificationEmail } from "../../domain/email-verification";
import { profileColumns, toUserDTO } from "../../domain/users";
import type { RouteTable } from "../openapi/routes";
import { SuccessDTO } from "../schemas/fields";
import {
  ExpertModeParams, ProjectFavoritesDTO, SetInterestsDTO, SetLevelParams, SetRoleParams, UpdateUserDTO, UserDTO, UserFilterDTO,
  UserFilterQuery, UserIdParams, UserInterestsDTO, UsernameParams, UserRegisterEmailDTO, UserRegisterEmailInput, USER_ROLES,
  UserSearchDTO, UserSearchQuery,
} from "../schemas/users";
import type { Services } from "../services";

const USERS_PER_PAGE = 20;
const FILTER_PAGE_SIZE = 20;

export const userNotFound = () => notFound("User not found", "UserNotFound");

/** Loads a user by username (case-insensitive) or answers 404 UserNotFound. */
export async function requireUserByName(db: Services["db"], username: string): Promise<UserRow> {
  const found = await findUserByUsername(db, username);
  if (!found) throw userNotFound();
  return found;
}

/** Loads a user by id or answers 404 UserNotFound. */
export async function requireUserById(db: Services["db"], id: number): Promise<UserRow> {
  const found = await findUserById(db, id);
  if (!found) throw userNotFound();
  return found;
}

export function userRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;

  /** Anonymises an account (official delete_user_by_id): the user themselves, or an admin. */
  async function deleteAccount(target: number, actor: UserRow) {
    if (target !== actor.id && !isAdmin(actor)) throw forbidden("Users can only delete their own account", "UserPermissionError");
    await requireUserById(db, target);
    await db.transaction().execute((trx) => anonymiseUser(trx, target));
    return { Success: "User deleted" };
  }

  routes.add({
    method: "get",
    path: "/api/v2/users/",
    tag: "users",
    summary: "Users, filtered and paginated",
    description:
      "username matches anywhere in the name; role and level take comma-separated values. " +
      "20 per page unless perPage; pagination=false lists every match.",
    auth: "required",
    query: UserSearchQuery,
    responses: { 200: { description: "Users", schema: UserSearchDTO } },
    handler: async ({ query }) => {
      const filter = { username: query.username, roles: query.role, levels: query.level };
      const perPage = query.perPage ?? query.per_page ?? USERS_PER_PAGE;
      const page = query.pagination ? { offset: (query.page - 1) * perPage, limit: perPage } : undefined;
      const [rows, total] = await Promise.all([listUsers(db, filter, page), query.pagination ? countUsers(db, filter) : Promise.resolve(0)]);
      return {
        pagination: query.pagination ? pagination(query.page, perPage, total) : null,
        users: rows.map((r) => ({ id: r.id, username: r.username, role: r.role, mappingLevel: r.mapping_level, pictureUrl: r.picture_url })),
      };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/users/",
    tag: "users",
    summary: "Delete the logged-in user's account",
    description:
      "As the official API: the account is anonymised (username becomes user_<id>; contact details, licenses, " +
      "interests and notifications are removed; an admin becomes a mapper) while task history stays.",
    auth: "required",
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: ({ user }) => deleteAccount(user!.id, user!),
  });

  routes.add({
    method: "delete",
    path: "/api/v2/users/{user_id}/",
    tag: "users",
    summary: "Delete an account (the user themselves, or an admin)",
    description: "Anonymises the account as DELETE /api/v2/users/ does.",
    auth: "required",
    params: UserIdParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: ({ params, user }) => deleteAccount(params.user_id, user!),
  });

  routes.add({
    method: "post",
    path: "/api/v2/users/actions/register/",
    tag: "users",
    summary: "Register an email address without an OpenStreetMap account",
    description: "Registering the same address again answers the same id. An address an account already uses answers 400.",
    auth: "none",
    body: UserRegisterEmailInput,
    responses: { 200: { description: "Registered", schema: UserRegisterEmailDTO } },
    handler: async ({ body }) => {
      const { account } = await emailOwner(db, body.email);
      if (account) throw badRequest(`Email address ${body.email.toLowerCase()} already exists`);
      const id = await registerEmail(db, body.email);
      return { id, email: body.email, success: true, details: "User created successfully" };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/users/me/actions/set-interests/",
    tag: "users",
    summary: "Replace the logged-in user's interests",
    description: "Answers the user's interests. An unknown interest id answers 404 and changes nothing.",
    auth: "required",
    body: SetInterestsDTO,
    responses: { 200: { description: "The user's interests", schema: UserInterestsDTO } },
    handler: async ({ body, user }) => {
      const missing = await db.transaction().execute((trx) => replaceUserInterests(trx, user!.id, body.interests));
      if (missing.length) throw notFound(`Interest ${missing.join(", ")} not found`);
      return { interests: await userInterests(db, user!.id) };
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/users/me/actions/set-user/",
    tag: "users",
    summary: "Edit the logged-in user's profile",
    description:
      "Body: UserDTO fields; `id` must be the logged-in user's (401 UnableToAuth otherwise). A new email address " +
      "is stored unverified and a verification email is sent when SMTP is configured.",
    auth: "required",
    body: UpdateUserDTO,
    responses: { 200: { description: "Saved", schema: z.object({ verificationEmailSent: z.boolean() }) } },
    handler: async ({ body, user }) => {
      if (body.id !== user!.id) throw new ApiError(401, "UnableToAuth", "Unable to authenticate");
      const { id: _id, ...update } = body;
      const { columns, emailChanged } = profileColumns(user!, update);
      if (Object.keys(columns).length) {
        await db.transaction().execute(async (trx) => {
          await trx.updateTable("users").set(columns).where("id", "=", user!.id).execute();
          // The address now belongs to an account: its account-less registration is no longer needed.
          if (emailChanged) await trx.deleteFrom("users_with_email").where("email", "=", columns.email_address as string).execute();
        });
      }
      const verificationEmailSent = emailChanged ? await sendVerificationEmail(services.config, user!.username, columns.email_address as string) : false;
      return { verificationEmailSent };
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/users/me/actions/verify-email/",
    tag: "users",
    summary: "Send the logged-in user their email verification link again",
    description: "400 when the user has no email address. Nothing is sent when SMTP is not configured.",
    auth: "required",
    responses: { 200: { description: "Sent", schema: SuccessDTO } },
    handler: async ({ user }) => {
      if (!user!.email_address) throw badRequest("User has no email address to verify");
      await sendVerificationEmail(services.config, user!.username, user!.email_address);
      return { Success: "Verification email resent" };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/queries/favorites/",
    tag: "users",
    summary: "The projects the logged-in user favorited",
    auth: "required",
    responses: { 200: { description: "Favorites", schema: ProjectFavoritesDTO } },
    handler: async ({ user, locale }) => {
      const ids = await favoriteProjectIds(db, user!.id);
      const projects = await Promise.all(ids.map((id) => buildProjectDTO(db, id, locale)));
      return { favoritedProjects: projects.filter((p) => p !== undefined) };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/queries/filter/{username}/",
    tag: "users",
    summary: "Usernames starting with the given text, for autocomplete",
    description:
      "20 per page. With projectId, users who mapped or validated in that project come first and `users` tells " +
      "who took part. No match answers 404 UserNotFound.",
    auth: "required",
    params: UsernameParams,
    query: UserFilterQuery,
    responses: { 200: { description: "Usernames", schema: UserFilterDTO } },
    handler: async ({ params, query }) => {
      const { rows, total } = await usernamesStartingWith(db, params.username, query.projectId, {
        offset: (query.page - 1) * FILTER_PAGE_SIZE,
        limit: FILTER_PAGE_SIZE,
      });
      if (rows.length === 0) throw userNotFound();
      return {
        pagination: pagination(query.page, FILTER_PAGE_SIZE, total),
        usernames: rows.map((r) => r.username),
        ...(query.projectId !== undefined && {
          users: rows.map((r) => ({ username: r.username, projectId: query.projectId!, isParticipant: r.participant })),
        }),
      };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/{user_id}/",
    tag: "users",
    summary: "A user's profile by id",
    auth: "required",
    params: UserIdParams,
    responses: { 200: { description: "User", schema: UserDTO } },
    handler: async ({ params, user }) => toUserDTO(await requireUserById(db, params.user_id), user),
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/queries/{username}/",
    tag: "users",
    summary: "A user's profile by username",
    auth: "required",
    params: UsernameParams,
    responses: { 200: { description: "User", schema: UserDTO } },
    handler: async ({ params, user }) => toUserDTO(await requireUserByName(db, params.username), user),
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/{username}/queries/interests/",
    tag: "users",
    summary: "A user's interests",
    auth: "required",
    params: UsernameParams,
    responses: { 200: { description: "Interests", schema: UserInterestsDTO } },
    handler: async ({ params }) => ({ interests: await userInterests(db, (await requireUserByName(db, params.username)).id) }),
  });

  routes.add({
    method: "patch",
    path: "/api/v2/users/{user_name}/actions/set-expert-mode/{is_expert}/",
    tag: "users",
    summary: "Turn expert mode on or off for the logged-in user",
    description: "user_name must be the logged-in user's own (403 otherwise).",
    auth: "required",
    params: ExpertModeParams,
    responses: { 200: { description: "Updated", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      const target = await requireUserByName(db, params.user_name);
      if (target.id !== user!.id) throw forbidden("Users can only set their own expert mode", "UserPermissionError");
      await db.updateTable("users").set({ is_expert: params.is_expert === "true" }).where("id", "=", user!.id).execute();
      return { Success: "Expert mode updated" };
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/users/{username}/actions/set-level/{level}/",
    tag: "users",
    summary: "Set a user's mapping level (admins only)",
    description: "level is a level's name (see /api/v2/levels/), any case. An unknown level answers 400 InvalidData.",
    auth: "required",
    params: SetLevelParams,
    responses: { 200: { description: "Level set", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      requireAdmin(user, "set mapping levels");
      const level = await findLevelByName(db, params.level);
      if (!level) throw badRequest(`Unknown mapping level ${params.level}`);
      const target = await requireUserByName(db, params.username);
      await db.updateTable("users").set({ mapping_level: level.name }).where("id", "=", target.id).execute();
      return { Success: "Level set" };
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/users/{username}/actions/set-role/{role}/",
    tag: "users",
    summary: "Set a user's role (admins only)",
    description: "role is READ_ONLY, MAPPER or ADMIN (any case); another value answers 403 UnknownAddRole, as officially.",
    auth: "required",
    params: SetRoleParams,
    responses: { 200: { description: "Role set", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      requireAdmin(user, "set user roles");
      const role = USER_ROLES.find((r) => r === params.role.toUpperCase());
      if (!role) throw forbidden(`Unknown role ${params.role}; accepted values are ${USER_ROLES.join(", ")}`, "UnknownAddRole");
      const target = await requireUserByName(db, params.username);
      await db.updateTable("users").set({ role }).where("id", "=", target.id).execute();
      return { Success: "Role Added" };
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/users/{username}/actions/approve-level",
    tag: "users",
    summary: "Approve a nominated user's next mapping level",
    description:
      "Voters are admins or users already at that level (403 otherwise, and for oneself). When the level's " +
      "approvalsRequired is reached the user is promoted. A user without a nomination answers 400 InvalidRequest.",
    auth: "required",
    params: UsernameParams,
    responses: { 200: { description: "Vote recorded", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      const target = await requireUserByName(db, params.username);
      const promoted = await db.transaction().execute((trx) => approveLevel(trx, target, user!));
      return { Success: promoted ? "Level approved: user promoted" : "Level approval recorded" };
    },
  });
}
