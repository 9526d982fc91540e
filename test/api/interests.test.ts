import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertOrganisation, insertProject } from "../helpers/fixtures";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("interests", () => {
  let app: TestApp;
  let admin: User;
  let mapper: User;
  let orgManager: User;
  const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.user("ADMIN");
    mapper = await app.user("MAPPER");
    orgManager = await app.user("MAPPER");
    await insertOrganisation(app.services.db, [orgManager.id]);
  });
  afterAll(() => app.close());

  // Other files create interests in the same database at the same time: count over the names sent here.
  const sentNames = new Set<string>();
  const create = (name: unknown, token = orgManager.token) => {
    if (typeof name === "string") sentNames.add(name.trim());
    return app.request("POST", "/api/v2/interests/", { token, body: { name } });
  };
  const count = async () =>
    sentNames.size ? (await app.services.db.selectFrom("interests").select("id").where("name", "in", [...sentNames]).execute()).length : 0;

  it("lets organisation managers and admins create interests, listed with their counts", async () => {
    const name = `Disaster response ${unique()}`;
    const res = await create(name);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: expect.any(Number), name, countProjects: 0, countUsers: 0 });
    expect((await create(`Health ${unique()}`, admin.token)).status).toBe(200);

    const { projectId } = await insertProject(app.services.db, { authorId: orgManager.id, size: 1 });
    await app.services.db.insertInto("project_interests").values({ project_id: projectId, interest_id: res.body.id }).execute();
    await app.services.db.insertInto("user_interests").values([mapper, admin].map((u) => ({ user_id: u.id, interest_id: res.body.id }))).execute();

    const list = await app.request("GET", "/api/v2/interests/");
    expect(list.status).toBe(200);
    expect(list.body.interests).toContainEqual({ id: res.body.id, name, countProjects: 1, countUsers: 2 });
    const one = await app.request("GET", `/api/v2/interests/${res.body.id}/`, { token: orgManager.token });
    expect(one.body).toEqual({ id: res.body.id, name, countProjects: 1, countUsers: 2 });
  });

  it("refuses anonymous (401) and users who manage no organisation (403), and bad or duplicate names", async () => {
    const name = `Education ${unique()}`;
    expect((await create(name)).status).toBe(200);
    const before = await count();
    sentNames.add("x");
    expect((await app.request("POST", "/api/v2/interests/", { body: { name: "x" } })).status).toBe(401);
    const mapperRes = await create(`Other ${unique()}`, mapper.token);
    expect(mapperRes.status).toBe(403);
    expect(mapperRes.body.SubCode).toBe("UserNotPermitted");
    for (const bad of ["", "   ", 12, null]) expect((await create(bad)).status, String(bad)).toBe(400);
    expect((await app.request("POST", "/api/v2/interests/", { token: admin.token, body: {} })).status).toBe(400);
    const duplicate = await create(name);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.SubCode).toBe("NameExists");
    expect(await count()).toBe(before);
  });

  it("reads one interest for curators only, 404 when unknown", async () => {
    const { body } = await create(`Water ${unique()}`);
    const path = `/api/v2/interests/${body.id}/`;
    expect((await app.request("GET", path)).status).toBe(401);
    expect((await app.request("GET", path, { token: mapper.token })).status).toBe(403);
    expect((await app.request("GET", path, { token: admin.token })).status).toBe(200);
    expect((await app.request("GET", "/api/v2/interests/99999999/", { token: admin.token })).status).toBe(404);
    expect((await app.request("GET", "/api/v2/interests/nope/", { token: admin.token })).status).toBe(400);
  });

  it("renames an interest, refusing taken or empty names without changing it", async () => {
    const a = await create(`Roads ${unique()}`);
    const b = await create(`Rivers ${unique()}`);
    const path = `/api/v2/interests/${a.body.id}/`;
    expect((await app.request("PATCH", path, { body: { name: "x" } })).status).toBe(401);
    expect((await app.request("PATCH", path, { token: mapper.token, body: { name: "x" } })).status).toBe(403);
    expect((await app.request("PATCH", path, { token: orgManager.token, body: { name: "" } })).status).toBe(400);
    const taken = await app.request("PATCH", path, { token: orgManager.token, body: { name: b.body.name } });
    expect(taken.status).toBe(409);
    expect(taken.body.SubCode).toBe("NameExists");
    expect((await app.request("PATCH", "/api/v2/interests/99999999/", { token: admin.token, body: { name: `Z ${unique()}` } })).status).toBe(404);
    expect((await app.request("GET", path, { token: admin.token })).body.name).toBe(a.body.name);

    const renamed = `Highways ${unique()}`;
    const res = await app.request("PATCH", path, { token: orgManager.token, body: { name: renamed } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: a.body.id, name: renamed, countProjects: 0, countUsers: 0 });
  });

  it("deletes an interest, unlinking its users and projects", async () => {
    const { body } = await create(`Farming ${unique()}`);
    await app.services.db.insertInto("user_interests").values({ user_id: mapper.id, interest_id: body.id }).execute();
    const path = `/api/v2/interests/${body.id}/`;
    expect((await app.request("DELETE", path)).status).toBe(401);
    expect((await app.request("DELETE", path, { token: mapper.token })).status).toBe(403);
    const res = await app.request("DELETE", path, { token: orgManager.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ Success: "Interest deleted" });
    expect((await app.request("GET", path, { token: admin.token })).status).toBe(404);
    expect((await app.request("DELETE", path, { token: admin.token })).status).toBe(404);
    expect(await app.services.db.selectFrom("user_interests").selectAll().where("interest_id", "=", body.id).execute()).toEqual([]);
  });
});
