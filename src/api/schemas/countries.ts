import { z } from "zod";

export const TagsDTO = z
  .object({ tags: z.array(z.string()) })
  .meta({ id: "TagsDTO", description: "Country names, as projects are tagged with them" });
