import { userByApplicationKey } from "../../db/queries/applications";
import { projectAnnotations, saveAnnotations } from "../../domain/annotations";
import { unauthorized } from "../../domain/errors";
import { loadProject } from "../../domain/projects/access";
import type { RouteTable } from "../openapi/routes";
import { AnnotationParams, NewTaskAnnotationsDTO, ProjectTaskAnnotationsDTO } from "../schemas/annotations";
import { ProjectParams } from "../schemas/tasks";
import type { Services } from "../services";

/** Task annotations that outside tools attach to a project's tasks. */
export function annotationRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/annotations/",
    tag: "projects",
    summary: "Every task annotation of the project (ProjectTaskAnnotationsDTO)",
    auth: "optional",
    params: ProjectParams,
    responses: { 200: { description: "Annotations", schema: ProjectTaskAnnotationsDTO } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "view");
      return projectAnnotations(db, params.project_id);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/annotations/{annotation_type}/",
    tag: "projects",
    summary: "The project's task annotations of one type (ProjectTaskAnnotationsDTO)",
    auth: "optional",
    params: AnnotationParams,
    responses: { 200: { description: "Annotations", schema: ProjectTaskAnnotationsDTO } },
    handler: async ({ params, user }) => {
      await loadProject(db, params.project_id, user, "view");
      return projectAnnotations(db, params.project_id, params.annotation_type);
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/annotations/{annotation_type}/",
    tag: "projects",
    summary: "Create or replace task annotations of one type (outside tools with an application key, or project managers)",
    description:
      "As officially, an `Application-Token: <application key>` header authenticates the tool that posts (any valid key " +
      "whose owner may see the project); without one, the caller's session token must be a project manager's. " +
      "A task given twice or not in the project is a 400 and nothing is written. Answers the project's annotations of that type.",
    auth: "optional",
    params: AnnotationParams,
    body: NewTaskAnnotationsDTO,
    responses: { 200: { description: "The annotations of that type", schema: ProjectTaskAnnotationsDTO } },
    handler: async ({ params, body, user, ctx }) => {
      const applicationToken = ctx.get("Application-Token");
      if (applicationToken) {
        const owner = await userByApplicationKey(db, applicationToken);
        if (!owner) throw unauthorized("Invalid application token");
        await loadProject(db, params.project_id, owner, "view");
      } else {
        if (!user) throw unauthorized("An application token or a session token is needed");
        await loadProject(db, params.project_id, user, "manage");
      }
      const annotations = body.tasks.map((t) => ({
        taskId: t.taskId,
        source: t.annotationSource ?? body.annotationSource ?? null,
        markdown: t.annotationMarkdown ?? null,
        properties: t.properties,
      }));
      return saveAnnotations(db, params.project_id, params.annotation_type, annotations);
    },
  });
}
