import { type Expression, type ExpressionBuilder, type RawBuilder, sql } from "kysely";
import type { DB } from "../database";
import type { Database } from "../schema";
import {
  broadcastBody, broadcastType, commentSubjects, lockNotice, mentionedUsernames, type MessageSort, type MessageTarget, type MessageType, validationBody, validationSubject,
} from "../../domain/messages";

/**
 * The notifications inbox. Writes that a workflow or activity may repeat carry an idempotency key
 * (`messages.idempotency_key` is UNIQUE, inserts do nothing on conflict), so a retry never sends twice.
 */

/** The project's name in its default locale, for subjects and the projectTitle field. */
const projectName = (projectId: Expression<number | null>) =>
  sql<string | null>`(SELECT pi.name FROM projects p JOIN project_info pi ON pi.project_id = p.id AND pi.locale = p.default_locale WHERE p.id = ${projectId})`;

export interface MessageFilter {
  types?: MessageType[];
  fromUsername?: string;
  projectId?: number;
  taskId?: number;
  read?: boolean;
}

const withSender = (db: DB) => db.selectFrom("messages as m").leftJoin("users as u", "u.id", "m.from_user_id");

/** The MessageDTO's columns: the message, its sender's name and picture, the project's title. */
const MESSAGE_COLUMNS = [
  "m.id", "m.subject", "m.message", "m.from_user_id", "m.to_user_id", "m.project_id", "m.task_id", "m.message_type", "m.date", "m.read",
  "u.username as from_username", "u.picture_url as from_picture_url",
] as const;
const projectTitle = projectName(sql.ref("m.project_id")).as("project_title");

function userMessages(db: DB, userId: number, filter: MessageFilter) {
  return withSender(db)
    .where("m.to_user_id", "=", userId)
    .$if(!!filter.types?.length, (qb) => qb.where("m.message_type", "in", filter.types!))
    // Official: the sender's username matches as a case-insensitive prefix.
    .$if(filter.fromUsername !== undefined, (qb) => qb.where("u.username", "ilike", `${escapeLike(filter.fromUsername!)}%`))
    .$if(filter.projectId !== undefined, (qb) => qb.where("m.project_id", "=", filter.projectId!))
    .$if(filter.taskId !== undefined, (qb) => qb.where("m.task_id", "=", filter.taskId!))
    .$if(filter.read !== undefined, (qb) => qb.where("m.read", "=", filter.read!));
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listMessages(
  db: DB,
  userId: number,
  filter: MessageFilter,
  order: { sortBy: MessageSort; direction: "asc" | "desc" },
  page: { page: number; pageSize: number },
) {
  const [rows, total] = await Promise.all([
    userMessages(db, userId, filter)
      .select(MESSAGE_COLUMNS)
      .select(projectTitle)
      .orderBy(`m.${order.sortBy}`, order.direction)
      .orderBy("m.id", order.direction)
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize)
      .execute(),
    userMessages(db, userId, filter).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export type MessageRow = Awaited<ReturnType<typeof listMessages>>["rows"][number];

export function findMessage(db: DB, messageId: number) {
  return withSender(db).select(MESSAGE_COLUMNS).select(projectTitle).where("m.id", "=", messageId)
    .executeTakeFirst();
}

/** Selects the caller's messages: all of them, those of some types, or those with the given ids. */
export type MessageSelection = { ids: number[] } | { types?: MessageType[] };

function selected(eb: ExpressionBuilder<Database, "messages">, selection: MessageSelection) {
  if ("ids" in selection) return selection.ids.length ? eb("id", "in", selection.ids) : eb.lit(false);
  return selection.types?.length ? eb("message_type", "in", selection.types) : eb.lit(true);
}

export async function markRead(db: DB, userId: number, selection: MessageSelection): Promise<number> {
  const result = await db
    .updateTable("messages")
    .set({ read: true })
    .where("to_user_id", "=", userId)
    .where("read", "=", false)
    .where((eb) => selected(eb, selection))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function deleteMessages(db: DB, userId: number, selection: MessageSelection): Promise<number> {
  const result = await db.deleteFrom("messages").where("to_user_id", "=", userId).where((eb) => selected(eb, selection)).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Unread messages, and how many of them arrived after the user last checked (post-unread). A user
 * who never checked counts from 30 days back, as the official API does.
 */
export async function unreadCounts(db: DB, userId: number): Promise<{ unread: number; sinceCheck: number }> {
  const row = await db
    .selectFrom("messages as m")
    .select((eb) => [
      eb.fn.countAll<number>().as("unread"),
      sql<number>`count(*) FILTER (WHERE m.date > coalesce((SELECT n.date FROM notifications n WHERE n.user_id = ${userId}), now() - interval '30 days'))`.as("since_check"),
    ])
    .where("m.to_user_id", "=", userId)
    .where("m.read", "=", false)
    .executeTakeFirstOrThrow();
  return { unread: Number(row.unread), sinceCheck: Number(row.since_check) };
}

export async function recordNotificationsCheck(db: DB, userId: number): Promise<void> {
  await db
    .insertInto("notifications")
    .values({ user_id: userId, date: sql<Date>`now()` })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ date: sql<Date>`now()` }))
    .execute();
}

/**
 * Tells the mapper that a validator validated or invalidated their task, inside the caller's
 * transaction, when the mapper wants such notes (task_validation_notification /
 * task_invalidation_notification) and is not the validator.
 */
export async function notifyTaskValidation(
  trx: DB,
  input: { projectId: number; taskId: number; status: "VALIDATED" | "INVALIDATED"; mapperId: number | null; validatorId: number; comment?: string; key: string },
): Promise<void> {
  if (input.mapperId === null || input.mapperId === input.validatorId) return;
  const preference = input.status === "VALIDATED" ? "task_validation_notification" : "task_invalidation_notification";
  const context = await trx
    .selectFrom("users as mapper")
    .innerJoin("users as validator", (j) => j.on("validator.id", "=", input.validatorId))
    .select(["mapper.id", "validator.username as validator", projectName(sql.lit(input.projectId)).as("project_name")])
    .where("mapper.id", "=", input.mapperId)
    .where(`mapper.${preference}`, "=", true)
    .executeTakeFirst();
  if (!context) return;
  await insertMessage(trx, {
    to_user_id: input.mapperId,
    from_user_id: input.validatorId,
    project_id: input.projectId,
    task_id: input.taskId,
    message_type: input.status === "VALIDATED" ? "VALIDATION_NOTIFICATION" : "INVALIDATION_NOTIFICATION",
    subject: validationSubject(input.status, input.taskId, context.project_name ?? "", input.projectId),
    message: validationBody(input.status, input.taskId, context.validator, input.comment),
    idempotency_key: input.key,
  });
}

/** A lock workflow's notice to its holder (expiry warning, automatic release). */
export async function notifyLockHolder(
  db: DB,
  input: { kind: "LOCK_EXPIRY_WARNING" | "LOCK_AUTO_RELEASED"; userId: number; projectId: number; taskIds: number[]; mode: string; expiresAt: string; key: string },
): Promise<void> {
  const project = await db.selectNoFrom(projectName(sql.lit(input.projectId)).as("name")).executeTakeFirst();
  const notice = lockNotice(input.kind, { ...input, projectName: project?.name ?? "" });
  await insertMessage(db, {
    to_user_id: input.userId,
    project_id: input.projectId,
    task_id: input.taskIds.length === 1 ? input.taskIds[0]! : null,
    message_type: input.kind,
    ...notice,
    idempotency_key: input.key,
  });
}

/**
 * The notes a comment sends, inside the caller's transaction: MENTION_NOTIFICATION to each user it
 * mentions who wants mentions; then, with `followers`, to those not already mentioned,
 * TASK_COMMENT_NOTIFICATION (a task comment: everyone else in the task's history who wants task
 * comments) or PROJECT_CHAT_NOTIFICATION (a chat message: the project's author and organisation
 * managers who want questions and comments). The author never notifies themself.
 */
export async function notifyComment(
  trx: DB,
  input: { projectId: number; taskId?: number; authorId: number; text: string; followers: boolean },
): Promise<void> {
  const mentioned = mentionedUsernames(input.text).map((m) => m.toLowerCase());
  if (!mentioned.length && !input.followers) return;
  const context = await trx
    .selectFrom("users")
    .select(["username", projectName(sql.lit(input.projectId)).as("project_name")])
    .where("id", "=", input.authorId)
    .executeTakeFirstOrThrow();
  const subjects = commentSubjects(context.username, { projectId: input.projectId, projectName: context.project_name ?? "", taskId: input.taskId });
  const taskId = input.taskId ?? null;
  const insertFor = (type: MessageType, subject: string, recipients: RawBuilder<unknown>) => sql`
    INSERT INTO messages (message, subject, from_user_id, to_user_id, project_id, task_id, message_type)
    SELECT ${input.text}, ${subject}, ${input.authorId}, u.id, ${input.projectId}::int, ${taskId}::int, ${type}
    FROM users u WHERE u.id <> ${input.authorId} AND ${recipients}
  `.execute(trx);
  if (mentioned.length) {
    await insertFor("MENTION_NOTIFICATION", subjects.mention, sql`u.mentions_notifications AND lower(u.username) = ANY(${mentioned}::text[])`);
  }
  if (!input.followers) return;
  const notMentioned = sql`NOT (lower(u.username) = ANY(${mentioned}::text[]))`;
  if (taskId !== null) {
    await insertFor("TASK_COMMENT_NOTIFICATION", subjects.follower, sql`u.task_comments_notifications AND ${notMentioned} AND u.id IN (
      SELECT user_id FROM task_history WHERE project_id = ${input.projectId} AND task_id = ${taskId})`);
  } else {
    await insertFor("PROJECT_CHAT_NOTIFICATION", subjects.follower, sql`u.questions_and_comments_notifications AND ${notMentioned} AND u.id IN (
      SELECT author_id FROM projects WHERE id = ${input.projectId}
      UNION SELECT m.user_id FROM organisation_managers m JOIN projects p ON p.organisation_id = m.organisation_id WHERE p.id = ${input.projectId})`);
  }
}

export async function insertMessage(
  db: DB,
  row: { to_user_id: number; from_user_id?: number | null; project_id: number | null; task_id: number | null; message_type: MessageType; subject: string; message: string; idempotency_key: string },
) {
  await db.insertInto("messages").values(row).onConflict((oc) => oc.column("idempotency_key").doNothing()).execute();
}

// ---- message-contributors -------------------------------------------------------------------------

/**
 * Who a target's message goes to: for a project or campaign, users with a STATE_CHANGE (mapped,
 * validated, ...) in its task history; for a team, its active members. One query per target kind.
 */
const CONTRIBUTORS: Record<MessageTarget["kind"], (db: DB, id: number) => Expression<{ user_id: number }>> = {
  project: (db, id) => db.selectFrom("task_history").select("user_id").where("project_id", "=", id).where("action", "=", "STATE_CHANGE"),
  campaign: (db, id) =>
    db
      .selectFrom("task_history as h")
      .innerJoin("campaign_projects as cp", "cp.project_id", "h.project_id")
      .select("h.user_id")
      .where("cp.campaign_id", "=", id)
      .where("h.action", "=", "STATE_CHANGE"),
  team: (db, id) => db.selectFrom("team_members").select("user_id").where("team_id", "=", id).where("active", "=", true),
};

/** Contributors get project messages only if they accept them (projects_notifications); team members always get their team's. */
const WANTS_MESSAGES: Record<MessageTarget["kind"], ReturnType<typeof sql<boolean>>> = {
  project: sql<boolean>`u.projects_notifications`,
  campaign: sql<boolean>`u.projects_notifications`,
  team: sql<boolean>`true`,
};

export async function campaignExists(db: DB, campaignId: number): Promise<{ name: string } | undefined> {
  return db.selectFrom("campaigns").select("name").where("id", "=", campaignId).executeTakeFirst();
}

/**
 * Fixes the recipients of a run once: contributors to the target who want project messages
 * (projects_notifications, as officially), except the sender. A retry finds the snapshot already
 * taken and answers its size, so a crash never changes who gets the message.
 */
export async function snapshotRecipients(db: DB, input: { workflowId: string; target: MessageTarget; senderId: number }): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${input.workflowId}))`.execute(trx);
    const taken = await trx.selectFrom("message_recipients").select((eb) => eb.fn.countAll<number>().as("n")).where("workflow_id", "=", input.workflowId).executeTakeFirstOrThrow();
    if (Number(taken.n) > 0) return Number(taken.n);
    const contributors = CONTRIBUTORS[input.target.kind](trx, input.target.id);
    const inserted = await sql<{ n: number }>`
      WITH recipients AS (
        SELECT u.id FROM users u
        WHERE u.id IN (${contributors}) AND u.id <> ${input.senderId} AND ${WANTS_MESSAGES[input.target.kind]}
      ), numbered AS (
        INSERT INTO message_recipients (workflow_id, seq, user_id)
        SELECT ${input.workflowId}, row_number() OVER (ORDER BY id), id FROM recipients
        RETURNING 1
      )
      SELECT count(*)::int AS n FROM numbered
    `.execute(trx);
    return inserted.rows[0]!.n;
  });
}

/** A recipient's message key, `<workflowId>:<userId>`, over `message_recipients r`: one message per run and recipient. */
const recipientKey = sql<string>`r.workflow_id || ':' || r.user_id`;

/** The message text recipients see: the official preamble naming the project or campaign. */
export async function renderBroadcast(db: DB, content: { target: MessageTarget; message: string; senderId: number }): Promise<string> {
  if (content.target.kind === "team") {
    const names = await db
      .selectFrom("teams as t")
      .leftJoin("users as u", (j) => j.on("u.id", "=", content.senderId))
      .select(["t.name as team", "u.username as sender"])
      .where("t.id", "=", content.target.id)
      .executeTakeFirst();
    return broadcastBody({ teamName: names?.team ?? `#${content.target.id}`, sender: names?.sender ?? "" }, content.message);
  }
  if (content.target.kind === "campaign") {
    const campaign = await campaignExists(db, content.target.id);
    return broadcastBody({ campaignName: campaign?.name ?? `#${content.target.id}` }, content.message);
  }
  const project = await db.selectNoFrom(projectName(sql.lit(content.target.id)).as("name")).executeTakeFirst();
  return broadcastBody({ projectName: project?.name ?? "", projectId: content.target.id }, content.message);
}

/**
 * Writes the messages of recipients `fromSeq..toSeq` (inclusive) of a run in one statement; the
 * recipient's key makes a repeated batch write nothing. Answers how many rows were new.
 */
export async function insertBroadcastBatch(
  db: DB,
  input: { workflowId: string; target: MessageTarget; senderId: number; subject: string; body: string; fromSeq: number; toSeq: number },
): Promise<number> {
  const projectId = input.target.kind === "project" ? input.target.id : null;
  const result = await sql`
    INSERT INTO messages (message, subject, from_user_id, to_user_id, project_id, message_type, idempotency_key)
    SELECT ${input.body}, ${input.subject}, ${input.senderId}, r.user_id, ${projectId}::int, ${broadcastType(input.target)}, ${recipientKey}
    FROM message_recipients r
    WHERE r.workflow_id = ${input.workflowId} AND r.seq BETWEEN ${input.fromSeq} AND ${input.toSeq}
    ON CONFLICT (idempotency_key) DO NOTHING
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Messages of a batch whose recipient has a verified email and that were not emailed yet. */
export function pendingEmails(db: DB, input: { workflowId: string; fromSeq: number; toSeq: number }) {
  return db
    .selectFrom("message_recipients as r")
    .innerJoin("messages as m", (j) => j.on("m.idempotency_key", "=", recipientKey))
    .innerJoin("users as u", "u.id", "r.user_id")
    .select(["m.id", "m.subject", "m.message", "u.username", "u.email_address"])
    .where("r.workflow_id", "=", input.workflowId)
    .where("r.seq", ">=", input.fromSeq)
    .where("r.seq", "<=", input.toSeq)
    .where("m.emailed_at", "is", null)
    .where("u.is_email_verified", "=", true)
    .where("u.email_address", "is not", null)
    .orderBy("r.seq")
    .execute();
}

export async function markEmailed(db: DB, messageId: number): Promise<void> {
  await db.updateTable("messages").set({ emailed_at: sql<Date>`now()` }).where("id", "=", messageId).execute();
}

/** The snapshot is only needed while the run lasts. */
export async function forgetRecipients(db: DB, workflowId: string): Promise<void> {
  await db.deleteFrom("message_recipients").where("workflow_id", "=", workflowId).execute();
}
