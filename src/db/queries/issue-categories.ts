import type { Insertable, Selectable, Updateable } from "kysely";
import type { DB } from "../database";
import type { MappingIssueCategoriesTable } from "../schema";

export type IssueCategoryRow = Selectable<MappingIssueCategoriesTable>;

export function listIssueCategories(db: DB, options: { includeArchived: boolean }): Promise<IssueCategoryRow[]> {
  let query = db.selectFrom("mapping_issue_categories").selectAll().orderBy("name");
  if (!options.includeArchived) query = query.where("archived", "=", false);
  return query.execute();
}

export function findIssueCategory(db: DB, id: number): Promise<IssueCategoryRow | undefined> {
  return db.selectFrom("mapping_issue_categories").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function insertIssueCategory(db: DB, values: Insertable<MappingIssueCategoriesTable>): Promise<number> {
  const row = await db.insertInto("mapping_issue_categories").values(values).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

export function updateIssueCategory(db: DB, id: number, values: Updateable<MappingIssueCategoriesTable>): Promise<IssueCategoryRow | undefined> {
  return db.updateTable("mapping_issue_categories").set(values).where("id", "=", id).returningAll().executeTakeFirst();
}

export async function deleteIssueCategory(db: DB, id: number): Promise<boolean> {
  const result = await db.deleteFrom("mapping_issue_categories").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
