import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasAcceptedLicense } from "../../src/domain/licenses";
import { startTestApp, type TestApp } from "../helpers/app";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("licenses", () => {
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

  // Other files create licenses in the same database at the same time: count over the names sent here.
  const sentNames = new Set<string>();
  const create = (body: unknown, token = admin.token) => {
    const name = (body as { name?: unknown } | null)?.name;
    if (typeof name === "string") sentNames.add(name.trim());
    return app.request("POST", "/api/v2/licenses/", { token, body });
  };
  const count = async () =>
    sentNames.size ? (await app.services.db.selectFrom("licenses").select("id").where("name", "in", [...sentNames]).execute()).length : 0;

  async function createLicense() {
    const name = `Imagery licence ${unique()}`;
    const res = await create({ name, description: "Use for OSM only", plainText: "You may trace." });
    expect(res.status).toBe(201);
    return { id: res.body.licenseId as number, name };
  }

  it("lets admins create a license, then lists and reads it", async () => {
    const { id, name } = await createLicense();
    const one = await app.request("GET", `/api/v2/licenses/${id}/`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ licenseId: id, name, description: "Use for OSM only", plainText: "You may trace." });
    const all = await app.request("GET", "/api/v2/licenses/");
    expect(all.status).toBe(200);
    expect(all.body.licenses).toContainEqual(one.body);
  });

  it("refuses creation to anonymous (401) and non-admins (403), and bad or duplicate input", async () => {
    const { name } = await createLicense();
    const before = await count();
    const anonymousName = `L ${unique()}`;
    sentNames.add(anonymousName);
    expect((await app.request("POST", "/api/v2/licenses/", { body: { name: anonymousName } })).status).toBe(401);
    const notAdmin = await create({ name: `L ${unique()}` }, mapper.token);
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.SubCode).toBe("OnlyAdminAccess");
    for (const body of [{}, { name: "" }, { name: "  " }, { name: 3 }, { name: `L ${unique()}`, description: 5 }]) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.SubCode).toBe("InvalidData");
    }
    const duplicate = await create({ name });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.SubCode).toBe("NameExists");
    expect(await count()).toBe(before);
  });

  it("lets admins update only the given fields, with the official refusals", async () => {
    const { id, name } = await createLicense();
    const other = await createLicense();
    const path = `/api/v2/licenses/${id}/`;
    expect((await app.request("PATCH", path, { body: { description: "x" } })).status).toBe(401);
    expect((await app.request("PATCH", path, { token: mapper.token, body: { description: "x" } })).status).toBe(403);
    expect((await app.request("PATCH", path, { token: admin.token, body: {} })).status).toBe(400);
    expect((await app.request("PATCH", path, { token: admin.token, body: { name: "" } })).status).toBe(400);
    const taken = await app.request("PATCH", path, { token: admin.token, body: { name: other.name, plainText: "changed" } });
    expect(taken.status).toBe(409);
    expect(taken.body.SubCode).toBe("NameExists");
    expect((await app.request("PATCH", "/api/v2/licenses/99999999/", { token: admin.token, body: { description: "x" } })).status).toBe(404);

    const res = await app.request("PATCH", path, { token: admin.token, body: { description: "Updated", plainText: null } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ licenseId: id, name, description: "Updated", plainText: null });
    expect((await app.request("GET", path)).body).toEqual(res.body);
  });

  it("lets admins delete a license; projects using it keep no license", async () => {
    const { id } = await createLicense();
    const path = `/api/v2/licenses/${id}/`;
    expect((await app.request("DELETE", path)).status).toBe(401);
    expect((await app.request("DELETE", path, { token: mapper.token })).status).toBe(403);
    const res = await app.request("DELETE", path, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ Success: "License deleted" });
    expect((await app.request("GET", path)).status).toBe(404);
    expect((await app.request("DELETE", path, { token: admin.token })).status).toBe(404);
  });

  it("records acceptance for the logged-in user, idempotently", async () => {
    const { id } = await createLicense();
    const path = `/api/v2/licenses/${id}/actions/accept-for-me/`;
    expect(await hasAcceptedLicense(app.services.db, mapper.id, id)).toBe(false);
    expect((await app.request("POST", path)).status).toBe(401);
    for (let i = 0; i < 2; i++) {
      const res = await app.request("POST", path, { token: mapper.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ Success: "Terms Accepted" });
    }
    expect(await hasAcceptedLicense(app.services.db, mapper.id, id)).toBe(true);
    expect(await hasAcceptedLicense(app.services.db, admin.id, id)).toBe(false);
    expect((await app.request("POST", "/api/v2/licenses/99999999/actions/accept-for-me/", { token: mapper.token })).status).toBe(404);
  });

  it("answers 404 for an unknown license and 400 for a non-numeric id", async () => {
    const res = await app.request("GET", "/api/v2/licenses/99999999/");
    expect(res.status).toBe(404);
    expect(res.body.SubCode).toBe("NotFoundError");
    expect((await app.request("GET", "/api/v2/licenses/abc/")).status).toBe(400);
  });
});
