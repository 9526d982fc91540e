import { z } from "zod";
import { pathId, requiredText } from "./fields";
import { PaginationDTO } from "./search";

export const ProjectCommentParams = z.object({ project_id: pathId, comment_id: pathId });

export const ChatPageQuery = z.object({
  page: pathId.optional().default(1),
  perPage: pathId.max(100).optional().default(20),
});

export const ChatMessageDTO = z
  .object({ message: requiredText.max(10_000) })
  .meta({ id: "ChatMessageDTO", description: "A project chat message (markdown; @username or @[user name] mentions notify those users)" });

export const ListChatMessageDTO = z
  .object({
    id: z.number().int(),
    message: z.string(),
    pictureUrl: z.string().nullable(),
    timestamp: z.string(),
    username: z.string(),
  })
  .meta({ id: "ListChatMessageDTO" });

export const ProjectChatDTO = z.object({ chat: z.array(ListChatMessageDTO), pagination: PaginationDTO }).meta({ id: "ProjectChatDTO" });

export const TaskCommentDTO = z
  .object({ comment: requiredText.max(10_000) })
  .meta({ id: "TaskCommentDTO", description: "A comment on a task outside mapping or validation (markdown; mentions notify)" });

export const ProjectCommentsDTO = z
  .object({
    comments: z.array(z.object({ comment: z.string(), commentDate: z.string(), userName: z.string(), taskId: z.number().int() })),
  })
  .meta({ id: "ProjectCommentsDTO" });
