import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { lockScenario, mapTasks } from "../helpers/locks";
import { insertTeam, linkTeam } from "../helpers/teams";

/** Projects whose mapping or validation is restricted to teams: membership of a linked team decides. */
describe("team-restricted locks", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  const restrict = (projectId: number, values: { mapping_permission?: string; validation_permission?: string; private?: boolean }) =>
    app.services.db.updateTable("projects").set(values).where("id", "=", projectId).execute();

  it("lets an active member of a MAPPER team map and refuses non-members and pending members", async () => {
    const s = await lockScenario(app);
    const pending = await app.user("MAPPER");
    const teamId = await insertTeam(app.services.db, {
      organisationId: s.organisationId,
      members: [{ userId: s.mapper.id }, { userId: pending.id, active: false }],
    });
    await linkTeam(app.services.db, s.projectId, teamId, "MAPPER");
    await restrict(s.projectId, { mapping_permission: "TEAMS" });

    const outsider = await s.lock(1, s.validator.token);
    expect(outsider.status).toBe(403);
    expect(outsider.body.SubCode).toBe("UserNotAllowed");
    expect(outsider.body.Error).toContain("USER_NOT_TEAM_MEMBER");
    const notYet = await s.lock(1, pending.token);
    expect(notYet.status).toBe(403);
    expect(notYet.body.SubCode).toBe("UserNotAllowed");
    expect((await s.row(1)).task_status).toBe("READY");

    const member = await s.lock(1, s.mapper.token);
    expect(member.status).toBe(200);
    expect(member.body).toMatchObject({ taskStatus: "LOCKED_FOR_MAPPING", lockHolder: s.mapper.username });
    // The organisation's manager needs no team.
    expect((await s.lock(2, s.manager.token)).status).toBe(200);
    await s.stop(1, s.mapper.token);
    await s.stop(2, s.manager.token);
  });

  it("lets VALIDATOR teams validate but not MAPPER teams (legacy TEAMS_LEVEL too)", async () => {
    const s = await lockScenario(app);
    await mapTasks(s, [1, 2]);
    const mapperTeamMember = await app.user("MAPPER");
    const mappers = await insertTeam(app.services.db, { organisationId: s.organisationId, members: [{ userId: mapperTeamMember.id }] });
    const validators = await insertTeam(app.services.db, { organisationId: s.organisationId, members: [{ userId: s.validator.id }] });
    await linkTeam(app.services.db, s.projectId, mappers, "MAPPER");
    await linkTeam(app.services.db, s.projectId, validators, "VALIDATOR");
    await restrict(s.projectId, { validation_permission: "TEAMS" });

    const refused = await s.lockValidation([1], mapperTeamMember.token);
    expect(refused.status).toBe(403);
    expect(refused.body.SubCode).toBe("ValidtionNotAllowed");
    expect(refused.body.Error).toContain("USER_NOT_TEAM_MEMBER");
    expect((await s.row(1)).task_status).toBe("MAPPED");

    const locked = await s.lockValidation([1], s.validator.token);
    expect(locked.status).toBe(200);
    await s.stopValidation([{ taskId: 1 }], s.validator.token);

    // A VALIDATOR team may map too; TEAMS_LEVEL still asks for an experienced mapper on top.
    await restrict(s.projectId, { mapping_permission: "TEAMS" });
    expect((await s.lock(3, s.validator.token)).status).toBe(200);
    await s.stop(3, s.validator.token);
    await restrict(s.projectId, { mapping_permission: "TEAMS_LEVEL" });
    const beginner = await s.lock(3, s.validator.token);
    expect(beginner.body.Error).toContain("USER_NOT_CORRECT_MAPPING_LEVEL");
  });

  it("makes PROJECT_MANAGER team members managers of the project, and lets team members see private projects", async () => {
    const s = await lockScenario(app);
    const pm = await app.user("MAPPER");
    const member = await app.user("MAPPER");
    const outsider = await app.user("MAPPER");
    const managers = await insertTeam(app.services.db, { organisationId: s.organisationId, members: [{ userId: pm.id }] });
    const readers = await insertTeam(app.services.db, { organisationId: s.organisationId, members: [{ userId: member.id }] });
    await linkTeam(app.services.db, s.projectId, managers, "PROJECT_MANAGER");
    await linkTeam(app.services.db, s.projectId, readers, "READ_ONLY");
    await restrict(s.projectId, { private: true, mapping_permission: "TEAMS", validation_permission: "TEAMS" });

    const project = (token: string) => app.request("GET", `/api/v2/projects/${s.projectId}/`, { token });
    expect((await project(member.token)).status).toBe(200);
    expect((await project(pm.token)).status).toBe(200);
    const hidden = await project(outsider.token);
    expect(hidden.status).toBe(403);
    expect(hidden.body.SubCode).toBe("PrivateProject");

    // Search lists the private project to team members only.
    const searched = async (token: string) =>
      (await app.request("GET", `/api/v2/projects/?teamId=${readers}`, { token })).body.results.map((r: { projectId: number }) => r.projectId);
    expect(await searched(member.token)).toEqual([s.projectId]);
    expect(await searched(outsider.token)).toEqual([]);

    // A READ_ONLY team sees the project but may not map it.
    const readOnly = await s.lock(1, member.token);
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.SubCode).toBe("UserNotAllowed");

    // A PROJECT_MANAGER team member manages: maps, and sees the draft.
    expect((await s.lock(1, pm.token)).status).toBe(200);
    await s.stop(1, pm.token);
    await app.services.db.updateTable("projects").set({ status: "DRAFT" }).where("id", "=", s.projectId).execute();
    expect((await project(pm.token)).status).toBe(200);
    expect((await project(member.token)).body.SubCode).toBe("ProjectNotPublished");
  });
});
