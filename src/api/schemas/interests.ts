import { z } from "zod";
import { requiredText } from "./fields";

export const InterestDTO = z
  .object({
    id: z.number().int(),
    name: z.string(),
    countProjects: z.number().int().optional(),
    countUsers: z.number().int().optional(),
  })
  .meta({ id: "InterestDTO", description: "An interest; the counts are how many projects and users chose it" });

export const InterestsListDTO = z.object({ interests: z.array(InterestDTO) }).meta({ id: "InterestsListDTO" });

export const InterestNameDTO = z.object({ name: requiredText.max(100) }).meta({ id: "InterestNameDTO" });
