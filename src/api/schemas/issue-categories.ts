import { z } from "zod";
import { requiredText } from "./fields";

export const MappingIssueCategoryDTO = z
  .object({
    categoryId: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    archived: z.boolean(),
  })
  .meta({ id: "MappingIssueCategoryDTO" });

export const MappingIssueCategoriesDTO = z
  .object({ categories: z.array(MappingIssueCategoryDTO) })
  .meta({ id: "MappingIssueCategoriesDTO" });

export const NewMappingIssueCategoryDTO = z
  .object({
    name: requiredText.max(100),
    description: z.string().nullish(),
    archived: z.boolean().optional(),
  })
  .meta({ id: "NewMappingIssueCategoryDTO" });

export const UpdateMappingIssueCategoryDTO = NewMappingIssueCategoryDTO.partial()
  .refine((v) => Object.keys(v).length > 0, "give at least one of name, description, archived")
  .meta({ id: "UpdateMappingIssueCategoryDTO" });
