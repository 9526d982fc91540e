import { z } from "zod";
import type { DB } from "../../db/database";
import { deleteInterest, findInterest, insertInterest, listInterests, renameInterest } from "../../db/queries/interests";
import type { UserRow } from "../../db/schema";
import { forbidden, notFound } from "../../domain/errors";
import { managesAnyOrganisation } from "../../domain/permissions";
import { rejectingDuplicateName } from "../../domain/unique-names";
import type { RouteTable } from "../openapi/routes";
import { nameExistsResponse, pathId, SuccessDTO } from "../schemas/fields";
import { InterestDTO, InterestNameDTO, InterestsListDTO } from "../schemas/interests";
import type { Services } from "../services";

const InterestParams = z.object({ interest_id: pathId });
const DUPLICATE = "An interest with this name";
const interestNotFound = (id: number) => notFound(`Interest ${id} not found`);

/** Interests are curated by organisation managers and admins, as in the official API. */
async function requireCurator(db: DB, user: UserRow | undefined): Promise<void> {
  if (!(await managesAnyOrganisation(db, user))) throw forbidden("User is not an organisation manager", "UserNotPermitted");
}

async function loadInterest(db: DB, id: number) {
  const interest = await findInterest(db, id);
  if (!interest) throw interestNotFound(id);
  return interest;
}

export function interestRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;

  routes.add({
    method: "get",
    path: "/api/v2/interests/",
    tag: "interests",
    summary: "All interests, with how many projects and users chose each",
    auth: "none",
    responses: { 200: { description: "Interests, sorted by name", schema: InterestsListDTO } },
    handler: async () => ({ interests: await listInterests(db) }),
  });

  routes.add({
    method: "post",
    path: "/api/v2/interests/",
    tag: "interests",
    summary: "Create an interest (organisation managers and admins)",
    description: "A duplicate name answers 409 NameExists (the official API answers 400 with that SubCode).",
    auth: "required",
    body: InterestNameDTO,
    responses: { 200: { description: "The new interest", schema: InterestDTO }, 409: nameExistsResponse },
    handler: async ({ body, user }) => {
      await requireCurator(db, user);
      const created = await rejectingDuplicateName(DUPLICATE, () => insertInterest(db, body.name));
      return { ...created, countProjects: 0, countUsers: 0 };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/interests/{interest_id}/",
    tag: "interests",
    summary: "One interest (organisation managers and admins)",
    auth: "required",
    params: InterestParams,
    responses: { 200: { description: "Interest", schema: InterestDTO } },
    handler: async ({ params, user }) => {
      await requireCurator(db, user);
      return loadInterest(db, params.interest_id);
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/interests/{interest_id}/",
    tag: "interests",
    summary: "Rename an interest (organisation managers and admins)",
    auth: "required",
    params: InterestParams,
    body: InterestNameDTO,
    responses: { 200: { description: "The renamed interest", schema: InterestDTO }, 409: nameExistsResponse },
    handler: async ({ params, body, user }) => {
      await requireCurator(db, user);
      const renamed = await rejectingDuplicateName(DUPLICATE, () => renameInterest(db, params.interest_id, body.name));
      if (!renamed) throw interestNotFound(params.interest_id);
      return loadInterest(db, params.interest_id);
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/interests/{interest_id}/",
    tag: "interests",
    summary: "Delete an interest (organisation managers and admins)",
    description: "Projects and users that chose it simply lose it.",
    auth: "required",
    params: InterestParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      await requireCurator(db, user);
      if (!(await deleteInterest(db, params.interest_id))) throw interestNotFound(params.interest_id);
      return { Success: "Interest deleted" };
    },
  });
}
