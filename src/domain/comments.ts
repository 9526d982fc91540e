import type { DB } from "../db/database";
import { notifyComment } from "../db/queries/messages";
import {
  deleteChatMessage, findChatMessage, insertChatMessage, listChatMessages, taskComments, taskExists,
} from "../db/queries/project-chat";
import { insertTaskComment } from "../db/queries/task-locks";
import type { UserRow } from "../db/schema";
import { forbidden, notFound } from "./errors";
import { sanitizeMarkdown } from "./markdown";
import { managesProject } from "./permissions";
import type { ProjectRecord } from "./projects/access";
import { pagination } from "./search";

/** Project chat and task comments: both are markdown, sanitised once on the way in, and notify mentions. */

export async function projectChat(db: DB, projectId: number, page: { page: number; perPage: number }) {
  const { rows, total } = await listChatMessages(db, projectId, page);
  return {
    chat: rows.map((r) => ({ id: r.id, message: r.message, pictureUrl: r.picture_url, timestamp: r.time_stamp.toISOString(), username: r.username })),
    pagination: pagination(page.page, page.perPage, total),
  };
}

/** Posts a chat message and its notifications in one transaction. */
export async function postChatMessage(db: DB, projectId: number, author: UserRow, message: string): Promise<void> {
  const text = sanitizeMarkdown(message);
  await db.transaction().execute(async (trx) => {
    await insertChatMessage(trx, { projectId, userId: author.id, message: text });
    await notifyComment(trx, { projectId, authorId: author.id, text, followers: true });
  });
}

/** Its author or a project manager may delete a chat message (official DeletePermissionError otherwise). */
export async function removeChatMessage(db: DB, project: ProjectRecord, user: UserRow, messageId: number) {
  const chat = await findChatMessage(db, project.id, messageId);
  if (!chat) throw notFound(`Comment ${messageId} not found in project ${project.id}`);
  if (chat.user_id !== user.id && !(await managesProject(db, user, project))) {
    throw forbidden("User not allowed to delete message", "DeletePermissionError");
  }
  await deleteChatMessage(db, messageId);
  return { Success: "Comment deleted" };
}

/** Adds a COMMENT to a task's history (the lock's own writer) and notifies, in one transaction; 404 for an unknown task. */
export async function commentOnTask(db: DB, projectId: number, taskId: number, author: UserRow, comment: string): Promise<void> {
  if (!(await taskExists(db, projectId, taskId))) throw notFound(`Task ${taskId} not found in project ${projectId}`);
  const text = sanitizeMarkdown(comment);
  await db.transaction().execute(async (trx) => {
    await insertTaskComment(trx, { projectId, taskId, userId: author.id, comment: text });
    await notifyComment(trx, { projectId, taskId, authorId: author.id, text, followers: true });
  });
}

/** ProjectCommentsDTO of one task, newest first; 404 for an unknown task. */
export async function listTaskComments(db: DB, projectId: number, taskId: number) {
  if (!(await taskExists(db, projectId, taskId))) throw notFound(`Task ${taskId} not found in project ${projectId}`);
  const rows = await taskComments(db, projectId, taskId);
  return {
    comments: rows.map((r) => ({ comment: r.action_text ?? "", commentDate: r.action_date.toISOString(), userName: r.username, taskId: r.task_id })),
  };
}
