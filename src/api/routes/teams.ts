import { z } from "zod";
import { joinRequestsOf, projectIdsOfTeam } from "../../db/queries/teams";
import { badRequest, notFound } from "../../domain/errors";
import { broadcastContent } from "../../domain/messages";
import { assignTeam, changeTeamRole, projectTeamsDTO, removeTeamFromProject, unlinkTeams } from "../../domain/project-teams";
import {
  addMember, answerJoinRequest, createTeam, deleteTeam, joinRequestsCsv, removeMember, requestToJoin, requireManagedTeam, requireTeam,
  teamDetailsDTO, teamsListDTO, updateTeam,
} from "../../domain/teams";
import { startMessageContributors } from "../../temporal/messaging";
import { sendText } from "../http/text";
import type { RouteTable } from "../openapi/routes";
import { pathId, queryBoolean, SuccessDTO } from "../schemas/fields";
import { ProjectParams } from "../schemas/tasks";
import { ContributorsMessageBody } from "../schemas/notifications";
import {
  AddMemberBody, JoinResponseBody, NewTeamDTO, ProjectTeamPairs, ProjectTeamParams, ProjectTeamsDTO, TeamDetailsDTO, TeamParams,
  TeamRoleBody, TeamsListDTO, TeamsQuery, UnlinkedDTO, UpdateTeamDTO, UsernameBody,
} from "../schemas/teams";
import type { Services } from "../services";

const StatusDTO = z.object({ Status: z.string() });

/** Teams, their members and join requests, and the links between teams and projects (both official sides). */
export function teamRoutes(routes: RouteTable, services: Services): void {
  const { db, temporal, config } = services;

  // Registered before /teams/{team_id}/ so that "join_requests" is not read as a team id.
  routes.add({
    method: "get",
    path: "/api/v2/teams/join_requests/",
    tag: "teams",
    summary: "A team's pending join requests, as CSV",
    description: 'Columns Username, "Application Date (UTC)", Team Name. Without pending requests the official JSON message answers instead.',
    auth: "required",
    query: z.object({ team_id: pathId }),
    responses: { 200: { description: "CSV of pending requests", contentType: "text/csv", schema: z.string() } },
    handler: async ({ query, ctx }) => {
      const team = await requireTeam(db, query.team_id);
      const rows = await joinRequestsOf(db, team.id);
      if (rows.length === 0) return { message: "No inactive members found for the specified team" };
      const day = new Date().toISOString().slice(0, 10).replace(/-/g, "");
      return sendText(ctx, joinRequestsCsv(rows, team.name), "text/csv", `join_requests_${team.id}_${day}.csv`);
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/teams/",
    tag: "teams",
    summary: "Teams, filtered as officially, optionally paginated",
    description:
      "Private teams are listed only to their members (including pending requests), their organisation's managers and admins. " +
      "Without paginate=true every match answers and there is no pagination object.",
    auth: "required",
    query: TeamsQuery,
    responses: { 200: { description: "Teams, by name", schema: TeamsListDTO } },
    handler: ({ query, user }) =>
      teamsListDTO(db, user!, {
        filter: {
          name: query.team_name,
          organisationId: query.organisation,
          memberId: query.member,
          managerId: query.manager,
          requestedById: query.member_request,
          projectRole: query.team_role,
        },
        omitMembers: query.omitMemberList,
        fullMembers: query.fullMemberList,
        page: query.paginate ? { page: query.page, perPage: query.perPage } : undefined,
      }),
  });

  routes.add({
    method: "post",
    path: "/api/v2/teams/",
    tag: "teams",
    summary: "Create a team (managers of its organisation and admins)",
    description: "The creator becomes the team's first manager. 404 for an unknown organisation; 403 CreateTeamNotPermitted for others.",
    auth: "required",
    body: NewTeamDTO,
    status: 201,
    responses: { 201: { description: "Created", schema: z.object({ teamId: z.number().int() }) } },
    handler: async ({ body, user }) => ({
      teamId: await createTeam(db, user!, { ...body, organisationId: body.organisation_id }),
    }),
  });

  routes.add({
    method: "get",
    path: "/api/v2/teams/{team_id}/",
    tag: "teams",
    summary: "One team, with its members and projects",
    description: "omitMemberList=true leaves members and team_projects empty.",
    auth: "required",
    params: TeamParams,
    query: z.object({ omitMemberList: queryBoolean.default(false) }),
    responses: { 200: { description: "Team", schema: TeamDetailsDTO } },
    handler: ({ params, query, user }) => teamDetailsDTO(db, params.team_id, user, { omitMembers: query.omitMemberList }),
  });

  routes.add({
    method: "patch",
    path: "/api/v2/teams/{team_id}/",
    tag: "teams",
    summary: "Update a team (its managers, its organisation's managers, admins)",
    description: "Fields left out stay unchanged. 403 UserNotTeamManager for others; unknown member usernames answer 404 UserNotFound.",
    auth: "required",
    params: TeamParams,
    body: UpdateTeamDTO,
    responses: { 200: { description: "Updated", schema: StatusDTO } },
    handler: async ({ params, body, user }) => {
      await updateTeam(db, user!, params.team_id, { ...body, organisationId: body.organisation_id });
      return { Status: "Updated" };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/teams/{team_id}/",
    tag: "teams",
    summary: "Delete a team (its managers)",
    description: "403 UserNotTeamManager for others; refused with 400 while the team is linked to projects.",
    auth: "required",
    params: TeamParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      await deleteTeam(db, user!, params.team_id);
      return { Success: "Team deleted" };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/teams/{team_id}/actions/add/",
    tag: "teams",
    summary: "Add a user to the team, or change a member's function (team managers)",
    description: "The user becomes an active member (a pending request is accepted) and is told so. 403 UserNotTeamManager for others.",
    auth: "required",
    params: TeamParams,
    body: AddMemberBody,
    responses: { 200: { description: "Added", schema: SuccessDTO } },
    handler: async ({ params, body, user }) => {
      await addMember(db, user!, params.team_id, body);
      return { Success: "User added to the team" };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/teams/{team_id}/actions/join/",
    tag: "teams",
    summary: "Join the team, or ask to",
    description:
      "ANY: the caller becomes an active member. BY_REQUEST: a pending request, which the managers accept or reject with PATCH. " +
      "BY_INVITE: refused (400 InvalidRequest) unless the caller manages the team. Joining twice is 400 InvalidRequest.",
    auth: "required",
    params: TeamParams,
    responses: { 200: { description: "Joined or requested", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      await requestToJoin(db, user!, params.team_id);
      return { Success: "Join request successful" };
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/teams/{team_id}/actions/join/",
    tag: "teams",
    summary: "Accept or reject a request to join the team (team managers)",
    description: "403 ApproveJoinError for others; 404 when the user has not asked to join. The user is told the answer.",
    auth: "required",
    params: TeamParams,
    body: JoinResponseBody,
    responses: { 200: { description: "Answered", schema: SuccessDTO } },
    handler: async ({ params, body, user }) => {
      await answerJoinRequest(db, user!, params.team_id, body);
      return { Success: "True" };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/teams/{team_id}/actions/leave/",
    tag: "teams",
    summary: "Leave the team, or remove a member (team managers)",
    description: "Anyone may remove themselves (or withdraw a request); removing others needs a team manager (403 RemoveUserError).",
    auth: "required",
    params: TeamParams,
    body: UsernameBody,
    responses: { 200: { description: "Removed", schema: SuccessDTO } },
    handler: async ({ params, body, user }) => {
      await removeMember(db, user!, params.team_id, body.username);
      return { Success: "User removed from the team" };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/teams/{team_id}/actions/message-members/",
    tag: "teams",
    summary: "Message every active member of the team (team managers; a durable workflow)",
    description: "Each active member but the sender gets a TEAM_BROADCAST. 403 UserNotPermitted for others; 400 EmptyMessage.",
    auth: "required",
    params: TeamParams,
    body: ContributorsMessageBody,
    responses: { 200: { description: "The messaging workflow has started", schema: SuccessDTO } },
    handler: async ({ params, body, user }) => {
      const team = await requireManagedTeam(db, user, params.team_id, "UserNotPermitted");
      const content = broadcastContent(body);
      await startMessageContributors(temporal, { target: { kind: "team", id: team.id }, senderId: user!.id, ...content, batchSize: config.messaging.batchSize });
      return { Success: "Message sent successfully" };
    },
  });

  const unlinkResponses = { 200: { description: "Unlinked", schema: UnlinkedDTO } };
  const unlinkDescription =
    "Team managers only (403 UserPermissionError). Refused with 403 ProjectPermissionError when a project restricted to teams " +
    "would be left without a team that can map (or validate) it.";

  routes.add({
    method: "delete",
    path: "/api/v2/teams/projects/{project_id}/teams/{team_id}/",
    tag: "teams",
    summary: "Unlink a team from a project (team side)",
    description: unlinkDescription,
    auth: "required",
    params: ProjectTeamParams,
    responses: unlinkResponses,
    handler: async ({ params, user }) => {
      await unlinkTeams(db, user!, [{ projectId: params.project_id, teamId: params.team_id }]);
      return { Success: true };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/teams/projects/teams/{team_id}/unlink",
    tag: "teams",
    summary: "Unlink a team from every project it is linked to",
    description: `${unlinkDescription} 404 when the team has no projects. All or nothing.`,
    auth: "required",
    params: TeamParams,
    responses: unlinkResponses,
    handler: async ({ params, user }) => {
      await requireTeam(db, params.team_id);
      const projectIds = await projectIdsOfTeam(db, params.team_id);
      if (projectIds.length === 0) throw notFound(`Cannot unlink team with team id-${params.team_id}: team is not linked to any projects`);
      await unlinkTeams(db, user!, projectIds.map((projectId) => ({ projectId, teamId: params.team_id })));
      return { Success: true, Message: `Team id-${params.team_id} unlinked from projects: ${projectIds.join(", ")}` };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/teams/projects/unlink",
    tag: "teams",
    summary: "Unlink several (project, team) pairs",
    description: `${unlinkDescription} Every pair is checked before any is removed; all or nothing.`,
    auth: "required",
    body: ProjectTeamPairs,
    responses: unlinkResponses,
    handler: async ({ body, user }) => {
      if (body.items.length === 0) throw badRequest("No project/team pairs provided", "InvalidRequest");
      const pairs = await unlinkTeams(db, user!, body.items.map((i) => ({ projectId: i.project_id, teamId: i.team_id })));
      return { Success: true, Message: `Unlinked teams: ${pairs.map((p) => `(project ${p.projectId}, team ${p.teamId})`).join(", ")}` };
    },
  });

  // ---- the project side --------------------------------------------------------------------------

  routes.add({
    method: "get",
    path: "/api/v2/projects/{project_id}/teams/",
    tag: "projects",
    summary: "The teams linked to a project, with their roles",
    auth: "required",
    params: ProjectParams,
    responses: { 200: { description: "Teams, by name", schema: ProjectTeamsDTO } },
    handler: ({ params }) => projectTeamsDTO(db, params.project_id),
  });

  routes.add({
    method: "post",
    path: "/api/v2/projects/{project_id}/teams/{team_id}/",
    tag: "projects",
    summary: "Link a team to a project with a role (READ_ONLY, MAPPER, VALIDATOR, PROJECT_MANAGER)",
    description: "The caller manages both the team and the project (403 UserPermissionError); 400 InvalidRequest when already linked.",
    auth: "required",
    params: ProjectTeamParams,
    body: TeamRoleBody,
    status: 201,
    responses: { 201: { description: "Linked", schema: SuccessDTO } },
    handler: async ({ params, body, user }) => {
      await assignTeam(db, user!, params.project_id, params.team_id, body.role);
      return { Success: `Team ${params.team_id} assigned to project ${params.project_id} with role ${body.role}` };
    },
  });

  // Official paths: the first id is the team's, the second the project's.
  routes.add({
    method: "patch",
    path: "/api/v2/projects/{team_id}/projects/{project_id}/",
    tag: "projects",
    summary: "Change the role of a team on a project (project managers)",
    description: "The first path id is the team. 403 UserPermissionError for non-managers; 404 when the team is not linked.",
    auth: "required",
    params: ProjectTeamParams,
    body: TeamRoleBody,
    responses: { 200: { description: "Updated", schema: StatusDTO } },
    handler: async ({ params, body, user }) => {
      await changeTeamRole(db, user!, params.project_id, params.team_id, body.role);
      return { Status: "Team role updated successfully." };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/projects/{team_id}/projects/{project_id}/",
    tag: "projects",
    summary: "Unlink a team from a project (project managers)",
    description: "The first path id is the team. 403 UserPermissionError for non-managers; 404 when the team is not linked.",
    auth: "required",
    params: ProjectTeamParams,
    responses: { 200: { description: "Unlinked", schema: UnlinkedDTO } },
    handler: async ({ params, user }) => {
      await removeTeamFromProject(db, user!, params.project_id, params.team_id);
      return { Success: true };
    },
  });
}
