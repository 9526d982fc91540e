import { sql } from "kysely";
import type { DB } from "../../src/db/database";

/**
 * Inserts an organisation, a project and a square grid straight into the database, so suites that
 * read or change projects don't depend on the project-creation endpoint.
 */
let seq = 0;

export async function insertOrganisation(db: DB, managerIds: number[] = []) {
  const n = `${process.pid}-${Date.now()}-${++seq}`;
  const org = await db.insertInto("organisations").values({ name: `Org ${n}`, slug: `org-${n}` }).returningAll().executeTakeFirstOrThrow();
  if (managerIds.length) await db.insertInto("organisation_managers").values(managerIds.map((user_id) => ({ organisation_id: org.id, user_id }))).execute();
  return org;
}

export interface ProjectFixture {
  projectId: number;
  organisationId: number;
  taskIds: number[];
}

/**
 * A project over a `size`×`size` grid of 0.01° squares starting at (lon, lat), published unless told
 * otherwise, with name/description/instructions in English.
 */
export async function insertProject(
  db: DB,
  options: { authorId: number; organisationId?: number; size?: number; lon?: number; lat?: number; status?: "DRAFT" | "PUBLISHED" | "ARCHIVED"; name?: string; private?: boolean },
): Promise<ProjectFixture> {
  const size = options.size ?? 3;
  const lon = options.lon ?? 36.8;
  const lat = options.lat ?? -1.3;
  const step = 0.01;
  const organisationId = options.organisationId ?? (await insertOrganisation(db)).id;
  const envelope = sql`ST_Multi(ST_MakeEnvelope(${lon}, ${lat}, ${lon + size * step}, ${lat + size * step}, 4326))`;
  const project = await db
    .insertInto("projects")
    .values({
      author_id: options.authorId,
      organisation_id: organisationId,
      status: options.status ?? "PUBLISHED",
      private: options.private ?? false,
      geometry: envelope,
      centroid: sql`ST_Centroid(${envelope})`,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("project_info")
    .values({
      project_id: project.id,
      locale: "en",
      name: options.name ?? `Fixture project ${project.id}`,
      short_description: "A fixture",
      description: "Map the buildings",
      instructions: "Trace every building",
    })
    .execute();
  await sql`
    INSERT INTO tasks (project_id, id, x, y, zoom, is_square, geometry)
    SELECT ${project.id}, row_number() OVER (ORDER BY gy, gx), gx, gy, 18, true,
           ST_Multi(ST_MakeEnvelope(${lon}::float8 + gx * ${step}::float8, ${lat}::float8 + gy * ${step}::float8,
                                     ${lon}::float8 + (gx + 1) * ${step}::float8, ${lat}::float8 + (gy + 1) * ${step}::float8, 4326))
    FROM generate_series(0, ${size - 1}) gx, generate_series(0, ${size - 1}) gy
  `.execute(db);
  const taskIds = Array.from({ length: size * size }, (_, i) => i + 1);
  return { projectId: project.id, organisationId, taskIds };
}
