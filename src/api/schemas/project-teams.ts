import { z } from "zod";
import { TEAM_ROLES } from "../../domain/team-enums";

/** A team linked to a project and the role its members play there (official ProjectTeamDTO). */
export const ProjectTeamDTO = z.object({ teamId: z.number().int(), name: z.string(), role: z.enum(TEAM_ROLES) }).meta({ id: "ProjectTeamDTO" });
