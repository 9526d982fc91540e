import type { ColumnType, Generated, Selectable } from "kysely";

/** Kysely's view of the tables; one interface per table, columns in snake_case as in SQL. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

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
  date_registered: Generated<Timestamp>;
  last_validation_date: Timestamp | null;
  tasks_mapped: Generated<number>;
  tasks_validated: Generated<number>;
  tasks_invalidated: Generated<number>;
}

export interface BannerTable {
  id: Generated<number>;
  message: string;
  visible: boolean;
}

export interface Database {
  users: UsersTable;
  banner: BannerTable;
}

export type UserRow = Selectable<UsersTable>;
