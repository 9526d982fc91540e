import { z } from "zod";
import {
  campaignExists, deleteMessages, findMessage, listMessages, markRead, type MessageRow, recordNotificationsCheck, unreadCounts,
} from "../../db/queries/messages";
import type { UserRow } from "../../db/schema";
import { forbidden, notFound } from "../../domain/errors";
import { broadcastContent, type MessageTarget, type MessageType, parseMessageTypes } from "../../domain/messages";
import { requireAdmin } from "../../domain/permissions";
import { loadProject } from "../../domain/projects/access";
import { pagination } from "../../domain/search";
import { startMessageContributors } from "../../temporal/messaging";
import type { RouteTable } from "../openapi/routes";
import {
  ContributorsMessageBody, MessageDTO, MessageIdsBody, MessagesDTO, MessageTypeQuery, NotificationsQuery, UnreadDTO,
} from "../schemas/notifications";
import { pathId, SuccessDTO } from "../schemas/fields";
import { ProjectParams } from "../schemas/tasks";
import type { Services } from "../services";

function toMessageDTO(row: MessageRow): z.output<typeof MessageDTO> {
  return {
    messageId: row.id,
    subject: row.subject,
    message: row.message,
    fromUserId: row.from_user_id,
    fromUsername: row.from_username,
    displayPictureUrl: row.from_picture_url,
    projectId: row.project_id,
    projectTitle: row.project_title,
    taskId: row.task_id,
    messageType: row.message_type as MessageType,
    sentDate: row.date.toISOString(),
    read: row.read,
  };
}

const typesOf = (messageType: string | undefined): { types?: MessageType[] } => ({ types: messageType ? parseMessageTypes(messageType) : undefined });

const success = (text: string) => ({ 200: { description: text, schema: SuccessDTO } });

export function notificationRoutes(routes: RouteTable, services: Services): void {
  const { db, temporal, config } = services;
  const me = (user: UserRow | undefined) => user!.id;

  /** The caller's own message, or the official 404 / 403 AccessOtherUserMessage. */
  async function ownMessage(messageId: number, user: UserRow | undefined) {
    const message = await findMessage(db, messageId);
    if (!message) throw notFound(`Message ${messageId} not found`);
    if (message.to_user_id !== me(user)) throw forbidden(`User ${me(user)} attempting to access another user's message ${messageId}`, "AccessOtherUserMessage");
    return message;
  }

  routes.add({
    method: "get",
    path: "/api/v2/notifications/",
    tag: "notifications",
    summary: "The caller's messages, filtered, sorted and paginated",
    auth: "required",
    query: NotificationsQuery,
    responses: { 200: { description: "Messages", schema: MessagesDTO } },
    handler: async ({ query, user }) => {
      const filter = {
        types: typesOf(query.messageType).types,
        fromUsername: query.from,
        projectId: query.project,
        taskId: query.taskId,
        read: query.status === undefined ? undefined : query.status === "read",
      };
      const { rows, total } = await listMessages(db, me(user), filter, { sortBy: query.sortBy, direction: query.sortDirection }, query);
      return { pagination: pagination(query.page, query.pageSize, total), userMessages: rows.map(toMessageDTO) };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/notifications/delete-multiple/",
    tag: "notifications",
    summary: "Delete the caller's messages with these ids (others' ids are ignored)",
    auth: "required",
    body: MessageIdsBody,
    responses: success("Messages deleted"),
    handler: async ({ body, user }) => {
      await deleteMessages(db, me(user), { ids: body.messageIds });
      return { Success: "Messages deleted" };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/notifications/delete-all/",
    tag: "notifications",
    summary: "Delete all the caller's messages, or those of the given types",
    auth: "required",
    query: MessageTypeQuery,
    responses: success("Messages deleted"),
    handler: async ({ query, user }) => {
      await deleteMessages(db, me(user), typesOf(query.messageType));
      return { Success: "Messages deleted" };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/notifications/mark-as-read-all/",
    tag: "notifications",
    summary: "Mark all the caller's messages read, or those of the given types",
    auth: "required",
    query: MessageTypeQuery,
    responses: success("Messages marked as read"),
    handler: async ({ query, user }) => {
      await markRead(db, me(user), typesOf(query.messageType));
      return { Success: "Messages marked as read" };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/notifications/mark-as-read-multiple/",
    tag: "notifications",
    summary: "Mark the caller's messages with these ids read (others' ids are ignored)",
    auth: "required",
    body: MessageIdsBody,
    responses: success("Messages marked as read"),
    handler: async ({ body, user }) => {
      await markRead(db, me(user), { ids: body.messageIds });
      return { Success: "Messages marked as read" };
    },
  });

  const unreadAnswer = async (userId: number) => {
    const { unread, sinceCheck } = await unreadCounts(db, userId);
    return { newMessages: sinceCheck > 0, unread };
  };

  routes.add({
    method: "get",
    path: "/api/v2/notifications/queries/own/count-unread/",
    tag: "notifications",
    summary: "How many of the caller's messages are unread, and whether any arrived since they last checked",
    auth: "required",
    responses: { 200: { description: "Unread messages", schema: UnreadDTO } },
    handler: ({ user }) => unreadAnswer(me(user)),
  });

  routes.add({
    method: "post",
    path: "/api/v2/notifications/queries/own/post-unread/",
    tag: "notifications",
    summary: "Record that the caller has just checked their notifications",
    description:
      "Sets the caller's last-checked time to now (the official notifications date), so newMessages turns false until another message arrives; answers the unread count as count-unread does.",
    auth: "required",
    responses: { 200: { description: "Unread messages after the check", schema: UnreadDTO } },
    handler: async ({ user }) => {
      await recordNotificationsCheck(db, me(user));
      return unreadAnswer(me(user));
    },
  });

  // After the fixed paths above: koa-router tries routes in order, and these would claim "delete-all".
  routes.add({
    method: "get",
    path: "/api/v2/notifications/{message_id}/",
    tag: "notifications",
    summary: "One of the caller's messages; reading it marks it read",
    auth: "required",
    params: z.object({ message_id: pathId }),
    responses: { 200: { description: "The message", schema: MessageDTO } },
    handler: async ({ params, user }) => {
      const message = await ownMessage(params.message_id, user);
      await markRead(db, me(user), { ids: [message.id] });
      return toMessageDTO(message);
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/notifications/{message_id}/",
    tag: "notifications",
    summary: "Delete one of the caller's messages",
    auth: "required",
    params: z.object({ message_id: pathId }),
    responses: success("Message deleted"),
    handler: async ({ params, user }) => {
      await deleteMessages(db, me(user), { ids: [(await ownMessage(params.message_id, user)).id] });
      return { Success: "Message deleted" };
    },
  });

  const startMessaging = async (target: MessageTarget, sender: UserRow, content: { subject: string; message: string }) => {
    await startMessageContributors(temporal, { target, senderId: sender.id, ...content, batchSize: config.messaging.batchSize });
    return { Success: "Messages started" };
  };

  const messagingResponses = { 200: { description: "The messaging workflow has started", schema: SuccessDTO }, 400: { description: "Empty subject or message (EmptyMessage)" } };

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/actions/message-contributors/",
    tag: "projects",
    summary: "Message every contributor of the project (a durable workflow; answers once it has started)",
    description: "Contributors are the users with a state change (mapped, validated, ...) on the project who accept project messages; the sender is left out.",
    auth: "required",
    params: ProjectParams,
    body: ContributorsMessageBody,
    responses: messagingResponses,
    handler: async ({ params, body, user }) => {
      const content = broadcastContent(body);
      const project = await loadProject(db, params.project_id, user, "manage");
      return startMessaging({ kind: "project", id: project.id }, user!, content);
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/campaigns/{campaign_id}/actions/message-contributors/",
    tag: "campaigns",
    summary: "Message every contributor of the campaign's projects (admins only; a durable workflow)",
    auth: "required",
    params: z.object({ campaign_id: pathId }),
    body: ContributorsMessageBody,
    responses: messagingResponses,
    handler: async ({ params, body, user }) => {
      const content = broadcastContent(body);
      requireAdmin(user, "message campaign contributors");
      if (!(await campaignExists(db, params.campaign_id))) throw notFound(`Campaign ${params.campaign_id} not found`);
      return startMessaging({ kind: "campaign", id: params.campaign_id }, user!, content);
    },
  });
}
