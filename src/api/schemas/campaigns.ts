import { z } from "zod";
import { requiredText } from "./fields";

export const ListCampaignDTO = z.object({ id: z.number().int(), name: z.string() }).meta({ id: "ListCampaignDTO" });

export const CampaignListDTO = z.object({ campaigns: z.array(ListCampaignDTO) }).meta({ id: "CampaignListDTO" });

export const CampaignDTO = z
  .object({
    id: z.number().int(),
    name: z.string(),
    logo: z.string().nullable(),
    url: z.string().nullable(),
    description: z.string().nullable(),
    organisations: z.array(
      z.object({ organisationId: z.number().int(), name: z.string(), slug: z.string(), logo: z.string().nullable(), url: z.string().nullable() }),
    ),
  })
  .meta({ id: "CampaignDTO" });

const editable = {
  logo: z.string().nullish().describe("Logo image URL"),
  url: z.string().nullish().describe("External URL with more about the campaign"),
  description: z.string().nullish(),
  organisations: z.array(z.number().int().positive()).max(1000).optional().describe("Organisation ids taking part"),
};

export const NewCampaignDTO = z
  .object({ name: requiredText.max(255).describe("Unique campaign name"), ...editable })
  .meta({ id: "NewCampaignDTO" });

export const UpdateCampaignDTO = z
  .object({ name: requiredText.max(255).optional(), ...editable })
  .meta({ id: "UpdateCampaignDTO", description: "Fields left out stay unchanged; organisations replaces the list" });
