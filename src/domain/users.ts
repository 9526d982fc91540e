import type { Updateable } from "kysely";
import type { UsersTable } from "../db/schema";
import type { UserRow } from "../db/schema";

/**
 * UserDTO as the official API serialises it. Private contact fields are only shown to the user
 * themselves and to admins.
 */
export function toUserDTO(user: UserRow, viewer: UserRow | undefined, projectsMapped: number | null = null) {
  const mayseePrivate = viewer !== undefined && (viewer.id === user.id || viewer.role === "ADMIN");
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    mappingLevel: user.mapping_level,
    projectsMapped,
    emailAddress: mayseePrivate ? user.email_address : null,
    isEmailVerified: user.is_email_verified,
    isExpert: user.is_expert,
    twitterId: user.twitter_id,
    facebookId: user.facebook_id,
    linkedinId: user.linkedin_id,
    slackId: user.slack_id,
    ircId: user.irc_id,
    skypeId: user.skype_id,
    city: user.city,
    country: user.country,
    name: user.name,
    pictureUrl: user.picture_url,
    defaultEditor: user.default_editor,
    mentionsNotifications: user.mentions_notifications,
    questionsAndCommentsNotifications: user.questions_and_comments_notifications,
    projectsNotifications: user.projects_notifications,
    tasksNotifications: user.tasks_notifications,
    taskValidationNotification: user.task_validation_notification,
    taskInvalidationNotification: user.task_invalidation_notification,
    taskCommentsNotifications: user.task_comments_notifications,
    teamsAnnouncementNotifications: user.teams_announcement_notifications,
    gender: mayseePrivate ? user.gender : null,
    selfDescriptionGender: mayseePrivate ? user.self_description_gender : null,
  };
}

export interface ProfileUpdate {
  name?: string | null;
  city?: string | null;
  country?: string | null;
  emailAddress?: string | null;
  twitterId?: string | null;
  facebookId?: string | null;
  linkedinId?: string | null;
  slackId?: string | null;
  ircId?: string | null;
  skypeId?: string | null;
  pictureUrl?: string | null;
  defaultEditor?: string;
  gender?: string | null;
  selfDescriptionGender?: string | null;
  mentionsNotifications?: boolean;
  questionsAndCommentsNotifications?: boolean;
  projectsNotifications?: boolean;
  tasksNotifications?: boolean;
  taskValidationNotification?: boolean;
  taskInvalidationNotification?: boolean;
  taskCommentsNotifications?: boolean;
  teamsAnnouncementNotifications?: boolean;
}

const PROFILE_COLUMNS: Record<keyof ProfileUpdate, keyof UsersTable> = {
  name: "name", city: "city", country: "country", emailAddress: "email_address", twitterId: "twitter_id",
  facebookId: "facebook_id", linkedinId: "linkedin_id", slackId: "slack_id", ircId: "irc_id", skypeId: "skype_id",
  pictureUrl: "picture_url", defaultEditor: "default_editor", gender: "gender", selfDescriptionGender: "self_description_gender",
  mentionsNotifications: "mentions_notifications", questionsAndCommentsNotifications: "questions_and_comments_notifications",
  projectsNotifications: "projects_notifications", tasksNotifications: "tasks_notifications",
  taskValidationNotification: "task_validation_notification", taskInvalidationNotification: "task_invalidation_notification",
  taskCommentsNotifications: "task_comments_notifications", teamsAnnouncementNotifications: "teams_announcement_notifications",
};

/**
 * The columns a profile edit sets. An empty email clears it; a new email is stored lower-case and
 * unverified. A gender other than SELF_DESCRIBE drops the self-description.
 */
export function profileColumns(current: UserRow, update: ProfileUpdate): { columns: Updateable<UsersTable>; emailChanged: boolean } {
  const columns: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(PROFILE_COLUMNS) as [keyof ProfileUpdate, keyof UsersTable][]) {
    if (update[field] !== undefined) columns[column] = update[field];
  }
  let emailChanged = false;
  if (update.emailAddress !== undefined) {
    const email = update.emailAddress ? update.emailAddress.toLowerCase() : null;
    columns.email_address = email;
    emailChanged = email !== null && email !== current.email_address?.toLowerCase();
    if (emailChanged || email === null) columns.is_email_verified = false;
  }
  if (update.gender !== undefined && update.gender !== "SELF_DESCRIBE") columns.self_description_gender = null;
  return { columns: columns as Updateable<UsersTable>, emailChanged };
}
