import { sql } from "kysely";
import type { DB } from "../../db/database";
import type { TaskStatus, UserRow } from "../../db/schema";
import { ApiError } from "../errors";
import { hasAcceptedLicense } from "../licenses";
import { managesProject, projectStanding, TEAM_ROLES_ALLOWED } from "../permissions";
import type { ProjectRecord } from "../projects/access";
import { LOCKABLE_FROM, type LockMode } from "./state-machine";

/**
 * Why a user may not lock tasks, as a serialisable refusal: the same rules run in the API (to refuse
 * before any workflow starts) and inside the lock activity's transaction (where races are decided).
 */
export interface Refusal {
  status: number;
  subCode: string;
  message: string;
}

export const refusalError = (r: Refusal) => new ApiError(r.status, r.subCode, r.message);

/** Whether the user's mapping level is a beginners' level (levels are admin-editable rows, so ask the table). */
async function isBeginner(db: DB, user: UserRow): Promise<boolean> {
  const level = await db.selectFrom("mapping_levels").select("is_beginner").where("name", "=", user.mapping_level).executeTakeFirst();
  return level?.is_beginner ?? true;
}

/** The project-level rules (official is_user_permitted_to_map / _validate); the lookups run together. */
export async function projectRefusal(db: DB, project: ProjectRecord, user: UserRow, mode: LockMode): Promise<Refusal | undefined> {
  const [{ manager, maySee: allowed, teamRoles }, licensed, held] = await Promise.all([
    projectStanding(db, user, project),
    project.license_id === null ? true : hasAcceptedLicense(db, user.id, project.license_id),
    db.selectFrom("tasks").select("id").where("project_id", "=", project.id).where("locked_by", "=", user.id).executeTakeFirst(),
  ]);
  if (project.status !== "PUBLISHED" && !manager) {
    return { status: 403, subCode: "ProjectNotPublished", message: "Project is not published" };
  }
  if (!allowed) return { status: 403, subCode: "UserNotAllowed", message: "User not on allowed list" };
  if (!licensed) return { status: 409, subCode: "UserLicenseError", message: "User must accept the project's license first" };
  if (!manager) {
    const permission = mode === "MAPPING" ? project.mapping_permission : project.validation_permission;
    const refuse = (reason: string): Refusal => ({
      status: 403,
      subCode: mode === "MAPPING" ? "UserNotAllowed" : "ValidtionNotAllowed",
      message: `${mode === "MAPPING" ? "Mapping" : "Validation"} not allowed because: ${reason}`,
    });
    // LEVEL / TEAMS_LEVEL (legacy) need an experienced mapper.
    if ((permission === "LEVEL" || permission === "TEAMS_LEVEL") && (await isBeginner(db, user))) {
      return refuse("USER_NOT_CORRECT_MAPPING_LEVEL");
    }
    // TEAMS / TEAMS_LEVEL: an active member of a linked team whose role allows this mode.
    const teamAllows = teamRoles.some((role) => TEAM_ROLES_ALLOWED[mode].includes(role));
    if ((permission === "TEAMS" || permission === "TEAMS_LEVEL") && !teamAllows) return refuse("USER_NOT_TEAM_MEMBER");
  }
  if (held) return { status: 403, subCode: "UserAlreadyHasTaskLocked", message: "User already has a task locked" };
  return undefined;
}

export interface LockCandidate {
  id: number;
  task_status: TaskStatus;
  locked_by: number | null;
  mapped_by: number | null;
}

/** The task-level rules, for each task of the request. */
export async function taskRefusal(db: DB, project: ProjectRecord, user: UserRow, mode: LockMode, task: LockCandidate | undefined, taskId: number): Promise<Refusal | undefined> {
  if (!task) return { status: 404, subCode: "NotFoundError", message: `Task ${taskId} not found` };
  if (task.locked_by !== null) {
    return task.locked_by === user.id
      ? { status: 403, subCode: "UserAlreadyHasTaskLocked", message: `Task ${taskId} is already locked by this user` }
      : { status: 403, subCode: "LockedByAnotherUser", message: `Task ${taskId} is locked by another user` };
  }
  if (!LOCKABLE_FROM[mode].includes(task.task_status)) {
    return mode === "MAPPING"
      ? { status: 403, subCode: "InvalidTaskState", message: `Task ${taskId} is ${task.task_status} and cannot be locked for mapping` }
      : { status: 403, subCode: "NotReadyForValidation", message: `Task ${taskId} is not MAPPED, BADIMAGERY or INVALIDATED` };
  }
  if (mode === "VALIDATION" && task.mapped_by === user.id && !(await managesProject(db, user, project))) {
    return { status: 403, subCode: "CannotValidateMappedTask", message: "Tasks cannot be validated by the same user who marked them mapped or bad imagery" };
  }
  return undefined;
}

/** All rules for a lock request; the first refusal wins. */
export async function lockRefusal(db: DB, project: ProjectRecord, user: UserRow, mode: LockMode, taskIds: readonly number[]): Promise<Refusal | undefined> {
  const tasks = await db
    .selectFrom("tasks")
    .select(["id", "task_status", "locked_by", "mapped_by"])
    .where("project_id", "=", project.id)
    .where("id", "in", taskIds as number[])
    .execute();
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const id of taskIds) {
    const refusal = await taskRefusal(db, project, user, mode, byId.get(id), id);
    if (refusal) return refusal;
  }
  return projectRefusal(db, project, user, mode);
}

/** Locks the user's row so that two lock requests of one user are decided one after the other. */
export async function serialiseUser(trx: DB, userId: number): Promise<void> {
  await sql`SELECT 1 FROM users WHERE id = ${userId} FOR UPDATE`.execute(trx);
}
