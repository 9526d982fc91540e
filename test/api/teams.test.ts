import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertOrganisation, insertProject } from "../helpers/fixtures";
import { waitUntil } from "../helpers/process";
import { insertTeam, linkTeam } from "../helpers/teams";

const TEAM_DETAILS_FIELDS = [
  "teamId", "organisation_id", "organisation", "organisationSlug", "name", "logo", "description", "joinMethod", "visibility",
  "is_org_admin", "is_general_admin", "members", "team_projects",
].sort();
const TEAM_LIST_FIELDS = [
  "teamId", "organisationId", "organisation", "name", "logo", "description", "joinMethod", "visibility", "members", "membersCount", "managersCount",
].sort();
const MEMBER_FIELDS = ["username", "function", "active", "joinRequestNotifications", "pictureUrl", "joinedDate"].sort();

describe("teams", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  /** An organisation with a manager, a team (created through the API by that manager) and some users. */
  async function scenario(team: { joinMethod?: string; visibility?: string } = {}) {
    const orgManager = await app.user("MAPPER");
    const org = await insertOrganisation(app.services.db, [orgManager.id]);
    const name = `Team ${org.id} ${Math.random().toString(36).slice(2, 7)}`;
    const created = await app.request("POST", "/api/v2/teams/", {
      token: orgManager.token,
      body: { organisation_id: org.id, name, description: "Field mappers", joinMethod: team.joinMethod ?? "ANY", visibility: team.visibility ?? "PUBLIC" },
    });
    expect(created.status).toBe(201);
    return { orgManager, org, teamId: created.body.teamId as number, name };
  }

  const members = (teamId: number) =>
    app.services.db.selectFrom("team_members").select(["user_id", "function", "active"]).where("team_id", "=", teamId).orderBy("user_id").execute();
  const inbox = (userId: number) =>
    app.services.db.selectFrom("messages").select(["message_type", "subject", "message", "from_user_id"]).where("to_user_id", "=", userId).orderBy("id").execute();
  const action = (teamId: number, what: string, token: string | undefined, body?: unknown, method = "POST") =>
    app.request(method, `/api/v2/teams/${teamId}/actions/${what}/`, { token, body });

  it("creates a team for organisation managers and admins only; the creator becomes its manager", async () => {
    const s = await scenario();
    expect(await members(s.teamId)).toEqual([{ user_id: s.orgManager.id, function: "MANAGER", active: true }]);

    const admin = await app.user("ADMIN");
    const byAdmin = await app.request("POST", "/api/v2/teams/", {
      token: admin.token,
      body: { organisation_id: s.org.id, name: "Admins' team", joinMethod: "by_request", visibility: "private" },
    });
    expect(byAdmin.status).toBe(201);
    const row = await app.services.db.selectFrom("teams").selectAll().where("id", "=", byAdmin.body.teamId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ join_method: "BY_REQUEST", visibility: "PRIVATE", organisation_id: s.org.id });

    const mapper = await app.user("MAPPER");
    const body = { organisation_id: s.org.id, name: `Not allowed ${s.org.id}`, joinMethod: "ANY", visibility: "PUBLIC" };
    const refused = await app.request("POST", "/api/v2/teams/", { token: mapper.token, body });
    expect(refused.status).toBe(403);
    expect(refused.body.SubCode).toBe("CreateTeamNotPermitted");
    expect((await app.request("POST", "/api/v2/teams/", { body })).status).toBe(401);
    const invalid = await app.request("POST", "/api/v2/teams/", { token: s.orgManager.token, body: { ...body, joinMethod: "SOMETIMES" } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.SubCode).toBe("InvalidData");
    expect((await app.request("POST", "/api/v2/teams/", { token: s.orgManager.token, body: { ...body, name: "  " } })).status).toBe(400);
    expect((await app.request("POST", "/api/v2/teams/", { token: admin.token, body: { ...body, organisation_id: 987654 } })).status).toBe(404);
    const written = await app.services.db.selectFrom("teams").select("id").where("name", "=", body.name).execute();
    expect(written).toEqual([]);
  });

  it("answers a team with the official TeamDetailsDTO, its members and projects", async () => {
    const s = await scenario();
    const member = await app.user("MAPPER");
    expect((await action(s.teamId, "join", member.token)).status).toBe(200);
    const project = await insertProject(app.services.db, { authorId: s.orgManager.id, organisationId: s.org.id, name: "Kibera roads" });
    await linkTeam(app.services.db, project.projectId, s.teamId, "VALIDATOR");

    const res = await app.request("GET", `/api/v2/teams/${s.teamId}/`, { token: s.orgManager.token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(TEAM_DETAILS_FIELDS);
    expect(res.body).toMatchObject({
      teamId: s.teamId,
      organisation_id: s.org.id,
      organisation: s.org.name,
      organisationSlug: s.org.slug,
      name: s.name,
      description: "Field mappers",
      joinMethod: "ANY",
      visibility: "PUBLIC",
      is_org_admin: true,
      is_general_admin: false,
      team_projects: [{ project_name: "Kibera roads", project_id: project.projectId, role: "VALIDATOR" }],
    });
    expect(Object.keys(res.body.members[0]).sort()).toEqual(MEMBER_FIELDS);
    expect(res.body.members.map((m: { username: string; function: string; active: boolean }) => [m.username, m.function, m.active])).toEqual([
      [s.orgManager.username, "MANAGER", true],
      [member.username, "MEMBER", true],
    ]);
    expect(Date.parse(res.body.members[0].joinedDate)).not.toBeNaN();

    // The organisation's DTO lists its teams to signed-in callers.
    const org = await app.request("GET", `/api/v2/organisations/${s.org.id}/`, { token: member.token });
    expect(org.body.teams).toEqual([
      { teamId: s.teamId, name: s.name, description: "Field mappers", joinMethod: "ANY", visibility: "PUBLIC", members: res.body.members },
    ]);
    expect((await app.request("GET", `/api/v2/organisations/${s.org.id}/`)).body.teams).toEqual([]);

    const forMember = await app.request("GET", `/api/v2/teams/${s.teamId}/?omitMemberList=true`, { token: member.token });
    expect(forMember.body).toMatchObject({ is_org_admin: false, is_general_admin: false, members: [], team_projects: [] });
    expect((await app.request("GET", `/api/v2/teams/${s.teamId}/`)).status).toBe(401);
    const missing = await app.request("GET", "/api/v2/teams/99999999/", { token: member.token });
    expect(missing.status).toBe(404);
    expect(missing.body.SubCode).toBe("NotFoundError");
  });

  it("lists teams with the official filters, hides private teams from outsiders, and paginates on request", async () => {
    const s = await scenario();
    const [member, requester, outsider, admin] = [await app.user("MAPPER"), await app.user("MAPPER"), await app.user("MAPPER"), await app.user("ADMIN")];
    const tag = `Zeta${s.org.id}`;
    const open = await insertTeam(app.services.db, { organisationId: s.org.id, name: `${tag} open`, members: [{ userId: member.id }, { userId: requester.id, active: false }] });
    const secret = await insertTeam(app.services.db, { organisationId: s.org.id, name: `${tag} secret`, visibility: "PRIVATE", members: [{ userId: member.id, function: "MANAGER" }] });
    const project = await insertProject(app.services.db, { authorId: s.orgManager.id, organisationId: s.org.id });
    await linkTeam(app.services.db, project.projectId, secret, "PROJECT_MANAGER");
    const list = async (query: string, token = outsider.token) => {
      const res = await app.request("GET", `/api/v2/teams/?${query}`, { token });
      expect(res.status).toBe(200);
      return res.body;
    };
    const ids = (body: { teams: { teamId: number }[] }) => body.teams.map((t) => t.teamId);

    const byName = await list(`team_name=${tag.toLowerCase()}`);
    expect(ids(byName)).toEqual([open]);
    expect(byName.pagination).toBeUndefined();
    expect(Object.keys(byName.teams[0]).sort()).toEqual(TEAM_LIST_FIELDS);
    expect(byName.teams[0]).toMatchObject({ organisationId: s.org.id, organisation: s.org.name, membersCount: 1, managersCount: 0, joinMethod: "ANY" });
    expect(byName.teams[0].members.map((m: { username: string; active: boolean }) => [m.username, m.active])).toEqual(
      [[member.username, true], [requester.username, false]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(ids(await list(`team_name=${tag}`, member.token))).toEqual([open, secret]);
    expect(ids(await list(`team_name=${tag}`, admin.token))).toEqual([open, secret]);
    expect(ids(await list(`team_name=${tag}`, s.orgManager.token))).toEqual([open, secret]);

    expect(ids(await list(`organisation=${s.org.id}`, admin.token)).sort()).toEqual([s.teamId, open, secret].sort());
    expect(ids(await list(`member=${member.id}`, member.token))).toEqual([open, secret]);
    expect(ids(await list(`member=${requester.id}`, admin.token))).toEqual([]);
    expect(ids(await list(`member_request=${requester.id}`, admin.token))).toEqual([open]);
    expect(ids(await list(`manager=${member.id}`, member.token))).toEqual([secret]);
    expect(ids(await list(`manager=${s.orgManager.id}&organisation=${s.org.id}`, s.orgManager.token)).sort()).toEqual([s.teamId, open, secret].sort());
    expect(ids(await list(`team_role=project_manager&organisation=${s.org.id}`, admin.token))).toEqual([secret]);
    const omitted = await list(`team_name=${tag}&omitMemberList=true`);
    expect(omitted.teams[0].members).toEqual([]);
    const abbreviated = await list(`team_name=${tag}&fullMemberList=false`);
    expect(abbreviated.teams[0].members.map((m: { username: string }) => m.username)).toEqual([member.username]);

    const page = await list(`organisation=${s.org.id}&paginate=true&perPage=2&page=2`, admin.token);
    expect(page.teams).toHaveLength(1);
    expect(page.pagination).toEqual({ hasNext: false, hasPrev: true, nextNum: null, page: 2, pages: 2, prevNum: 1, perPage: 2, total: 3 });

    expect((await app.request("GET", "/api/v2/teams/?team_role=CAPTAIN", { token: outsider.token })).body.SubCode).toBe("InvalidData");
    expect((await app.request("GET", "/api/v2/teams/")).status).toBe(401);
  });

  it("updates a team for its managers only; members replaces the member list", async () => {
    const s = await scenario();
    const [teamManager, member, newcomer, outsider] = [await app.user("MAPPER"), await app.user("MAPPER"), await app.user("MAPPER"), await app.user("MAPPER")];
    await app.services.db.insertInto("team_members").values([
      { team_id: s.teamId, user_id: teamManager.id, function: "MANAGER", active: true },
      { team_id: s.teamId, user_id: member.id, function: "MEMBER", active: true },
    ]).execute();
    const patch = (token: string, body: unknown) => app.request("PATCH", `/api/v2/teams/${s.teamId}/`, { token, body });

    const refused = await patch(outsider.token, { name: "Hijacked" });
    expect(refused.status).toBe(403);
    expect(refused.body.SubCode).toBe("UserNotTeamManager");
    const ok = await patch(teamManager.token, { name: `${s.name} renamed`, visibility: "PRIVATE", joinMethod: "BY_INVITE", description: null });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ Status: "Updated" });
    const row = await app.services.db.selectFrom("teams").selectAll().where("id", "=", s.teamId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: `${s.name} renamed`, visibility: "PRIVATE", join_method: "BY_INVITE", description: null });

    const unknown = await patch(teamManager.token, { members: [{ username: "nobody-at-all-here", function: "MEMBER" }] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.SubCode).toBe("UserNotFound");
    expect(await members(s.teamId)).toHaveLength(3);

    const replaced = await patch(s.orgManager.token, {
      members: [
        { username: s.orgManager.username, function: "MANAGER" },
        { username: teamManager.username, function: "MANAGER", joinRequestNotifications: true },
        { username: newcomer.username, function: "MEMBER" },
      ],
    });
    expect(replaced.status).toBe(200);
    const after = await members(s.teamId);
    expect(after.map((m) => m.user_id).sort()).toEqual([s.orgManager.id, teamManager.id, newcomer.id].sort());
    expect((await app.request("PATCH", `/api/v2/teams/${s.teamId}/`, { token: teamManager.token, body: { visibility: "SECRET" } })).status).toBe(400);
    expect((await app.request("PATCH", "/api/v2/teams/99999999/", { token: teamManager.token, body: {} })).status).toBe(404);
  });

  it("joins ANY teams at once, records and answers BY_REQUEST requests, refuses BY_INVITE", async () => {
    const open = await scenario({ joinMethod: "ANY" });
    const [mapper, requester, rejected] = [await app.user("MAPPER"), await app.user("MAPPER"), await app.user("MAPPER")];
    const joined = await action(open.teamId, "join", mapper.token);
    expect(joined.status).toBe(200);
    expect(joined.body).toEqual({ Success: "Join request successful" });
    const again = await action(open.teamId, "join", mapper.token);
    expect(again.status).toBe(400);
    expect(again.body.SubCode).toBe("InvalidRequest");
    expect((await members(open.teamId)).find((m) => m.user_id === mapper.id)).toMatchObject({ active: true, function: "MEMBER" });

    const invite = await scenario({ joinMethod: "BY_INVITE" });
    const refused = await action(invite.teamId, "join", mapper.token);
    expect(refused.status).toBe(400);
    expect(refused.body.SubCode).toBe("InvalidRequest");
    expect((await members(invite.teamId)).map((m) => m.user_id)).toEqual([invite.orgManager.id]);

    const s = await scenario({ joinMethod: "BY_REQUEST" });
    await app.services.db.updateTable("team_members").set({ join_request_notifications: true }).where("team_id", "=", s.teamId).execute();
    expect((await action(s.teamId, "join", requester.token)).status).toBe(200);
    expect((await action(s.teamId, "join", rejected.token)).status).toBe(200);
    expect((await members(s.teamId)).filter((m) => !m.active).map((m) => m.user_id).sort()).toEqual([requester.id, rejected.id].sort());
    const notices = await inbox(s.orgManager.id);
    expect(notices.map((n) => [n.message_type, n.from_user_id])).toEqual([
      ["REQUEST_TEAM_NOTIFICATION", requester.id],
      ["REQUEST_TEAM_NOTIFICATION", rejected.id],
    ]);

    const csv = await app.request("GET", `/api/v2/teams/join_requests/?team_id=${s.teamId}`, { token: s.orgManager.token });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toMatch(new RegExp(`join_requests_${s.teamId}_\\d{8}\\.csv`));
    const lines = csv.text.trim().split("\r\n");
    expect(lines[0]).toBe("Username,Application Date (UTC),Team Name");
    expect(lines.slice(1).map((l) => l.split(",")[0]).sort()).toEqual([requester.username, rejected.username].sort());
    expect(lines[1]).toMatch(/,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,Team /);
    expect((await app.request("GET", "/api/v2/teams/join_requests/", { token: s.orgManager.token })).status).toBe(400);

    const notManager = await action(s.teamId, "join", requester.token, { username: rejected.username, action: "accept" }, "PATCH");
    expect(notManager.status).toBe(403);
    expect(notManager.body.SubCode).toBe("ApproveJoinError");
    expect((await action(s.teamId, "join", s.orgManager.token, { username: requester.username, action: "maybe" }, "PATCH")).status).toBe(400);
    const accepted = await action(s.teamId, "join", s.orgManager.token, { username: requester.username, action: "accept", type: "join-response" }, "PATCH");
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ Success: "True" });
    expect((await action(s.teamId, "join", s.orgManager.token, { username: rejected.username, action: "reject" }, "PATCH")).status).toBe(200);
    const after = await members(s.teamId);
    expect(after.find((m) => m.user_id === requester.id)?.active).toBe(true);
    expect(after.find((m) => m.user_id === rejected.id)).toBeUndefined();
    expect((await inbox(requester.id)).map((n) => n.subject)).toEqual([expect.stringContaining("has been accepted")]);
    expect((await inbox(rejected.id)).map((n) => n.subject)).toEqual([expect.stringContaining("has been rejected")]);
    const noRequest = await action(s.teamId, "join", s.orgManager.token, { username: rejected.username, action: "accept" }, "PATCH");
    expect(noRequest.status).toBe(404);
    const none = await app.request("GET", `/api/v2/teams/join_requests/?team_id=${s.teamId}`, { token: s.orgManager.token });
    expect(none.body).toEqual({ message: "No inactive members found for the specified team" });
  });

  it("adds members (team managers only) and lets users leave or managers remove them", async () => {
    const s = await scenario({ joinMethod: "BY_INVITE" });
    const [added, outsider] = [await app.user("MAPPER"), await app.user("MAPPER")];
    const refused = await action(s.teamId, "add", outsider.token, { username: added.username });
    expect(refused.status).toBe(403);
    expect(refused.body.SubCode).toBe("UserNotTeamManager");
    expect((await action(s.teamId, "add", s.orgManager.token, { username: "no-such-user-anywhere" })).body.SubCode).toBe("UserNotFound");
    expect((await action(s.teamId, "add", s.orgManager.token, { username: added.username, role: "CAPTAIN" })).status).toBe(400);
    expect((await action(s.teamId, "add", s.orgManager.token, {})).status).toBe(400);
    expect(await members(s.teamId)).toHaveLength(1);

    const ok = await action(s.teamId, "add", s.orgManager.token, { username: added.username, role: "manager" });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ Success: "User added to the team" });
    expect((await members(s.teamId)).find((m) => m.user_id === added.id)).toEqual({ user_id: added.id, function: "MANAGER", active: true });
    expect((await inbox(added.id)).map((n) => n.message_type)).toEqual(["INVITATION_NOTIFICATION"]);
    // The new manager manages the team: adds the outsider, then the outsider leaves by themselves.
    expect((await action(s.teamId, "add", added.token, { username: outsider.username })).status).toBe(200);

    const removeOther = await action(s.teamId, "leave", outsider.token, { username: added.username });
    expect(removeOther.status).toBe(403);
    expect(removeOther.body.SubCode).toBe("RemoveUserError");
    const left = await action(s.teamId, "leave", outsider.token, { username: outsider.username });
    expect(left.status).toBe(200);
    expect(left.body).toEqual({ Success: "User removed from the team" });
    expect((await action(s.teamId, "leave", s.orgManager.token, { username: outsider.username })).status).toBe(404);
    expect((await action(s.teamId, "leave", s.orgManager.token, { username: added.username })).status).toBe(200);
    expect((await members(s.teamId)).map((m) => m.user_id)).toEqual([s.orgManager.id]);
    expect((await action(99999999, "leave", s.orgManager.token, { username: added.username })).status).toBe(404);
  });

  it("messages every active member but the sender with a TEAM_BROADCAST (team managers only)", async () => {
    const s = await scenario();
    const [a, b, pending, outsider] = [await app.user("MAPPER"), await app.user("MAPPER"), await app.user("MAPPER"), await app.user("MAPPER")];
    await app.services.db.insertInto("team_members").values([
      { team_id: s.teamId, user_id: a.id, function: "MEMBER", active: true },
      { team_id: s.teamId, user_id: b.id, function: "MEMBER", active: true },
      { team_id: s.teamId, user_id: pending.id, function: "MEMBER", active: false },
    ]).execute();
    const body = { subject: "Mapathon", message: "Saturday at **10**." };

    const refused = await action(s.teamId, "message-members", a.token, body);
    expect(refused.status).toBe(403);
    expect(refused.body.SubCode).toBe("UserNotPermitted");
    const empty = await action(s.teamId, "message-members", s.orgManager.token, { subject: "Hi", message: "  " });
    expect(empty.status).toBe(400);
    expect(empty.body.SubCode).toBe("EmptyMessage");
    expect((await action(99999999, "message-members", s.orgManager.token, body)).status).toBe(404);

    const sent = await action(s.teamId, "message-members", s.orgManager.token, body);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ Success: "Message sent successfully" });
    await waitUntil(async () => (await inbox(a.id)).length > 0 && (await inbox(b.id)).length > 0, 20_000, "team broadcast");
    for (const member of [a, b]) {
      expect(await inbox(member.id)).toEqual([
        { message_type: "TEAM_BROADCAST", subject: "Mapathon", from_user_id: s.orgManager.id, message: `A message from ${s.orgManager.username}, manager of ${s.name} team:\n\nSaturday at **10**.` },
      ]);
    }
    for (const user of [pending, outsider, s.orgManager]) expect(await inbox(user.id)).toEqual([]);
  });

  it("links teams to projects with a role, changes it and unlinks, on both official sides", async () => {
    const s = await scenario();
    const [teamOnlyManager, outsider] = [await app.user("MAPPER"), await app.user("MAPPER")];
    await app.services.db.insertInto("team_members").values({ team_id: s.teamId, user_id: teamOnlyManager.id, function: "MANAGER", active: true }).execute();
    const project = await insertProject(app.services.db, { authorId: s.orgManager.id, organisationId: s.org.id });
    const p = project.projectId;
    const links = () => app.services.db.selectFrom("project_teams").select(["team_id", "role"]).where("project_id", "=", p).orderBy("team_id").execute();

    // Linking needs managing both the team and the project.
    const notProjectManager = await app.request("POST", `/api/v2/projects/${p}/teams/${s.teamId}/`, { token: teamOnlyManager.token, body: { role: "MAPPER" } });
    expect(notProjectManager.status).toBe(403);
    expect(notProjectManager.body.SubCode).toBe("UserPermissionError");
    expect((await app.request("POST", `/api/v2/projects/${p}/teams/${s.teamId}/`, { token: s.orgManager.token, body: { role: "CAPTAIN" } })).status).toBe(400);
    expect((await app.request("POST", `/api/v2/projects/${p}/teams/99999999/`, { token: s.orgManager.token, body: { role: "MAPPER" } })).status).toBe(404);
    expect(await links()).toEqual([]);
    const linked = await app.request("POST", `/api/v2/projects/${p}/teams/${s.teamId}/`, { token: s.orgManager.token, body: { role: "MAPPER" } });
    expect(linked.status).toBe(201);
    expect(linked.body).toEqual({ Success: `Team ${s.teamId} assigned to project ${p} with role MAPPER` });
    const twice = await app.request("POST", `/api/v2/projects/${p}/teams/${s.teamId}/`, { token: s.orgManager.token, body: { role: "MAPPER" } });
    expect(twice.status).toBe(400);

    const listed = await app.request("GET", `/api/v2/projects/${p}/teams/`, { token: outsider.token });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ teams: [{ teamId: s.teamId, name: s.name, role: "MAPPER" }] });
    expect((await app.request("GET", "/api/v2/projects/99999999/teams/", { token: outsider.token })).status).toBe(404);
    expect((await app.request("GET", `/api/v2/projects/${p}/teams/`)).status).toBe(401);

    // The project DTO lists its teams too.
    const dto = await app.request("GET", `/api/v2/projects/${p}/`, { token: outsider.token });
    expect(dto.body.teams).toEqual([{ teamId: s.teamId, name: s.name, role: "MAPPER" }]);

    // Official PATCH/DELETE paths put the team id first.
    const notManager = await app.request("PATCH", `/api/v2/projects/${s.teamId}/projects/${p}/`, { token: teamOnlyManager.token, body: { role: "VALIDATOR" } });
    expect(notManager.body.SubCode).toBe("UserPermissionError");
    const changed = await app.request("PATCH", `/api/v2/projects/${s.teamId}/projects/${p}/`, { token: s.orgManager.token, body: { role: "VALIDATOR" } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ Status: "Team role updated successfully." });
    expect(await links()).toEqual([{ team_id: s.teamId, role: "VALIDATOR" }]);
    expect((await app.request("PATCH", `/api/v2/projects/99999999/projects/${p}/`, { token: s.orgManager.token, body: { role: "MAPPER" } })).status).toBe(404);

    // A team with projects cannot be deleted.
    const busy = await app.request("DELETE", `/api/v2/teams/${s.teamId}/`, { token: s.orgManager.token });
    expect(busy.status).toBe(400);

    const removed = await app.request("DELETE", `/api/v2/projects/${s.teamId}/projects/${p}/`, { token: s.orgManager.token });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ Success: true });
    expect(await links()).toEqual([]);
    expect((await app.request("DELETE", `/api/v2/projects/${s.teamId}/projects/${p}/`, { token: s.orgManager.token })).status).toBe(404);

    const notTeamManager = await app.request("DELETE", `/api/v2/teams/${s.teamId}/`, { token: outsider.token });
    expect(notTeamManager.status).toBe(403);
    expect(notTeamManager.body.SubCode).toBe("UserNotTeamManager");
    const deleted = await app.request("DELETE", `/api/v2/teams/${s.teamId}/`, { token: teamOnlyManager.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ Success: "Team deleted" });
    expect(await members(s.teamId)).toEqual([]);
    expect((await app.request("DELETE", `/api/v2/teams/${s.teamId}/`, { token: teamOnlyManager.token })).status).toBe(404);
  });

  it("unlinks from the team side, refusing to leave a TEAMS project without a mapping team, all or nothing", async () => {
    const s = await scenario();
    const db = app.services.db;
    const other = await insertTeam(db, { organisationId: s.org.id, members: [{ userId: s.orgManager.id, function: "MANAGER" }] });
    const [p1, p2, p3] = [
      (await insertProject(db, { authorId: s.orgManager.id, organisationId: s.org.id })).projectId,
      (await insertProject(db, { authorId: s.orgManager.id, organisationId: s.org.id })).projectId,
      (await insertProject(db, { authorId: s.orgManager.id, organisationId: s.org.id })).projectId,
    ];
    await db.updateTable("projects").set({ mapping_permission: "TEAMS" }).where("id", "=", p2).execute();
    for (const p of [p1, p2, p3]) await linkTeam(db, p, s.teamId, "MAPPER");
    const linked = async () =>
      (await db.selectFrom("project_teams").select(["project_id", "team_id"]).where("project_id", "in", [p1, p2, p3]).orderBy("project_id").orderBy("team_id").execute())
        .map((r) => `${r.project_id}/${r.team_id}`);
    const outsider = await app.user("MAPPER");

    const notManager = await app.request("DELETE", `/api/v2/teams/projects/${p1}/teams/${s.teamId}/`, { token: outsider.token });
    expect(notManager.status).toBe(403);
    expect(notManager.body.SubCode).toBe("UserPermissionError");
    const one = await app.request("DELETE", `/api/v2/teams/projects/${p1}/teams/${s.teamId}/`, { token: s.orgManager.token });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ Success: true });
    expect((await app.request("DELETE", `/api/v2/teams/projects/${p1}/teams/${s.teamId}/`, { token: s.orgManager.token })).status).toBe(404);

    // p2 maps by TEAMS and this is its only mapping team: the whole unlink is refused.
    const all = await app.request("DELETE", `/api/v2/teams/projects/teams/${s.teamId}/unlink`, { token: s.orgManager.token });
    expect(all.status).toBe(403);
    expect(all.body.SubCode).toBe("ProjectPermissionError");
    const bulkRefused = await app.request("DELETE", "/api/v2/teams/projects/unlink", {
      token: s.orgManager.token,
      body: { items: [{ project_id: p3, team_id: s.teamId }, { project_id: p2, team_id: s.teamId }] },
    });
    expect(bulkRefused.status).toBe(403);
    expect(bulkRefused.body.SubCode).toBe("ProjectPermissionError");
    expect(await linked()).toEqual([`${p2}/${s.teamId}`, `${p3}/${s.teamId}`]);

    // Another team that can map p2 makes it possible.
    await linkTeam(db, p2, other, "VALIDATOR");
    const bulk = await app.request("DELETE", "/api/v2/teams/projects/unlink", {
      token: s.orgManager.token,
      body: { items: [{ project_id: p3, team_id: s.teamId }, { project_id: p3, team_id: s.teamId }, { project_id: p2, team_id: s.teamId }] },
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body).toEqual({ Success: true, Message: `Unlinked teams: (project ${p3}, team ${s.teamId}), (project ${p2}, team ${s.teamId})` });
    expect(await linked()).toEqual([`${p2}/${other}`]);
    // Removing the last team able to map p2 is refused again; an empty list is a bad request.
    expect((await app.request("DELETE", `/api/v2/teams/projects/teams/${other}/unlink`, { token: s.orgManager.token })).body.SubCode).toBe("ProjectPermissionError");
    expect((await app.request("DELETE", "/api/v2/teams/projects/unlink", { token: s.orgManager.token, body: { items: [] } })).body.SubCode).toBe("InvalidRequest");
    expect((await app.request("DELETE", `/api/v2/teams/projects/teams/${s.teamId}/unlink`, { token: s.orgManager.token })).status).toBe(404);

    await db.updateTable("projects").set({ mapping_permission: "ANY" }).where("id", "=", p2).execute();
    const fromAll = await app.request("DELETE", `/api/v2/teams/projects/teams/${other}/unlink`, { token: s.orgManager.token });
    expect(fromAll.status).toBe(200);
    expect(fromAll.body).toEqual({ Success: true, Message: `Team id-${other} unlinked from projects: ${p2}` });
    expect(await linked()).toEqual([]);
  });
});
