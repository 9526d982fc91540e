import { z } from "zod";
import { requiredText } from "./fields";

export const MappingBadgePublicDTO = z
  .object({ id: z.number().int(), name: z.string(), description: z.string(), imagePath: z.string().nullable() })
  .meta({ id: "MappingBadgePublicDTO" });

export const MappingBadgeDTO = MappingBadgePublicDTO.extend({
  requirements: z.string().nullable(),
  isEnabled: z.boolean(),
  isInternal: z.boolean(),
}).meta({ id: "MappingBadgeDTO" });

export const MappingBadgeListDTO = z
  .object({ badges: z.array(z.union([MappingBadgeDTO, MappingBadgePublicDTO])) })
  .meta({ id: "MappingBadgeListDTO", description: "Admins see every badge in full; others the enabled public ones" });

export const MappingBadgePublicListDTO = z.object({ badges: z.array(MappingBadgePublicDTO) }).meta({ id: "MappingBadgePublicListDTO" });

const badgeFields = {
  name: requiredText.max(200),
  description: z.string().max(5000),
  imagePath: z.string().max(2000).nullish(),
  /** JSON text, e.g. `{"changeset": 100, "building": 500}`. */
  requirements: z.string().max(5000).nullish(),
  isEnabled: z.boolean(),
  isInternal: z.boolean(),
};

export const MappingBadgeCreateDTO = z
  .object({ ...badgeFields, description: badgeFields.description.default(""), isEnabled: badgeFields.isEnabled.default(false), isInternal: badgeFields.isInternal.default(false) })
  .meta({ id: "MappingBadgeCreateDTO" });

export const MappingBadgeUpdateDTO = z
  .object({ id: z.number().int().optional(), ...badgeFields })
  .partial()
  .meta({ id: "MappingBadgeUpdateDTO" });
