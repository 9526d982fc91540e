import { z } from "zod";
import { pathId, queryBoolean } from "./fields";
import { InterestDTO } from "./interests";
import { Editor, ProjectDTO } from "./projects";
import { commaList, isoDate, ListSearchResultDTO, PaginationDTO, PROJECT_STATUSES } from "./search";
import { TaskDTO } from "./tasks";

export const UserDTO = z
  .object({
    id: z.number().int(),
    username: z.string(),
    role: z.enum(["READ_ONLY", "MAPPER", "ADMIN"]),
    mappingLevel: z.string(),
    projectsMapped: z.number().int().nullable(),
    emailAddress: z.string().nullable(),
    isEmailVerified: z.boolean(),
    isExpert: z.boolean(),
    twitterId: z.string().nullable(),
    facebookId: z.string().nullable(),
    linkedinId: z.string().nullable(),
    slackId: z.string().nullable(),
    ircId: z.string().nullable(),
    skypeId: z.string().nullable(),
    city: z.string().nullable(),
    country: z.string().nullable(),
    name: z.string().nullable(),
    pictureUrl: z.string().nullable(),
    defaultEditor: z.string(),
    mentionsNotifications: z.boolean(),
    questionsAndCommentsNotifications: z.boolean(),
    projectsNotifications: z.boolean(),
    tasksNotifications: z.boolean(),
    taskValidationNotification: z.boolean(),
    taskInvalidationNotification: z.boolean(),
    taskCommentsNotifications: z.boolean(),
    teamsAnnouncementNotifications: z.boolean(),
    gender: z.string().nullable(),
    selfDescriptionGender: z.string().nullable(),
  })
  .meta({ id: "UserDTO" });

export const USER_ROLES = ["READ_ONLY", "MAPPER", "ADMIN"] as const;
export const GENDERS = ["MALE", "FEMALE", "SELF_DESCRIBE", "PREFER_NOT"] as const;
const TASK_STATUSES = ["READY", "LOCKED_FOR_MAPPING", "MAPPED", "LOCKED_FOR_VALIDATION", "VALIDATED", "INVALIDATED", "BADIMAGERY", "SPLIT"] as const;

const pageNumber = z.coerce.number().int().min(1).max(100000);
const upper = (values: readonly string[]) => z.string().transform((v) => v.toUpperCase()).pipe(z.enum(values as [string, ...string[]]));

export const UserIdParams = z.object({ user_id: pathId });
export const UsernameParams = z.object({ username: z.string().min(1).max(255) });

export const UserSearchQuery = z.object({
  username: z.string().max(255).optional(),
  role: commaList(upper(USER_ROLES)).optional(),
  level: commaList(z.string().min(1).max(100)).optional(),
  page: pageNumber.default(1),
  pagination: queryBoolean.default(true),
  perPage: z.coerce.number().int().min(1).max(1000).optional(),
  per_page: z.coerce.number().int().min(1).max(1000).optional(),
});

export const ListedUser = z
  .object({ id: z.number(), username: z.string(), role: z.string(), mappingLevel: z.string(), pictureUrl: z.string().nullable() })
  .meta({ id: "ListedUser" });

export const UserSearchDTO = z
  .object({ pagination: PaginationDTO.nullable(), users: z.array(ListedUser) })
  .meta({ id: "UserSearchDTO", description: "pagination is null with pagination=false" });

export const UserFilterQuery = z.object({ page: pageNumber.default(1), projectId: pathId.optional() });

export const UserFilterDTO = z
  .object({
    pagination: PaginationDTO,
    usernames: z.array(z.string()),
    users: z.array(z.object({ username: z.string(), projectId: z.number(), isParticipant: z.boolean() })).optional(),
  })
  .meta({ id: "UserFilterDTO", description: "users (with isParticipant) only when projectId is given" });

export const UserRegisterEmailInput = z.object({ email: z.string().trim().email().max(320) }).meta({ id: "UserRegisterEmailInput" });

export const UserRegisterEmailDTO = z
  .object({ id: z.number().int(), email: z.string(), success: z.boolean(), details: z.string() })
  .meta({ id: "UserRegisterEmailDTO" });

const optionalText = z.string().trim().max(255).nullish();

/** The profile fields a user may change on their own account (the official UserDTO names). */
export const UpdateUserDTO = z
  .object({
    id: z.number().int(),
    name: optionalText,
    city: optionalText,
    country: optionalText,
    emailAddress: z.union([z.literal(""), z.string().trim().email().max(320)]).nullish(),
    twitterId: optionalText,
    facebookId: optionalText,
    linkedinId: optionalText,
    slackId: optionalText,
    ircId: optionalText,
    skypeId: optionalText,
    pictureUrl: z.string().trim().max(2000).nullish(),
    defaultEditor: Editor.optional(),
    gender: z.enum(GENDERS).nullish(),
    selfDescriptionGender: optionalText,
    mentionsNotifications: z.boolean().optional(),
    questionsAndCommentsNotifications: z.boolean().optional(),
    projectsNotifications: z.boolean().optional(),
    tasksNotifications: z.boolean().optional(),
    taskValidationNotification: z.boolean().optional(),
    taskInvalidationNotification: z.boolean().optional(),
    taskCommentsNotifications: z.boolean().optional(),
    teamsAnnouncementNotifications: z.boolean().optional(),
  })
  .refine((u) => u.gender !== "SELF_DESCRIBE" || (u.selfDescriptionGender ?? "").length > 0, {
    message: "selfDescriptionGender is required when gender is SELF_DESCRIBE",
    path: ["selfDescriptionGender"],
  })
  .meta({ id: "UpdateUserDTO", description: "id must be the logged-in user's; other fields left out stay unchanged" });

export const SetInterestsDTO = z.object({ interests: z.array(z.number().int().positive()).max(1000) }).meta({ id: "SetInterestsDTO" });

export const UserInterestsDTO = z.object({ interests: z.array(InterestDTO) }).meta({ id: "UserInterestsDTO" });

export const InterestRateListDTO = z
  .object({ rates: z.array(z.object({ name: z.string(), rate: z.number() })) })
  .meta({ id: "InterestRateListDTO" });

export const UsersStatisticsQuery = z.object({ startDate: isoDate, endDate: isoDate.optional() });

export const GeneralUserStatsDTO = z
  .object({
    total: z.number().int(),
    beginnerMappers: z.number().int(),
    intermediateMappers: z.number().int(),
    advancedMappers: z.number().int(),
    contributed: z.number().int(),
    emailVerified: z.number().int(),
    genders: z.object({ male: z.number().int(), female: z.number().int(), preferNotIdentify: z.number().int(), selfDescribe: z.number().int() }),
  })
  .meta({ id: "UserRegistrationStatsDTO" });

export const UserNextLevelDTO = z
  .object({ nextLevel: z.string().nullable(), aggregatedProgress: z.number(), aggregatedGoal: z.number(), metrics: z.array(z.string()) })
  .meta({ id: "UserNextLevelDTO", description: "nextLevel is null at the highest level" });

export const OhsomeQuery = z.object({ url: z.string().min(1).max(4000) });

export const UserOSMDTO = z
  .object({ accountCreated: z.string().nullable(), changesetCount: z.number().int().nullable() })
  .meta({ id: "UserOSMDTO" });

export const UserTasksQuery = z.object({
  status: upper(TASK_STATUSES).optional(),
  project_status: upper(PROJECT_STATUSES).optional(),
  project_id: pathId.optional(),
  start_date: isoDate.optional(),
  end_date: isoDate.optional(),
  sort_by: z.enum(["action_date", "-action_date", "project_id", "-project_id"]).optional(),
  page: pageNumber.default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(10),
});

export const UserTaskDTOs = z.object({ tasks: z.array(TaskDTO), pagination: PaginationDTO }).meta({ id: "UserTaskDTOs" });

export const ExpertModeParams = z.object({ user_name: z.string().min(1), is_expert: z.enum(["true", "false"]) });
export const SetLevelParams = UsernameParams.extend({ level: z.string().min(1).max(100) });
export const SetRoleParams = UsernameParams.extend({ role: z.string().min(1).max(50) });

export const ProjectFavoritesDTO = z.object({ favoritedProjects: z.array(ProjectDTO) }).meta({ id: "ProjectFavoritesDTO" });

export const RecommendedProjectsDTO = z
  .object({ mapResults: z.null(), results: z.array(ListSearchResultDTO), pagination: z.null() })
  .meta({ id: "RecommendedProjectsDTO" });

export const UserStatsDTO = z
  .object({
    totalTimeSpent: z.number().int(),
    timeSpentMapping: z.number().int(),
    timeSpentValidating: z.number().int(),
    projectsMapped: z.number().int(),
    countriesContributed: z.object({
      countries: z.array(z.object({ name: z.string(), mapped: z.number().int(), validated: z.number().int(), total: z.number().int() })),
      total: z.number().int(),
    }),
    contributionsByDay: z.array(z.object({ date: z.string(), count: z.number().int() })),
    tasksMapped: z.number().int(),
    tasksValidated: z.number().int(),
    tasksInvalidated: z.number().int(),
    tasksInvalidatedByOthers: z.number().int(),
    tasksValidatedByOthers: z.number().int(),
    ContributionsByInterest: z.array(InterestDTO),
  })
  .meta({ id: "UserStatsDTO" });
