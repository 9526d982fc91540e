import { config } from "../config";
import { createDb, type DB } from "../db/database";
import { migrateToLatest } from "../db/migrate";
import { insertLicense } from "../db/queries/licenses";
import { insertOrganisationRow } from "../db/queries/organisations";
import { ensureLocalUser } from "../db/queries/users";
import type { UserRow } from "../db/schema";
import { createDraftProject } from "../domain/projects/create";

/**
 * `npm run --silent demo` (also `npm start -- --demo`): a demo admin, the organisation "Demo Mappers",
 * a license and three published projects over real neighbourhoods. Projects are made by the same
 * domain function as POST /api/v2/projects/ (server-built grid clipped to the area), then described
 * and published. Idempotent: what exists is found by name and left in place (descriptions and status
 * are re-applied, so a half-finished earlier run is repaired).
 */

const ADMIN_USERNAME = "demo_admin";
const ORGANISATION = { name: "Demo Mappers", slug: "demo-mappers", description: "Volunteers mapping for the demo projects", url: "https://www.hotosm.org" };
const LICENSE = {
  name: "Demo imagery license",
  description: "Imagery for the demo projects",
  plain_text: "You may trace from this imagery for OpenStreetMap only. Do not copy it elsewhere.",
};

interface DemoProject {
  name: string;
  shortDescription: string;
  description: string;
  instructions: string;
  ring: [number, number][];
  zoom: number;
  mappingTypes: string[];
  priority: "URGENT" | "HIGH" | "MEDIUM" | "LOW";
  difficulty: "EASY" | "MODERATE" | "CHALLENGING";
}

const PROJECTS: DemoProject[] = [
  {
    name: "Nairobi: Kibera buildings",
    shortDescription: "Trace the buildings and footpaths of Kibera, Nairobi, for community health planning.",
    description:
      "Kibera is one of the largest informal settlements in Africa. Local health volunteers need an up-to-date map " +
      "of **buildings** and **footpaths** to plan door-to-door vaccination rounds.",
    instructions: "Trace every building outline in the task square with the building tag only. Add footpaths as `highway=footway`.",
    ring: [[36.776, -1.318], [36.798, -1.318], [36.798, -1.304], [36.776, -1.304], [36.776, -1.318]],
    zoom: 17,
    mappingTypes: ["BUILDINGS", "ROADS"],
    priority: "HIGH",
    difficulty: "MODERATE",
  },
  {
    name: "Kathmandu: Thamel roads",
    shortDescription: "Complete the street network of Thamel, Kathmandu, for earthquake response routing.",
    description:
      "Narrow lanes in Thamel are hard to route through after an earthquake. Map every **road** and **lane** so that " +
      "responders can plan access on foot and by vehicle.",
    instructions: "Map all roads and lanes; use `highway=residential` for streets and `highway=footway` for lanes too narrow for cars.",
    ring: [[85.303, 27.708], [85.318, 27.708], [85.318, 27.721], [85.303, 27.721], [85.303, 27.708]],
    zoom: 17,
    mappingTypes: ["ROADS"],
    priority: "MEDIUM",
    difficulty: "EASY",
  },
  {
    name: "Port-au-Prince: Cité Soleil waterways",
    shortDescription: "Map the drainage channels and buildings of Cité Soleil, Port-au-Prince, for flood preparedness.",
    description:
      "Cité Soleil floods in the rainy season. The municipality needs the **drainage channels** and the **buildings** " +
      "near them to prioritise cleaning and warn households.",
    instructions: "Trace drainage channels as `waterway=ditch` or `waterway=drain` and the buildings within 100 m of them.",
    ring: [[-72.346, 18.574], [-72.324, 18.574], [-72.33, 18.592], [-72.346, 18.588], [-72.346, 18.574]],
    zoom: 17,
    mappingTypes: ["WATERWAYS", "BUILDINGS"],
    priority: "URGENT",
    difficulty: "CHALLENGING",
  },
];

async function ensureOrganisation(db: DB, manager: UserRow): Promise<number> {
  const existing = await db.selectFrom("organisations").select("id").where("slug", "=", ORGANISATION.slug).executeTakeFirst();
  const id = existing?.id ?? (await insertOrganisationRow(db, ORGANISATION));
  await db
    .insertInto("organisation_managers")
    .values({ organisation_id: id, user_id: manager.id })
    .onConflict((oc) => oc.columns(["organisation_id", "user_id"]).doNothing())
    .execute();
  return id;
}

async function ensureLicense(db: DB): Promise<number> {
  const existing = await db.selectFrom("licenses").select("id").where("name", "=", LICENSE.name).executeTakeFirst();
  return existing?.id ?? insertLicense(db, LICENSE);
}

async function findDemoProject(db: DB, organisationId: number, name: string): Promise<number | undefined> {
  const row = await db
    .selectFrom("projects as p")
    .innerJoin("project_info as i", (j) => j.onRef("i.project_id", "=", "p.id").onRef("i.locale", "=", "p.default_locale"))
    .select("p.id")
    .where("p.organisation_id", "=", organisationId)
    .where("i.name", "=", name)
    .orderBy("p.id")
    .executeTakeFirst();
  return row?.id;
}

/** Creates the project if missing; returns its id and whether it was created. */
async function ensureProject(db: DB, admin: UserRow, organisationId: number, licenseId: number, demo: DemoProject) {
  let id = await findDemoProject(db, organisationId, demo.name);
  const created = id === undefined;
  id ??= await createDraftProject(db, config().projects, admin, {
    projectName: demo.name,
    organisation: organisationId,
    areaOfInterest: { type: "Polygon", coordinates: [demo.ring] },
    arbitraryTasks: false,
    zoomLevel: demo.zoom,
    clipToAoi: true,
  });
  const projectId = id;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("project_info")
      .set({ short_description: demo.shortDescription, description: demo.description, instructions: demo.instructions })
      .where("project_id", "=", projectId)
      .where("locale", "=", "en")
      .execute();
    await trx
      .updateTable("projects")
      .set({ status: "PUBLISHED", license_id: licenseId, mapping_types: demo.mappingTypes, priority: demo.priority, difficulty: demo.difficulty })
      .where("id", "=", projectId)
      .execute();
  });
  return { id: projectId, created };
}

const cfg = config();
const db = createDb(cfg.databaseUrl, { max: 2 });
try {
  await migrateToLatest(db);
  const { user: admin, created: adminCreated } = await ensureLocalUser(db, ADMIN_USERNAME, "ADMIN");
  const organisationId = await ensureOrganisation(db, admin);
  const licenseId = await ensureLicense(db);
  const lines = [`demo: admin "${admin.username}" (id ${admin.id}${adminCreated ? ", created" : ""}), organisation "${ORGANISATION.name}" (id ${organisationId}), license id ${licenseId}`];
  for (const demo of PROJECTS) {
    const { id, created } = await ensureProject(db, admin, organisationId, licenseId, demo);
    const { total_tasks } = await db.selectFrom("projects").select("total_tasks").where("id", "=", id).executeTakeFirstOrThrow();
    lines.push(`demo: project ${id} "${demo.name}" ${created ? "created" : "already there"}, ${total_tasks} tasks, PUBLISHED`);
  }
  lines.push(`demo: a token for the admin: npm run --silent tm -- user create --username ${ADMIN_USERNAME}`);
  process.stderr.write(`${lines.join("\n")}\n`);
} finally {
  await db.destroy();
}
