import { z } from "zod";
import { requiredText } from "./fields";

export const AssociatedBadge = z.object({ id: z.number().int().positive(), name: z.string().nullish() }).meta({ id: "AssociatedBadge" });

export const MappingLevelDTO = z
  .object({
    id: z.number().int(),
    name: z.string(),
    imagePath: z.string().nullable(),
    approvalsRequired: z.number().int(),
    color: z.string().nullable(),
    ordering: z.number().int(),
    isBeginner: z.boolean(),
    requiredBadges: z.array(z.object({ id: z.number().int(), name: z.string() })),
  })
  .meta({ id: "MappingLevelDTO" });

export const MappingLevelListDTO = z.object({ levels: z.array(MappingLevelDTO) }).meta({ id: "MappingLevelListDTO" });

const levelFields = {
  name: requiredText.max(100),
  imagePath: z.string().max(2000).nullish(),
  approvalsRequired: z.number().int().min(0).max(1000),
  color: z.string().max(50).nullish(),
  isBeginner: z.boolean(),
  requiredBadges: z.array(AssociatedBadge).max(100),
};

export const MappingLevelCreateDTO = z
  .object({ ...levelFields, approvalsRequired: levelFields.approvalsRequired.default(0), isBeginner: levelFields.isBeginner.default(false), requiredBadges: levelFields.requiredBadges.default([]) })
  .meta({ id: "MappingLevelCreateDTO" });

export const MappingLevelUpdateDTO = z
  .object({ id: z.number().int().optional(), ...levelFields })
  .partial()
  .meta({ id: "MappingLevelUpdateDTO" });
