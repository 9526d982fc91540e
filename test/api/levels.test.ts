import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { lockScenario } from "../helpers/locks";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("mapping levels", () => {
  let app: TestApp;
  let admin: User;
  let mapper: User;
  const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.user("ADMIN");
    mapper = await app.user("MAPPER");
  });
  afterAll(() => app.close());

  const createBadge = async () => {
    const res = await app.request("POST", "/api/v2/badges/", { token: admin.token, body: { name: `Badge ${unique()}`, requirements: '{"changeset": 5}', isEnabled: true } });
    expect(res.status).toBe(201);
    return res.body as { id: number; name: string };
  };

  it("lists the three official levels, lowest first, to anyone", async () => {
    const res = await app.request("GET", "/api/v2/levels/");
    expect(res.status).toBe(200);
    const names = res.body.levels.map((l: { name: string }) => l.name);
    expect(names.slice(0, 3)).toEqual(["BEGINNER", "INTERMEDIATE", "ADVANCED"]);
    const beginner = res.body.levels[0];
    expect(beginner).toMatchObject({ isBeginner: true, approvalsRequired: 0, ordering: 1, requiredBadges: [] });
    expect(Object.keys(beginner).sort()).toEqual(["approvalsRequired", "color", "id", "imagePath", "isBeginner", "name", "ordering", "requiredBadges"]);
    const one = await app.request("GET", `/api/v2/levels/${beginner.id}/`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(beginner);
  });

  it("lets admins create, update and delete a level with required badges", async () => {
    const badge = await createBadge();
    const name = `EXPERT_${unique()}`;
    const created = await app.request("POST", "/api/v2/levels/", {
      token: admin.token,
      body: { name, approvalsRequired: 2, color: "#ff0000", requiredBadges: [{ id: badge.id }] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, approvalsRequired: 2, color: "#ff0000", isBeginner: false, requiredBadges: [{ id: badge.id, name: badge.name }] });
    expect(created.body.ordering).toBeGreaterThan(3);
    const id = created.body.id;

    const renamed = `${name}_R`;
    const patched = await app.request("PATCH", `/api/v2/levels/${id}/`, { token: admin.token, body: { name: renamed, requiredBadges: [] } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: renamed, approvalsRequired: 2, requiredBadges: [] });

    const dup = await app.request("POST", "/api/v2/levels/", { token: admin.token, body: { name: renamed } });
    expect(dup.status).toBe(409);
    expect(dup.body.SubCode).toBe("NameExists");

    const del = await app.request("DELETE", `/api/v2/levels/${id}/`, { token: admin.token });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ Success: "Mapping level deleted" });
    expect((await app.request("GET", `/api/v2/levels/${id}/`)).status).toBe(404);
    expect((await app.request("DELETE", `/api/v2/levels/${id}/`, { token: admin.token })).status).toBe(404);
  });

  it("refuses anonymous (401), non-admins (403 OnlyAdminAccess), bad input (400) and unknown badges (404), writing nothing", async () => {
    const name = `LEVEL_${unique()}`;
    expect((await app.request("POST", "/api/v2/levels/", { body: { name } })).status).toBe(401);
    const notAdmin = await app.request("POST", "/api/v2/levels/", { token: mapper.token, body: { name } });
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.SubCode).toBe("OnlyAdminAccess");
    for (const body of [{}, { name: " " }, { name, approvalsRequired: -1 }, { name, isBeginner: "yes" }]) {
      const res = await app.request("POST", "/api/v2/levels/", { token: admin.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.SubCode).toBe("InvalidData");
    }
    const unknownBadge = await app.request("POST", "/api/v2/levels/", { token: admin.token, body: { name, requiredBadges: [{ id: 999999999 }] } });
    expect(unknownBadge.status).toBe(404);
    const rows = await app.services.db.selectFrom("mapping_levels").select("id").where("name", "=", name).execute();
    expect(rows).toHaveLength(0);
    expect((await app.request("PATCH", "/api/v2/levels/1/", { token: mapper.token, body: { color: "red" } })).status).toBe(403);
    expect((await app.request("GET", "/api/v2/levels/abc/")).status).toBe(400);
    expect((await app.request("GET", "/api/v2/levels/999999/")).status).toBe(404);
  });

  it("refuses to delete the beginners' level or a level users hold", async () => {
    const levels = (await app.request("GET", "/api/v2/levels/")).body.levels as { id: number; name: string }[];
    const beginner = levels.find((l) => l.name === "BEGINNER")!;
    const res = await app.request("DELETE", `/api/v2/levels/${beginner.id}/`, { token: admin.token });
    expect(res.status).toBe(409);
    const unflag = await app.request("PATCH", `/api/v2/levels/${beginner.id}/`, { token: admin.token, body: { isBeginner: false } });
    expect(unflag.status).toBe(409);
    expect((await app.request("GET", `/api/v2/levels/${beginner.id}/`)).body.isBeginner).toBe(true);
    const name = `HELD_${unique()}`;
    const created = await app.request("POST", "/api/v2/levels/", { token: admin.token, body: { name } });
    const holder = await app.user("MAPPER");
    await app.services.db.updateTable("users").set({ mapping_level: name }).where("id", "=", holder.id).execute();
    const held = await app.request("DELETE", `/api/v2/levels/${created.body.id}/`, { token: admin.token });
    expect(held.status).toBe(409);
    expect(held.body.SubCode).toBe("InvalidRequest");
    await app.services.db.updateTable("users").set({ mapping_level: "BEGINNER" }).where("id", "=", holder.id).execute();
    expect((await app.request("DELETE", `/api/v2/levels/${created.body.id}/`, { token: admin.token })).status).toBe(200);
  });

  it("lets holders of any non-beginner level, including one an admin created, map LEVEL projects; beginners are refused", async () => {
    const s = await lockScenario(app);
    await app.services.db.updateTable("projects").set({ mapping_permission: "LEVEL" }).where("id", "=", s.projectId).execute();
    const refused = await s.lock(1, s.mapper.token);
    expect(refused.status).toBe(403);
    expect(refused.body.SubCode).toBe("UserNotAllowed");
    expect(refused.body.Error).toContain("USER_NOT_CORRECT_MAPPING_LEVEL");

    const level = `SURVEYOR_${unique()}`;
    const created = await app.request("POST", "/api/v2/levels/", { token: admin.token, body: { name: level } });
    expect(created.status).toBe(201);
    const mapperRow = await app.services.db.selectFrom("users").select("username").where("id", "=", s.mapper.id).executeTakeFirstOrThrow();
    const promoted = await app.request("PATCH", `/api/v2/users/${mapperRow.username}/actions/set-level/${level}/`, { token: admin.token });
    expect(promoted.status).toBe(200);
    const locked = await s.lock(1, s.mapper.token);
    expect(locked.status).toBe(200);
    await s.stop(1, s.mapper.token);
  });
});
