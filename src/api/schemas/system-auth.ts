import { z } from "zod";

export const ApplicationDTO = z
  .object({
    keyId: z.number().int(),
    userId: z.number().int(),
    applicationkey: z.string(),
    createdDate: z.string(),
  })
  .meta({ id: "ApplicationDTO" });

export const ApplicationsDTO = z.object({ applications: z.array(ApplicationDTO) }).meta({ id: "ApplicationsDTO" });

export const LoginURLDTO = z.object({ auth_url: z.string(), state: z.string() }).meta({ id: "LoginURLDTO" });

export const SessionDTO = z
  .object({
    username: z.string(),
    session_token: z.string(),
    picture: z.string().nullable(),
    osm_oauth_token: z.string(),
  })
  .meta({ id: "SessionDTO", description: "Send session_token as 'Authorization: Token <session_token>'" });
