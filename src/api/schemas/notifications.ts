import { z } from "zod";
import { MESSAGE_SORT_COLUMNS, MESSAGE_TYPES } from "../../domain/messages";
import { pathId } from "./fields";
import { PaginationDTO } from "./search";

/** The official MessageDTO (one notification as its recipient sees it). */
export const MessageDTO = z
  .object({
    messageId: z.number().int(),
    subject: z.string().nullable(),
    message: z.string().nullable(),
    fromUserId: z.number().int().nullable(),
    fromUsername: z.string().nullable(),
    displayPictureUrl: z.string().nullable(),
    projectId: z.number().int().nullable(),
    projectTitle: z.string().nullable(),
    taskId: z.number().int().nullable(),
    messageType: z.enum(MESSAGE_TYPES),
    sentDate: z.string(),
    read: z.boolean(),
  })
  .meta({ id: "MessageDTO" });

export const MessagesDTO = z.object({ pagination: PaginationDTO, userMessages: z.array(MessageDTO) }).meta({ id: "MessagesDTO" });

const messageTypeFilter = z
  .string()
  .optional()
  .meta({ description: "Comma-separated message types, as names (VALIDATION_NOTIFICATION) or the official numbers (4)" });

/** A case-insensitive choice among lowercase values. */
const lowercase = <const T extends readonly [string, ...string[]]>(values: T) => z.string().transform((v) => v.toLowerCase()).pipe(z.enum(values));

export const NotificationsQuery = z.object({
  messageType: messageTypeFilter,
  from: z.string().trim().min(1).optional().meta({ description: "Sender's username (case-insensitive prefix)" }),
  project: pathId.optional(),
  taskId: pathId.optional(),
  status: lowercase(["read", "unread"]).optional(),
  sortBy: z.enum(MESSAGE_SORT_COLUMNS).optional().default("date"),
  sortDirection: lowercase(["asc", "desc"]).optional().default("desc"),
  page: pathId.optional().default(1),
  pageSize: pathId.max(50).optional().default(10),
});

export const MessageTypeQuery = z.object({ messageType: messageTypeFilter });

export const MessageIdsBody = z.object({ messageIds: z.array(z.number().int().positive()).max(1000) });

export const UnreadDTO = z
  .object({ newMessages: z.boolean().meta({ description: "Unread messages arrived since the user last checked (post-unread)" }), unread: z.number().int() })
  .meta({ id: "UnreadMessagesDTO" });

/** Body of message-contributors (official MessageDTO fields subject and message). */
export const ContributorsMessageBody = z.object({
  subject: z.string().max(1000).optional(),
  message: z.string().max(50_000).optional(),
});

