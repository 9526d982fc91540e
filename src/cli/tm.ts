import { parseArgs } from "node:util";
import { config } from "../config";
import { createDb } from "../db/database";
import { migrateToLatest } from "../db/migrate";
import { ensureLocalUser, type Role } from "../db/queries/users";
import { issueToken } from "../domain/tokens";

/**
 * `npm run --silent tm -- user create --username alice --role ADMIN`
 * prints one JSON object: {"userId", "username", "role", "token"}. Run again for an existing
 * username, it prints a fresh token for that user (the role is left as it is).
 */
const USAGE = `usage: tm user create --username NAME [--role READ_ONLY|MAPPER|ADMIN]`;
const ROLES: Role[] = ["READ_ONLY", "MAPPER", "ADMIN"];

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

const [group, command, ...rest] = process.argv.slice(2);
if (group !== "user" || command !== "create") fail(`unknown command: ${[group, command].filter(Boolean).join(" ") || "(none)"}`);

const { values } = parseArgs({
  args: rest,
  options: { username: { type: "string" }, role: { type: "string", default: "MAPPER" } },
  strict: true,
});
const username = values.username?.trim();
if (!username || !/^[\p{L}\p{N}_.\- ]{1,255}$/u.test(username)) fail("--username is required (letters, digits, space, _ . -)");
const role = values.role!.toUpperCase() as Role;
if (!ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(", ")}`);

const cfg = config();
const db = createDb(cfg.databaseUrl, { max: 1 });
try {
  await migrateToLatest(db);
  const { user } = await ensureLocalUser(db, username, role);
  const token = issueToken(cfg.secret, user.id, cfg.sessionTokenTtlMs);
  process.stdout.write(`${JSON.stringify({ userId: user.id, username: user.username, role: user.role, token })}\n`);
} finally {
  await db.destroy();
}
