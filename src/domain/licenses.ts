import type { DB } from "../db/database";
import { hasUserAcceptedLicense, type LicenseRow } from "../db/queries/licenses";

/**
 * Whether a user has accepted a project's license: task locking refuses USER_NOT_ACCEPTED_LICENSE
 * (UserLicenseError) until they have.
 */
export function hasAcceptedLicense(db: DB, userId: number, licenseId: number): Promise<boolean> {
  return hasUserAcceptedLicense(db, userId, licenseId);
}

export function toLicenseDTO(row: LicenseRow) {
  return { licenseId: row.id, name: row.name, description: row.description, plainText: row.plain_text };
}

/** The columns a create/update body sets; fields left out stay untouched. */
export function licenseColumns(body: { name?: string; description?: string | null; plainText?: string | null }) {
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.description !== undefined && { description: body.description }),
    ...(body.plainText !== undefined && { plain_text: body.plainText }),
  };
}
