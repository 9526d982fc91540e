import { z } from "zod";
import { pathId } from "./fields";

export const AnnotationParams = z.object({
  project_id: pathId,
  annotation_type: z.string().trim().min(1).max(100).regex(/^[\w.-]+$/, "letters, digits, '_', '.' and '-' only"),
});

export const TaskAnnotationDTO = z
  .object({
    taskId: z.number().int(),
    annotationType: z.string(),
    annotationSource: z.string().nullable(),
    annotationMarkdown: z.string().nullable(),
    properties: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "TaskAnnotationDTO" });

export const ProjectTaskAnnotationsDTO = z
  .object({ projectId: z.number().int(), tasks: z.array(TaskAnnotationDTO) })
  .meta({ id: "ProjectTaskAnnotationsDTO" });

/** The official body: the tasks to annotate; annotationSource may be given once for all of them. */
export const NewTaskAnnotationsDTO = z
  .object({
    annotationSource: z.string().max(200).nullish(),
    tasks: z
      .array(
        z.object({
          taskId: z.number().int().positive(),
          annotationSource: z.string().max(200).nullish(),
          annotationMarkdown: z.string().max(100_000).nullish(),
          properties: z.record(z.string(), z.unknown()).optional().default({}),
        }),
      )
      .min(1, "annotate at least one task")
      .max(10_000),
  })
  .meta({ id: "NewTaskAnnotationsDTO" });
