import type { Config } from "../../config";
import type { DB } from "../../db/database";
import { tagProjectCountries } from "../../db/queries/countries";
import {
  copyProjectSetup,
  copyTasks,
  type DissolvedArea,
  firstMisplacedTask,
  insertDraftProject,
  insertGridTasks,
  insertTasks,
  isGeometryInputError,
  projectArea,
  setDefaultChangesetComment,
  setProjectName,
  type TaskInput,
} from "../../db/queries/project-create";
import type { UserRow } from "../../db/schema";
import { badRequest, forbidden, notFound } from "../errors";
import { tileCount, tilesCovering } from "../grid";
import { managesOrganisation } from "../permissions";
import { loadProject, type ProjectRecord } from "./access";
import { checkedArea } from "./area";
import { type AreaFeatureInput, gridFeatures } from "./geojson-input";

/** What POST /api/v2/projects/ receives (DraftProjectDTO plus the server-side grid extension). */
export interface DraftProjectInput {
  projectName: string;
  organisation?: number;
  areaOfInterest?: unknown;
  tasks?: unknown;
  arbitraryTasks: boolean;
  cloneFromProjectId?: number;
  zoomLevel?: number;
  clipToAoi: boolean;
}

export type ProjectLimits = Config["projects"];

/** Beyond this many candidate tiles over the AOI's bounding box, a server grid is refused before it is built. */
const MAX_GRID_CANDIDATES = 1_000_000;

/** Where the new project's tasks come from. */
type TaskSource =
  | { kind: "features"; mode: "GRID" | "ARBITRARY"; tasks: TaskInput[]; mustCheckPlacement: boolean }
  | { kind: "grid"; zoom: number; clipToAoi: boolean }
  | { kind: "clone" };

/**
 * Creates a DRAFT project authored by `user`, with its area of interest and tasks, in one transaction:
 * a refused request leaves nothing behind. Returns the new project's id.
 */
export async function createDraftProject(db: DB, limits: ProjectLimits, user: UserRow, input: DraftProjectInput): Promise<number> {
  const source = input.cloneFromProjectId === undefined ? undefined : await loadProject(db, input.cloneFromProjectId, user, "manage");
  const organisationId = await checkOrganisation(db, user, input.organisation ?? source?.organisation_id);
  const aoiGiven = input.areaOfInterest !== undefined;
  if (!aoiGiven && !source) throw badRequest("areaOfInterest is required", "InvalidData");

  return db.transaction().execute(async (trx) => {
    let area: DissolvedArea;
    let tasks: TaskSource;
    if (aoiGiven) {
      const checked = await checkedArea(trx, input.areaOfInterest, limits);
      area = checked.area;
      tasks = taskSource(input, limits, checked.features);
    } else {
      area = (await projectArea(trx, source!.id))!;
      tasks = { kind: "clone" };
    }
    const projectId = await insertDraftProject(trx, {
      authorId: user.id,
      organisationId,
      area: area.geometry,
      taskCreationMode: tasks.kind === "features" ? tasks.mode : tasks.kind === "clone" ? source!.task_creation_mode : "GRID",
    });
    if (source) await copyProjectSetup(trx, source.id, projectId);
    await setProjectName(trx, projectId, input.projectName);
    await setDefaultChangesetComment(trx, projectId, limits.defaultChangesetComment, source?.id);
    await addTasks(trx, projectId, tasks, area, limits, source);
    await tagProjectCountries(trx, projectId);
    return projectId;
  });
}

/** The owning organisation: it must exist and the caller must manage it. */
async function checkOrganisation(db: DB, user: UserRow, organisationId: number | undefined): Promise<number> {
  if (organisationId === undefined) throw badRequest("organisation is required", "InvalidData");
  const org = await db.selectFrom("organisations").select("id").where("id", "=", organisationId).executeTakeFirst();
  if (!org) throw notFound(`Organisation ${organisationId} not found`, "NotFoundError");
  if (!(await managesOrganisation(db, user, organisationId))) {
    throw forbidden(`User ${user.username} is not permitted to create projects for organisation ${organisationId}`, "UserPermissionError");
  }
  return organisationId;
}

/** Decides, from the body alone, where the tasks come from (no database work). */
function taskSource(input: DraftProjectInput, limits: ProjectLimits, aoiFeatures: AreaFeatureInput[]): TaskSource {
  if (input.arbitraryTasks) {
    if (aoiFeatures.length > limits.maxTasks) throw badRequest(`${aoiFeatures.length} tasks is more than the limit of ${limits.maxTasks}`, "InvalidData");
    const tasks = aoiFeatures.map((f) => ({ geometry: f.geometry, x: null, y: null, zoom: null, isSquare: false, extra: f.properties }));
    return { kind: "features", mode: "ARBITRARY", tasks, mustCheckPlacement: false };
  }
  if (input.tasks !== undefined) {
    const squares = gridFeatures(input.tasks, "tasks", limits.maxTasks);
    const tasks = squares.map((s) => ({ geometry: s.geometry, x: s.x, y: s.y, zoom: s.zoom, isSquare: s.isSquare, extra: null }));
    return { kind: "features", mode: "GRID", tasks, mustCheckPlacement: true };
  }
  if (input.zoomLevel !== undefined) return { kind: "grid", zoom: input.zoomLevel, clipToAoi: input.clipToAoi };
  throw badRequest("tasks, arbitraryTasks or zoomLevel is required to make the tasks", "InvalidData");
}

async function addTasks(db: DB, projectId: number, source: TaskSource, area: DissolvedArea, limits: ProjectLimits, clone?: ProjectRecord) {
  if (source.kind === "clone") return copyTasks(db, clone!.id, projectId);
  if (source.kind === "grid") return addServerGrid(db, projectId, source, area, limits);
  try {
    await insertTasks(db, projectId, source.tasks);
  } catch (err) {
    if (isGeometryInputError(err)) throw badRequest(`tasks: a task geometry is not valid GeoJSON - ${err.message}`, "InvalidData");
    throw err;
  }
  if (!source.mustCheckPlacement) return;
  const misplaced = await firstMisplacedTask(db, projectId);
  if (misplaced?.invalidReason) throw badRequest(`tasks.features.${misplaced.id - 1}: invalid geometry - ${misplaced.invalidReason}`, "InvalidData");
  if (misplaced) throw badRequest(`tasks.features.${misplaced.id - 1} does not intersect the area of interest`, "InvalidData");
}

async function addServerGrid(db: DB, projectId: number, grid: { zoom: number; clipToAoi: boolean }, area: DissolvedArea, limits: ProjectLimits) {
  const range = tilesCovering(area.bbox, grid.zoom);
  const tooMany = () => badRequest(`A grid at zoomLevel ${grid.zoom} has more than ${limits.maxTasks} tasks; choose a lower zoomLevel`, "InvalidData");
  if (tileCount(range) > MAX_GRID_CANDIDATES) throw tooMany();
  const count = await insertGridTasks(db, projectId, range, grid.clipToAoi);
  if (count > limits.maxTasks) throw tooMany();
}
