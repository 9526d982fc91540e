import type { TeamJoinMethod, TeamMemberFunction, TeamRole, TeamVisibility } from "../db/schema";

/** The official team enums (enums.md), as they travel on the wire and are stored. */
export const TEAM_JOIN_METHODS = ["ANY", "BY_REQUEST", "BY_INVITE"] as const satisfies readonly TeamJoinMethod[];
export const TEAM_VISIBILITIES = ["PUBLIC", "PRIVATE"] as const satisfies readonly TeamVisibility[];
export const TEAM_MEMBER_FUNCTIONS = ["MANAGER", "MEMBER"] as const satisfies readonly TeamMemberFunction[];
export const TEAM_ROLES = ["READ_ONLY", "MAPPER", "VALIDATOR", "PROJECT_MANAGER"] as const satisfies readonly TeamRole[];
