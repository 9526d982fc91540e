import { z } from "zod";
import { TEAM_JOIN_METHODS, TEAM_MEMBER_FUNCTIONS, TEAM_ROLES, TEAM_VISIBILITIES } from "../../domain/team-enums";
import { pathId, queryBoolean, requiredText } from "./fields";
import { ProjectTeamDTO } from "./project-teams";
import { PaginationDTO } from "./search";

/** An official enum name, accepted in any case (the official API upper-cases them). */
const anyCase = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.string().transform((v) => v.trim().toUpperCase()).pipe(z.enum(values));

const JoinMethod = anyCase(TEAM_JOIN_METHODS);
const Visibility = anyCase(TEAM_VISIBILITIES);
const MemberFunction = anyCase(TEAM_MEMBER_FUNCTIONS);
export const TeamRole = anyCase(TEAM_ROLES);

export const TeamParams = z.object({ team_id: pathId });
export const ProjectTeamParams = z.object({ project_id: pathId, team_id: pathId });

export const TeamMembersDTO = z
  .object({
    username: z.string(),
    function: z.enum(TEAM_MEMBER_FUNCTIONS),
    active: z.boolean().describe("false: a pending join request"),
    joinRequestNotifications: z.boolean(),
    pictureUrl: z.string().nullable(),
    joinedDate: z.iso.datetime(),
  })
  .meta({ id: "TeamMembersDTO" });

const teamFields = {
  teamId: z.number().int(),
  name: z.string(),
  logo: z.string().nullable().describe("The team's logo, else its organisation's"),
  description: z.string().nullable(),
  joinMethod: z.enum(TEAM_JOIN_METHODS),
  visibility: z.enum(TEAM_VISIBILITIES),
  members: z.array(TeamMembersDTO),
};

export const TeamDTO = z
  .object({
    ...teamFields,
    organisationId: z.number().int(),
    organisation: z.string(),
    membersCount: z.number().int().describe("Active members with the MEMBER function"),
    managersCount: z.number().int().describe("Active members with the MANAGER function"),
  })
  .meta({ id: "TeamDTO" });

export const TeamsListDTO = z.object({ teams: z.array(TeamDTO), pagination: PaginationDTO.optional() }).meta({ id: "TeamsListDTO" });

export const TeamDetailsDTO = z
  .object({
    ...teamFields,
    organisation_id: z.number().int(),
    organisation: z.string(),
    organisationSlug: z.string(),
    is_org_admin: z.boolean().describe("The caller manages the team's organisation"),
    is_general_admin: z.boolean().describe("The caller is an admin"),
    team_projects: z.array(z.object({ project_name: z.string(), project_id: z.number().int(), role: z.enum(TEAM_ROLES) }).meta({ id: "TeamProjectDTO" })),
  })
  .meta({ id: "TeamDetailsDTO" });

export const ProjectTeamsDTO = z.object({ teams: z.array(ProjectTeamDTO) }).meta({ id: "ListTeamsDTO" });

export const TeamsQuery = z.object({
  team_name: z.string().optional().describe("Part of the team's name (case-insensitive)"),
  member: pathId.optional().describe("Teams this user is an active member of"),
  manager: pathId.optional().describe("Teams this user manages (as a team manager or a manager of its organisation)"),
  member_request: pathId.optional().describe("Teams this user has asked to join"),
  team_role: TeamRole.optional().describe("Teams linked to a project with this role"),
  organisation: pathId.optional().describe("Teams of this organisation"),
  omitMemberList: queryBoolean.default(false),
  fullMemberList: queryBoolean.default(true).describe("false: at most 10 active managers and 10 active members per team"),
  paginate: queryBoolean.default(false),
  page: pathId.default(1),
  perPage: pathId.max(100).default(10),
});

export const NewTeamDTO = z
  .object({
    organisation_id: z.number().int().positive(),
    name: requiredText.max(512),
    logo: z.string().nullish(),
    description: z.string().nullish(),
    joinMethod: JoinMethod,
    visibility: Visibility,
  })
  .meta({ id: "NewTeamDTO" });

export const UpdateTeamDTO = z
  .object({
    name: requiredText.max(512).optional(),
    logo: z.string().nullish(),
    description: z.string().nullish(),
    joinMethod: JoinMethod.optional(),
    visibility: Visibility.optional(),
    organisation_id: z.number().int().positive().optional().describe("Moves the team to this organisation (its managers only)"),
    organisation: requiredText.optional().describe("The same, by organisation name"),
    members: z
      .array(
        z.object({
          username: requiredText,
          function: MemberFunction.optional(),
          active: z.boolean().optional(),
          joinRequestNotifications: z.boolean().optional(),
        }),
      )
      .optional()
      .describe("When not empty, replaces the member list: users left out are removed"),
  })
  .meta({ id: "UpdateTeamDTO" });

export const UsernameBody = z.object({ username: requiredText });

export const AddMemberBody = z.object({ username: requiredText, role: MemberFunction.optional().describe("MANAGER or MEMBER (default)") });

export const JoinResponseBody = z.object({
  username: requiredText.describe("Who asked to join"),
  type: z.literal("join-response").default("join-response"),
  action: z.enum(["accept", "reject"]),
  role: z.string().optional().describe("Accepted for compatibility; the member keeps the MEMBER function"),
});

export const TeamRoleBody = z.object({ role: TeamRole });

export const ProjectTeamPairs = z
  .object({ items: z.array(z.object({ project_id: z.number().int().positive(), team_id: z.number().int().positive() })).max(1000) })
  .meta({ id: "ProjectTeamPairDTOList" });

export const UnlinkedDTO = z.object({ Success: z.literal(true), Message: z.string().optional() });
