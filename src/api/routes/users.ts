import { z } from "zod";
import { findUserById, findUserByUsername } from "../../db/queries/users";
import { notFound } from "../../domain/errors";
import { toUserDTO } from "../../domain/users";
import type { RouteTable } from "../openapi/routes";
import { UserDTO } from "../schemas/users";
import type { Services } from "../services";

export function userRoutes(routes: RouteTable, services: Services): void {
  routes.add({
    method: "get",
    path: "/api/v2/users/{user_id}/",
    tag: "users",
    summary: "A user's profile by id",
    auth: "required",
    params: z.object({ user_id: z.coerce.number().int().positive() }),
    responses: { 200: { description: "User", schema: UserDTO } },
    handler: async ({ params, user }) => {
      const found = await findUserById(services.db, params.user_id);
      if (!found) throw notFound("User not found", "UserNotFound");
      return toUserDTO(found, user);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/users/queries/{username}/",
    tag: "users",
    summary: "A user's profile by username",
    auth: "required",
    params: z.object({ username: z.string().min(1) }),
    responses: { 200: { description: "User", schema: UserDTO } },
    handler: async ({ params, user }) => {
      const found = await findUserByUsername(services.db, params.username);
      if (!found) throw notFound("User not found", "UserNotFound");
      return toUserDTO(found, user);
    },
  });
}
