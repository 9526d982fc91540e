import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("mapping badges", () => {
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

  const create = (body: Record<string, unknown>, token = admin.token) => app.request("POST", "/api/v2/badges/", { token, body });

  it("lets admins create, read, update and delete a badge with the official fields", async () => {
    const name = `Builder ${unique()}`;
    const created = await create({ name, description: "Mapped 100 buildings", imagePath: "/img/b.png", requirements: '{"building": 100}', isEnabled: true, isInternal: false });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), name, description: "Mapped 100 buildings", imagePath: "/img/b.png", requirements: '{"building": 100}', isEnabled: true, isInternal: false });
    const id = created.body.id;
    const one = await app.request("GET", `/api/v2/badges/${id}/`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(created.body);

    const patched = await app.request("PATCH", `/api/v2/badges/${id}/`, { token: admin.token, body: { description: "Now 200", requirements: '{"building": 200}' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name, description: "Now 200", requirements: '{"building": 200}' });

    const del = await app.request("DELETE", `/api/v2/badges/${id}/`, { token: admin.token });
    expect(del.status).toBe(200);
    expect((await app.request("GET", `/api/v2/badges/${id}/`)).status).toBe(404);
    expect((await app.request("PATCH", `/api/v2/badges/${id}/`, { token: admin.token, body: { description: "x" } })).status).toBe(404);
  });

  it("lists enabled public badges to everyone and every badge to admins", async () => {
    const shown = (await create({ name: `Shown ${unique()}`, isEnabled: true })).body;
    const hidden = (await create({ name: `Hidden ${unique()}`, isEnabled: true, isInternal: true })).body;
    const disabled = (await create({ name: `Off ${unique()}` })).body;
    const anonymous = await app.request("GET", "/api/v2/badges/");
    expect(anonymous.status).toBe(200);
    const anonIds = anonymous.body.badges.map((b: { id: number }) => b.id);
    expect(anonIds).toContain(shown.id);
    expect(anonIds).not.toContain(hidden.id);
    expect(anonIds).not.toContain(disabled.id);
    expect(Object.keys(anonymous.body.badges.find((b: { id: number }) => b.id === shown.id)).sort()).toEqual(["description", "id", "imagePath", "name"]);
    const forAdmin = await app.request("GET", "/api/v2/badges/", { token: admin.token });
    const adminIds = forAdmin.body.badges.map((b: { id: number }) => b.id);
    expect(adminIds).toEqual(expect.arrayContaining([shown.id, hidden.id, disabled.id]));
  });

  it("refuses anonymous, non-admins, bad input and duplicate names, writing nothing", async () => {
    const name = `Refused ${unique()}`;
    expect((await app.request("POST", "/api/v2/badges/", { body: { name } })).status).toBe(401);
    const notAdmin = await create({ name }, mapper.token);
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.SubCode).toBe("OnlyAdminAccess");
    for (const body of [{}, { name: "" }, { name, requirements: "not json" }, { name, requirements: "[1]" }, { name, requirements: '{"a": -1}' }, { name, isEnabled: 1 }]) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.SubCode).toBe("InvalidData");
    }
    expect(await app.services.db.selectFrom("mapping_badges").select("id").where("name", "=", name).execute()).toHaveLength(0);
    const first = await create({ name });
    expect(first.status).toBe(201);
    const dup = await create({ name });
    expect(dup.status).toBe(409);
    expect(dup.body.SubCode).toBe("NameExists");
    expect((await app.request("DELETE", `/api/v2/badges/${first.body.id}/`, { token: mapper.token })).status).toBe(403);
  });

  it("lists the badges a user earned, 404 for an unknown user", async () => {
    const badge = (await create({ name: `Earned ${unique()}`, description: "d", isEnabled: true })).body;
    await app.services.db.insertInto("user_badges").values({ user_id: mapper.id, badge_id: badge.id }).execute();
    const res = await app.request("GET", `/api/v2/badges/user/${mapper.id}/`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ badges: [{ id: badge.id, name: badge.name, description: "d", imagePath: null }] });
    const unknown = await app.request("GET", "/api/v2/badges/user/123/");
    expect(unknown.status).toBe(404);
    expect(unknown.body.SubCode).toBe("UserNotFound");
  });
});
