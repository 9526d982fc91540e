import { z } from "zod";
import {
  deleteIssueCategory,
  findIssueCategory,
  insertIssueCategory,
  type IssueCategoryRow,
  listIssueCategories,
  updateIssueCategory,
} from "../../db/queries/issue-categories";
import { badRequest, notFound } from "../../domain/errors";
import { requireAdmin } from "../../domain/permissions";
import { isForeignKeyViolation, rejectingDuplicateName } from "../../domain/unique-names";
import type { RouteTable } from "../openapi/routes";
import { nameExistsResponse, pathId, queryBoolean, SuccessDTO } from "../schemas/fields";
import {
  MappingIssueCategoriesDTO,
  MappingIssueCategoryDTO,
  NewMappingIssueCategoryDTO,
  UpdateMappingIssueCategoryDTO,
} from "../schemas/issue-categories";
import type { Services } from "../services";

const CategoryParams = z.object({ category_id: pathId });
const categoryNotFound = (id: number) => notFound(`Mapping-issue category ${id} not found`);
const DUPLICATE = "A mapping-issue category with this name";

function toCategoryDTO(row: IssueCategoryRow) {
  return { categoryId: row.id, name: row.name, description: row.description, archived: row.archived };
}

/** The categories validators file mapping issues under when they validate or invalidate a task. */
export function issueCategoryRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;

  routes.add({
    method: "get",
    path: "/api/v2/tasks/issues/categories/",
    tag: "issues",
    summary: "Mapping-issue categories, without archived ones unless includeArchived=true",
    auth: "none",
    query: z.object({ includeArchived: queryBoolean.optional() }),
    responses: { 200: { description: "Categories", schema: MappingIssueCategoriesDTO } },
    handler: async ({ query }) => ({
      categories: (await listIssueCategories(db, { includeArchived: query.includeArchived ?? false })).map(toCategoryDTO),
    }),
  });

  routes.add({
    method: "post",
    path: "/api/v2/tasks/issues/categories/",
    tag: "issues",
    summary: "Create a mapping-issue category (admins only)",
    description: "A duplicate name answers 409 NameExists.",
    auth: "required",
    body: NewMappingIssueCategoryDTO,
    responses: { 200: { description: "Created", schema: z.object({ categoryId: z.number().int() }) }, 409: nameExistsResponse },
    handler: async ({ body, user }) => {
      requireAdmin(user, "create mapping-issue categories");
      const categoryId = await rejectingDuplicateName(DUPLICATE, () =>
        insertIssueCategory(db, { name: body.name, description: body.description ?? null, archived: body.archived ?? false }),
      );
      return { categoryId };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/tasks/issues/categories/{category_id}/",
    tag: "issues",
    summary: "One mapping-issue category",
    auth: "none",
    params: CategoryParams,
    responses: { 200: { description: "Category", schema: MappingIssueCategoryDTO } },
    handler: async ({ params }) => {
      const category = await findIssueCategory(db, params.category_id);
      if (!category) throw categoryNotFound(params.category_id);
      return toCategoryDTO(category);
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/tasks/issues/categories/{category_id}/",
    tag: "issues",
    summary: "Update a mapping-issue category (admins only); archive it with archived=true",
    auth: "required",
    params: CategoryParams,
    body: UpdateMappingIssueCategoryDTO,
    responses: { 200: { description: "Updated category", schema: MappingIssueCategoryDTO }, 409: nameExistsResponse },
    handler: async ({ params, body, user }) => {
      requireAdmin(user, "update mapping-issue categories");
      const updated = await rejectingDuplicateName(DUPLICATE, () => updateIssueCategory(db, params.category_id, body));
      if (!updated) throw categoryNotFound(params.category_id);
      return toCategoryDTO(updated);
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/tasks/issues/categories/{category_id}/",
    tag: "issues",
    summary: "Delete a mapping-issue category (admins only)",
    description: "A category that validations already recorded issues under is kept for their history: archive it instead (400 InvalidData).",
    auth: "required",
    params: CategoryParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      requireAdmin(user, "delete mapping-issue categories");
      // The foreign key of recorded issues, not a prior SELECT, decides, so a validation landing meanwhile is safe.
      const deleted = await deleteIssueCategory(db, params.category_id).catch((error: unknown) => {
        if (isForeignKeyViolation(error)) throw badRequest("Mapping issues were recorded under this category: archive it instead of deleting it");
        throw error;
      });
      if (!deleted) throw categoryNotFound(params.category_id);
      return { Success: "Mapping-issue category deleted" };
    },
  });
}
