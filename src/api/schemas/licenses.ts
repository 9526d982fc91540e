import { z } from "zod";
import { requiredText } from "./fields";

export const LicenseDTO = z
  .object({
    licenseId: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    plainText: z.string().nullable(),
  })
  .meta({ id: "LicenseDTO" });

export const LicenseListDTO = z.object({ licenses: z.array(LicenseDTO) }).meta({ id: "LicenseListDTO" });

export const NewLicenseDTO = z
  .object({
    name: requiredText.max(200),
    description: z.string().nullish(),
    plainText: z.string().nullish(),
  })
  .meta({ id: "NewLicenseDTO" });

export const UpdateLicenseDTO = NewLicenseDTO.partial()
  .refine((v) => Object.keys(v).length > 0, "give at least one of name, description, plainText")
  .meta({ id: "UpdateLicenseDTO" });
