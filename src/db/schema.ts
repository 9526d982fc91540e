import type { ColumnType, Generated, Selectable } from "kysely";

/** Kysely's view of the tables; one interface per table, columns in snake_case as in SQL. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface UsersTable {
  id: number;
  username: string;
  role: "READ_ONLY" | "MAPPER" | "ADMIN";
  mapping_level: string;
  email_address: string | null;
  is_email_verified: Generated<boolean>;
  is_expert: Generated<boolean>;
  twitter_id: string | null;
  facebook_id: string | null;
  linkedin_id: string | null;
  slack_id: string | null;
  irc_id: string | null;
  skype_id: string | null;
  city: string | null;
  country: string | null;
  name: string | null;
  picture_url: string | null;
  default_editor: Generated<string>;
  mentions_notifications: Generated<boolean>;
  questions_and_comments_notifications: Generated<boolean>;
  projects_notifications: Generated<boolean>;
  tasks_notifications: Generated<boolean>;
  task_validation_notification: Generated<boolean>;
  task_invalidation_notification: Generated<boolean>;
  task_comments_notifications: Generated<boolean>;
  teams_announcement_notifications: Generated<boolean>;
  gender: string | null;
  self_description_gender: string | null;
  date_registered: Timestamp;
  last_validation_date: NullableTimestamp;
  tasks_mapped: Generated<number>;
  tasks_validated: Generated<number>;
  tasks_invalidated: Generated<number>;
}

export interface BannerTable {
  id: Generated<number>;
  message: string;
  visible: boolean;
}

export type TaskStatus =
  | "READY"
  | "LOCKED_FOR_MAPPING"
  | "MAPPED"
  | "LOCKED_FOR_VALIDATION"
  | "VALIDATED"
  | "INVALIDATED"
  | "BADIMAGERY"
  | "SPLIT";

export interface OrganisationsTable {
  id: Generated<number>;
  name: string;
  slug: string;
  logo: string | null;
  description: string | null;
  url: string | null;
  type: Generated<"FREE" | "DISCOUNTED" | "FULL_FEE">;
  subscription_tier: number | null;
}

export interface OrganisationManagersTable {
  organisation_id: number;
  user_id: number;
}

export interface LicensesTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  plain_text: string | null;
}

export interface UserLicensesTable {
  user_id: number;
  license_id: number;
}

export interface InterestsTable {
  id: Generated<number>;
  name: string;
}

export interface UserInterestsTable {
  user_id: number;
  interest_id: number;
}

export interface CampaignsTable {
  id: Generated<number>;
  name: string;
  logo: string | null;
  url: string | null;
  description: string | null;
}

export interface CampaignOrganisationsTable {
  campaign_id: number;
  organisation_id: number;
}

export interface CampaignProjectsTable {
  campaign_id: number;
  project_id: number;
}

export interface ProjectsTable {
  id: Generated<number>;
  status: Generated<"ARCHIVED" | "PUBLISHED" | "DRAFT">;
  created: Timestamp;
  last_updated: Timestamp;
  due_date: NullableTimestamp;
  author_id: number;
  organisation_id: number;
  priority: Generated<"URGENT" | "HIGH" | "MEDIUM" | "LOW">;
  difficulty: Generated<"EASY" | "MODERATE" | "CHALLENGING">;
  default_locale: Generated<string>;
  mapping_permission: Generated<string>;
  validation_permission: Generated<string>;
  mapping_permission_level_id: number | null;
  validation_permission_level_id: number | null;
  enforce_random_task_selection: Generated<boolean>;
  private: Generated<boolean>;
  featured: Generated<boolean>;
  changeset_comment: string | null;
  osmcha_filter_id: string | null;
  imagery: string | null;
  josm_preset: string | null;
  id_presets: Generated<string[]>;
  extra_id_params: string | null;
  rapid_power_user: Generated<boolean>;
  mapping_types: Generated<string[]>;
  mapping_editors: Generated<string[]>;
  validation_editors: Generated<string[]>;
  license_id: number | null;
  country_tag: Generated<string[]>;
  task_creation_mode: Generated<"GRID" | "ARBITRARY">;
  geometry: ColumnType<string, unknown, unknown>;
  centroid: ColumnType<string, unknown, unknown>;
  total_tasks: ColumnType<number, never, never>;
  tasks_mapped: ColumnType<number, never, never>;
  tasks_validated: ColumnType<number, never, never>;
  tasks_bad_imagery: ColumnType<number, never, never>;
}

export interface ProjectInfoTable {
  project_id: number;
  locale: string;
  name: string | null;
  short_description: string | null;
  description: string | null;
  instructions: string | null;
  per_task_instructions: string | null;
  text_searchable: ColumnType<string, never, never>;
}

export interface ProjectCustomEditorsTable {
  project_id: number;
  name: string;
  description: string | null;
  url: string;
}

export interface ProjectPriorityAreasTable {
  id: Generated<number>;
  project_id: number;
  geometry: ColumnType<string, unknown, unknown>;
}

export interface ProjectUserLinkTable {
  project_id: number;
  user_id: number;
}

export interface ProjectInterestsTable {
  project_id: number;
  interest_id: number;
}

export interface TasksTable {
  project_id: number;
  id: number;
  x: number | null;
  y: number | null;
  zoom: number | null;
  is_square: Generated<boolean>;
  geometry: ColumnType<string, unknown, unknown>;
  task_status: Generated<TaskStatus>;
  locked_by: number | null;
  locked_at: NullableTimestamp;
  lock_expires_at: NullableTimestamp;
  status_before_lock: TaskStatus | null;
  lock_token: string | null;
  lock_workflow_id: string | null;
  mapped_by: number | null;
  validated_by: number | null;
  parent_task_id: number | null;
  extra_properties: unknown | null;
}

export interface TaskHistoryTable {
  id: Generated<number>;
  project_id: number;
  task_id: number;
  action: string;
  action_text: string | null;
  action_date: Timestamp;
  user_id: number;
  idempotency_key: string | null;
}

export interface MappingIssueCategoriesTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  archived: Generated<boolean>;
}

export interface TaskMappingIssuesTable {
  id: Generated<number>;
  task_history_id: number;
  issue: string;
  mapping_issue_category_id: number;
  count: number;
}

export interface TaskInvalidationHistoryTable {
  id: Generated<number>;
  project_id: number;
  task_id: number;
  is_closed: Generated<boolean>;
  mapper_id: number | null;
  mapped_date: NullableTimestamp;
  invalidator_id: number | null;
  invalidated_date: NullableTimestamp;
  invalidation_history_id: number | null;
  validator_id: number | null;
  validated_date: NullableTimestamp;
  updated_date: Timestamp;
}

/** Natural Earth country boundaries (migration 0003), for tagging projects offline. */
export interface CountriesTable {
  id: Generated<number>;
  name: string;
  geometry: ColumnType<string, unknown, unknown>;
}

/** The notifications inbox (migration 0008); message_type holds the official MessageType names. */
export interface MessagesTable {
  id: Generated<number>;
  message: string | null;
  subject: string | null;
  from_user_id: number | null;
  to_user_id: number;
  project_id: number | null;
  task_id: number | null;
  message_type: string;
  date: Timestamp;
  read: Generated<boolean>;
  idempotency_key: string | null;
  emailed_at: NullableTimestamp;
}

/** When each user last checked their notifications. */
export interface NotificationsTable {
  user_id: number;
  date: Timestamp;
}

/** The recipients a message-contributors workflow fixed when it started. */
export interface MessageRecipientsTable {
  workflow_id: string;
  seq: number;
  user_id: number;
}

/** Project chat messages (migration 0012). */
export interface ProjectChatTable {
  id: Generated<number>;
  project_id: number;
  user_id: number;
  time_stamp: Timestamp;
  message: string;
}

/** Annotations outside tools attach to tasks (migration 0012), one per project, task and type. */
export interface TaskAnnotationsTable {
  id: Generated<number>;
  project_id: number;
  task_id: number;
  annotation_type: string;
  annotation_source: string | null;
  annotation_markdown: string | null;
  updated_timestamp: Timestamp;
  properties: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export type TeamJoinMethod = "ANY" | "BY_REQUEST" | "BY_INVITE";
export type TeamVisibility = "PUBLIC" | "PRIVATE";
export type TeamMemberFunction = "MANAGER" | "MEMBER";
export type TeamRole = "READ_ONLY" | "MAPPER" | "VALIDATOR" | "PROJECT_MANAGER";

export interface TeamsTable {
  id: Generated<number>;
  organisation_id: number;
  name: string;
  logo: string | null;
  description: string | null;
  join_method: ColumnType<TeamJoinMethod, TeamJoinMethod | undefined, TeamJoinMethod>;
  visibility: ColumnType<TeamVisibility, TeamVisibility | undefined, TeamVisibility>;
  created: Timestamp;
}

/** A member of a team; an inactive member is a pending join request. */
export interface TeamMembersTable {
  team_id: number;
  user_id: number;
  function: ColumnType<TeamMemberFunction, TeamMemberFunction | undefined, TeamMemberFunction>;
  active: Generated<boolean>;
  join_request_notifications: Generated<boolean>;
  joined_date: Timestamp;
}

/** A team linked to a project, with the role its members play there. */
export interface ProjectTeamsTable {
  team_id: number;
  project_id: number;
  role: TeamRole;
}

/** Mapping levels (migration 0010); users.mapping_level holds a level's name. */
export interface MappingLevelsTable {
  id: Generated<number>;
  name: string;
  image_path: string | null;
  approvals_required: Generated<number>;
  color: string | null;
  ordering: number;
  is_beginner: Generated<boolean>;
}

export interface MappingBadgesTable {
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  image_path: string | null;
  /** JSON text: statistic name → value needed. */
  requirements: string | null;
  is_enabled: Generated<boolean>;
  is_internal: Generated<boolean>;
}

export interface MappingLevelBadgesTable {
  level_id: number;
  badge_id: number;
}

export interface UserBadgesTable {
  user_id: number;
  badge_id: number;
  assigned_date: Timestamp;
}

export interface UserNextLevelTable {
  user_id: number;
  level_id: number;
  nomination_date: Timestamp;
}

export interface UserLevelVotesTable {
  user_id: number;
  level_id: number;
  voter_id: number;
  vote_date: Timestamp;
}

export interface UserStatsTable {
  user_id: number;
  stats: ColumnType<Record<string, number>, string, string>;
  date_obtained: Timestamp;
}

export interface UsersWithEmailTable {
  id: Generated<number>;
  email: string;
}

/** Partners (migration 0011); website_links is a JSON array of {name, url}. */
export interface PartnersTable {
  id: Generated<number>;
  name: string;
  primary_hashtag: string;
  secondary_hashtag: string | null;
  logo_url: string | null;
  link_meta: string | null;
  link_x: string | null;
  link_instagram: string | null;
  current_projects: string | null;
  permalink: string | null;
  website_links: ColumnType<WebsiteLink[], string | undefined, string>;
  mapswipe_group_id: string | null;
}

export interface WebsiteLink {
  name: string;
  url: string;
}

/** A partner linked to a project from started_on until ended_on (open-ended when null). */
export interface ProjectPartnershipsTable {
  id: Generated<number>;
  project_id: number;
  partner_id: number;
  started_on: Timestamp;
  ended_on: NullableTimestamp;
}

export interface ProjectPartnershipHistoryTable {
  id: Generated<number>;
  partnership_id: number;
  project_id: number;
  partner_id: number;
  started_on_old: NullableTimestamp;
  ended_on_old: NullableTimestamp;
  started_on_new: NullableTimestamp;
  ended_on_new: NullableTimestamp;
  action: "CREATE" | "DELETE" | "UPDATE";
  action_date: Timestamp;
}

/** Application keys: credentials a user creates for scripts. */
export interface ApplicationKeysTable {
  id: Generated<number>;
  user_id: number;
  app_key: string;
  created: Timestamp;
}

/** The latest official release fetched by POST /system/release/ (one row). */
export interface ReleaseVersionTable {
  tag_name: string;
  published_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  banner: BannerTable;
  organisations: OrganisationsTable;
  organisation_managers: OrganisationManagersTable;
  licenses: LicensesTable;
  user_licenses: UserLicensesTable;
  interests: InterestsTable;
  user_interests: UserInterestsTable;
  campaigns: CampaignsTable;
  campaign_organisations: CampaignOrganisationsTable;
  campaign_projects: CampaignProjectsTable;
  projects: ProjectsTable;
  project_info: ProjectInfoTable;
  project_custom_editors: ProjectCustomEditorsTable;
  project_priority_areas: ProjectPriorityAreasTable;
  project_allowed_users: ProjectUserLinkTable;
  project_favorites: ProjectUserLinkTable;
  project_interests: ProjectInterestsTable;
  tasks: TasksTable;
  task_history: TaskHistoryTable;
  mapping_issue_categories: MappingIssueCategoriesTable;
  task_mapping_issues: TaskMappingIssuesTable;
  task_invalidation_history: TaskInvalidationHistoryTable;
  countries: CountriesTable;
  messages: MessagesTable;
  notifications: NotificationsTable;
  message_recipients: MessageRecipientsTable;
  project_chat: ProjectChatTable;
  task_annotations: TaskAnnotationsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  project_teams: ProjectTeamsTable;
  mapping_levels: MappingLevelsTable;
  mapping_badges: MappingBadgesTable;
  mapping_level_badges: MappingLevelBadgesTable;
  user_badges: UserBadgesTable;
  user_next_level: UserNextLevelTable;
  user_level_votes: UserLevelVotesTable;
  user_stats: UserStatsTable;
  users_with_email: UsersWithEmailTable;
  partners: PartnersTable;
  project_partnerships: ProjectPartnershipsTable;
  project_partnership_history: ProjectPartnershipHistoryTable;
  application_keys: ApplicationKeysTable;
  release_version: ReleaseVersionTable;
}

export type UserRow = Selectable<UsersTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type TaskRow = Selectable<TasksTable>;
export type OrganisationRow = Selectable<OrganisationsTable>;
export type TeamRow = Selectable<TeamsTable>;
export type MappingLevelRow = Selectable<MappingLevelsTable>;
export type MappingBadgeRow = Selectable<MappingBadgesTable>;
