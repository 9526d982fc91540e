import { z } from "zod";

export const BannerDTO = z.object({ message: z.string(), visible: z.boolean() }).meta({ id: "BannerDTO" });

export const SettingsDTO = z
  .object({
    mapperLevelIntermediate: z.number().int(),
    mapperLevelAdvanced: z.number().int(),
    supportedLanguages: z.array(z.object({ code: z.string(), language: z.string() })),
  })
  .meta({ id: "SettingsDTO" });

export const HomePageStatsDTO = z
  .object({
    mappersOnline: z.number().int(),
    totalArea: z.number().int(),
    tasksMapped: z.number().int(),
    tasksValidated: z.number().int(),
    totalMappers: z.number().int(),
    totalValidators: z.number().int(),
    totalProjects: z.number().int(),
    totalMappedArea: z.number().nullable(),
    totalValidatedArea: z.number().nullable(),
    totalOrganisations: z.number().int(),
    totalCampaigns: z.number().int(),
    averageCompletionTime: z.number().int().nullable(),
  })
  .meta({ id: "HomePageStatsDTO" });
