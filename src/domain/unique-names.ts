import { conflict } from "./errors";

/** PostgreSQL's unique_violation, raised by a UNIQUE constraint. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23505";
}

/** PostgreSQL's foreign_key_violation: a row still references the one being deleted (or a parent is missing). */
export function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23503";
}

/**
 * Runs a write guarded by a unique name constraint and answers 409 NameExists when it fires. The
 * constraint, not a prior SELECT, decides, so two concurrent creates of one name cannot both succeed.
 */
export async function rejectingDuplicateName<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`${what} already exists`, "NameExists");
    throw error;
  }
}
