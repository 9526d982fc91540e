import { badRequest } from "./errors";

/**
 * Message types travel as the official MessageType names; the official API also accepts their numbers
 * (1 = SYSTEM ... 11 = TEAM_BROADCAST) in the messageType filters, so both are understood here.
 * LOCK_EXPIRY_WARNING and LOCK_AUTO_RELEASED are this implementation's own: the lock workflow's notices.
 */
export const MESSAGE_TYPES = [
  "SYSTEM",
  "BROADCAST",
  "MENTION_NOTIFICATION",
  "VALIDATION_NOTIFICATION",
  "INVALIDATION_NOTIFICATION",
  "REQUEST_TEAM_NOTIFICATION",
  "INVITATION_NOTIFICATION",
  "TASK_COMMENT_NOTIFICATION",
  "PROJECT_CHAT_NOTIFICATION",
  "PROJECT_ACTIVITY_NOTIFICATION",
  "TEAM_BROADCAST",
  "LOCK_EXPIRY_WARNING",
  "LOCK_AUTO_RELEASED",
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** "VALIDATION_NOTIFICATION,5" → the names; an unknown name or number is a 400 naming it. */
export function parseMessageTypes(list: string): MessageType[] {
  const items = list.split(",").map((s) => s.trim()).filter(Boolean);
  return items.map((item) => {
    const byNumber = /^\d+$/.test(item) ? MESSAGE_TYPES[Number(item) - 1] : undefined;
    const byName = MESSAGE_TYPES.find((t) => t === item.toUpperCase());
    const type = byNumber ?? byName;
    if (!type) throw badRequest(`messageType: unknown message type "${item}"`);
    return type;
  });
}

export const MESSAGE_SORT_COLUMNS = ["date", "read", "project_id", "message_type", "from_user_id"] as const;
export type MessageSort = (typeof MESSAGE_SORT_COLUMNS)[number];

/** What one message-contributors run writes to: a project's or campaign's contributors, or a team's active members. */
export interface MessageTarget {
  kind: "project" | "campaign" | "team";
  id: number;
}

/** A team's broadcast is a TEAM_BROADCAST; a manager's message to contributors a BROADCAST. */
export const broadcastType = (target: MessageTarget): MessageType => (target.kind === "team" ? "TEAM_BROADCAST" : "BROADCAST");

export function messageWorkflowId(target: MessageTarget, uuid: string): string {
  return `${target.kind}-${target.id}/message/${uuid}`;
}

/** The official preamble of a manager's message to contributors, or of a team manager's to the team. */
export function broadcastBody(
  from: { projectName?: string; projectId?: number; campaignName?: string; teamName?: string; sender?: string },
  message: string,
): string {
  if (from.teamName !== undefined) return `A message from ${from.sender}, manager of ${from.teamName} team:\n\n${message}`;
  const source = from.campaignName !== undefined ? `campaign ${from.campaignName}` : `${from.projectName} #${from.projectId}`;
  return `A message from ${source} managers:\n\n${message}`;
}

/** Refuses an empty subject or message (official 400 EmptyMessage) before anything starts. */
export function broadcastContent(body: { subject?: string; message?: string }): { subject: string; message: string } {
  const subject = body.subject?.trim() ?? "";
  const message = body.message?.trim() ?? "";
  if (!subject || !message) throw badRequest(`Empty ${!subject ? "subject" : "message"} not allowed`, "EmptyMessage");
  return { subject, message };
}

/** Subject of the note a mapper gets when a validator validates or invalidates their task (official wording). */
export function validationSubject(status: "VALIDATED" | "INVALIDATED", taskId: number, projectName: string, projectId: number): string {
  return `Task ${taskId} mapped by you in Project ${projectName} #${projectId} has been ${status === "VALIDATED" ? "validated" : "marked invalid"}`;
}

export function validationBody(status: "VALIDATED" | "INVALIDATED", taskId: number, validator: string, comment: string | undefined): string {
  const verdict = status === "VALIDATED" ? "validated" : "marked invalid";
  const intro = `${validator} ${verdict} Task ${taskId}, which you mapped.`;
  return comment ? `${intro}\n\n${comment}` : status === "VALIDATED" ? `${intro} Thank you for your contribution!` : `${intro} Please review the task and map it again.`;
}

const tasksText = (taskIds: number[]) => (taskIds.length === 1 ? `Task ${taskIds[0]}` : `Tasks ${taskIds.join(", ")}`);

/** The lock workflow's notices to the lock holder. */
export function lockNotice(kind: "LOCK_EXPIRY_WARNING" | "LOCK_AUTO_RELEASED", input: { taskIds: number[]; projectName: string; projectId: number; mode: string; expiresAt: string }) {
  const what = `your ${input.mode === "MAPPING" ? "mapping" : "validation"} lock on ${tasksText(input.taskIds)} of Project ${input.projectName} #${input.projectId}`;
  if (kind === "LOCK_EXPIRY_WARNING") {
    return {
      subject: `${capitalise(what)} expires soon`,
      message: `${capitalise(what)} expires at ${input.expiresAt}. Extend the lock or hand the task in before then, or it will be released automatically.`,
    };
  }
  return {
    subject: `${capitalise(what)} was released automatically`,
    message: `${capitalise(what)} reached its deadline (${input.expiresAt}) and was released; the task is available to others again.`,
  };
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Usernames a comment mentions: `@[user name]` as the official frontend writes them, or a bare
 * `@username` (letters, digits, `_`, `.` and `-`; a trailing full stop ends the sentence, not the name).
 */
export function mentionedUsernames(text: string): string[] {
  const bracketed = [...text.matchAll(/@\[([^\]\n]{1,255})\]/g)].map((m) => m[1]!.trim());
  const bare = [...text.replace(/@\[[^\]\n]*\]/g, " ").matchAll(/(?:^|[^\w@])@([\w.-]{1,255})/gu)].map((m) => m[1]!.replace(/[.-]+$/, ""));
  const seen = new Map<string, string>();
  for (const name of [...bracketed, ...bare]) if (name && !seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
  return [...seen.values()];
}

/** Where a comment was written: the project chat, or one task's comments. */
export type CommentPlace = { projectId: number; projectName: string; taskId?: number };

const placeText = (p: CommentPlace) =>
  p.taskId === undefined ? `the chat of Project ${p.projectName} #${p.projectId}` : `Task ${p.taskId} of Project ${p.projectName} #${p.projectId}`;

/** Subjects of the notes a comment sends: to users it mentions, and to those who follow the place. */
export function commentSubjects(author: string, place: CommentPlace) {
  return {
    mention: `${author} mentioned you in ${placeText(place)}`,
    follower: `${author} left a comment in ${placeText(place)}`,
  };
}
