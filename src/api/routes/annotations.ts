import { projectAnnotations, saveAnnotations } from "../../domain/annotations";
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
    summary: "Create or replace task annotations of one type (project managers)",
    description:
      "The official API authenticates this with an application key; this API has no application keys, so it takes " +
      "the user token of a project manager. A task given twice or not in the project is a 400 and nothing is written. " +
      "Answers the project's annotations of that type.",
    auth: "required",
    params: AnnotationParams,
    body: NewTaskAnnotationsDTO,
    responses: { 200: { description: "The annotations of that type", schema: ProjectTaskAnnotationsDTO } },
    handler: async ({ params, body, user }) => {
      await loadProject(db, params.project_id, user, "manage");
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
