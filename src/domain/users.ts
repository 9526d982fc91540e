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
