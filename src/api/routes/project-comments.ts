import { commentOnTask, listTaskComments, postChatMessage, projectChat, removeChatMessage } from "../../domain/comments";
import { loadProject } from "../../domain/projects/access";
import { getTaskDTO } from "../../domain/tasks/dto";
import type { RouteTable } from "../openapi/routes";
import {
  ChatMessageDTO, ChatPageQuery, ProjectChatDTO, ProjectCommentParams, ProjectCommentsDTO, TaskCommentDTO,
} from "../schemas/comments";
import { SuccessDTO } from "../schemas/fields";
import { ProjectParams, ProjectTaskParams, TaskDTO } from "../schemas/tasks";
import type { Services } from "../services";

/** The project chat and comments on tasks outside mapping and validation. */
export function projectCommentRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;
  const FIRST_PAGE = { page: 1, perPage: 20 };

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/comments/",
    tag: "projects",
    summary: "The project chat, newest first (ProjectChatDTO, `page` and `perPage` as officially, 20 by default)",
    auth: "optional",
    params: ProjectParams,
    query: ChatPageQuery,
    responses: { 200: { description: "Chat messages", schema: ProjectChatDTO } },
    handler: async ({ params, query, user }) => {
      await loadProject(db, params.project_id, user, "view");
      return projectChat(db, params.project_id, query);
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/comments/",
    tag: "projects",
    summary: "Post to the project chat; answers the chat's first page",
    description:
      "Any logged-in user who may see the project may post. Mentioned users get a MENTION_NOTIFICATION; the project's " +
      "author and managers get a PROJECT_CHAT_NOTIFICATION (each as their notification settings allow).",
    auth: "required",
    params: ProjectParams,
    body: ChatMessageDTO,
    status: 201,
    responses: { 201: { description: "Posted; the chat's first page", schema: ProjectChatDTO } },
    handler: async ({ params, body, user }) => {
      await loadProject(db, params.project_id, user, "view");
      await postChatMessage(db, params.project_id, user!, body.message);
      return projectChat(db, params.project_id, FIRST_PAGE);
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/projects/{project_id}/comments/{comment_id}/",
    tag: "projects",
    summary: "Delete a chat message (its author or a project manager; 403 DeletePermissionError otherwise)",
    auth: "required",
    params: ProjectCommentParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      const project = await loadProject(db, params.project_id, user, "view");
      return removeChatMessage(db, project, user!, params.comment_id);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/comments/tasks/{task_id}/",
    tag: "projects",
    summary: "A task's comments, newest first (ProjectCommentsDTO)",
    auth: "optional",
    params: ProjectTaskParams,
    responses: { 200: { description: "Comments", schema: ProjectCommentsDTO } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "view");
      return listTaskComments(db, params.project_id, params.task_id);
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/comments/tasks/{task_id}/",
    tag: "projects",
    summary: "Comment on a task outside mapping or validation; answers the task (TaskDTO) with 201 as officially",
    description:
      "Recorded as a COMMENT in the task's history. Mentioned users get a MENTION_NOTIFICATION; others in the task's " +
      "history get a TASK_COMMENT_NOTIFICATION (each as their notification settings allow).",
    auth: "required",
    params: ProjectTaskParams,
    body: TaskCommentDTO,
    status: 201,
    responses: { 201: { description: "The task with its history", schema: TaskDTO } },
    handler: async ({ params, body, user, locale }) => {
      await loadProject(db, params.project_id, user, "view");
      await commentOnTask(db, params.project_id, params.task_id, user!, body.comment);
      return getTaskDTO(db, params.project_id, params.task_id, locale, { autoUnlockMs: services.config.taskAutoUnlockMs });
    },
  });
}
