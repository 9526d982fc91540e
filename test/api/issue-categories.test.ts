import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertProject } from "../helpers/fixtures";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("mapping-issue categories", () => {
  let app: TestApp;
  let admin: User;
  let mapper: User;
  const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const base = "/api/v2/tasks/issues/categories/";

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.user("ADMIN");
    mapper = await app.user("MAPPER");
  });
  afterAll(() => app.close());

  async function createCategory(extra: Record<string, unknown> = {}) {
    const name = `Missed buildings ${unique()}`;
    const res = await app.request("POST", base, { token: admin.token, body: { name, description: "Buildings left untraced", ...extra } });
    expect(res.status).toBe(200);
    return { id: res.body.categoryId as number, name };
  }
  const countNamed = async (names: string[]) =>
    (await app.services.db.selectFrom("mapping_issue_categories").select("id").where("name", "in", names).execute()).length;

  it("lets admins create a category, then reads it alone and in the list", async () => {
    const { id, name } = await createCategory();
    const one = await app.request("GET", `${base}${id}/`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ categoryId: id, name, description: "Buildings left untraced", archived: false });
    const list = await app.request("GET", base);
    expect(list.status).toBe(200);
    expect(list.body.categories).toContainEqual(one.body);
  });

  it("hides archived categories unless includeArchived=true", async () => {
    const archived = await createCategory({ archived: true });
    const active = await createCategory();
    const ids = (body: any) => body.categories.map((c: { categoryId: number }) => c.categoryId);
    const hidden = await app.request("GET", base);
    expect(ids(hidden.body)).toContain(active.id);
    expect(ids(hidden.body)).not.toContain(archived.id);
    const shown = await app.request("GET", `${base}?includeArchived=true`);
    expect(ids(shown.body)).toEqual(expect.arrayContaining([active.id, archived.id]));
    expect(ids((await app.request("GET", `${base}?includeArchived=false`)).body)).not.toContain(archived.id);
    expect((await app.request("GET", `${base}?includeArchived=maybe`)).status).toBe(400);
  });

  it("refuses creation to anonymous (401), non-admins (403), bad input (400) and duplicates (409), writing nothing", async () => {
    const { name } = await createCategory();
    const names = [`A ${unique()}`, `B ${unique()}`];
    expect((await app.request("POST", base, { body: { name: names[0] } })).status).toBe(401);
    const notAdmin = await app.request("POST", base, { token: mapper.token, body: { name: names[1] } });
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.SubCode).toBe("OnlyAdminAccess");
    for (const body of [{}, { name: "" }, { name: "   " }, { name: 7 }, { name: `C ${unique()}`, archived: "yes" }]) {
      const res = await app.request("POST", base, { token: admin.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.SubCode).toBe("InvalidData");
    }
    const duplicate = await app.request("POST", base, { token: admin.token, body: { name } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.SubCode).toBe("NameExists");
    expect(await countNamed(names)).toBe(0);
  });

  it("lets admins update and archive a category, with the official refusals", async () => {
    const { id, name } = await createCategory();
    const other = await createCategory();
    const path = `${base}${id}/`;
    expect((await app.request("PATCH", path, { body: { archived: true } })).status).toBe(401);
    expect((await app.request("PATCH", path, { token: mapper.token, body: { archived: true } })).status).toBe(403);
    expect((await app.request("PATCH", path, { token: admin.token, body: {} })).status).toBe(400);
    const taken = await app.request("PATCH", path, { token: admin.token, body: { name: other.name } });
    expect(taken.status).toBe(409);
    expect(taken.body.SubCode).toBe("NameExists");
    expect((await app.request("PATCH", `${base}99999999/`, { token: admin.token, body: { archived: true } })).status).toBe(404);
    expect((await app.request("GET", path)).body).toMatchObject({ name, archived: false });

    const res = await app.request("PATCH", path, { token: admin.token, body: { archived: true, description: "Now archived" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ categoryId: id, name, description: "Now archived", archived: true });
  });

  it("deletes an unused category, 404s after, and keeps one that recorded issues", async () => {
    const unused = await createCategory();
    expect((await app.request("DELETE", `${base}${unused.id}/`)).status).toBe(401);
    expect((await app.request("DELETE", `${base}${unused.id}/`, { token: mapper.token })).status).toBe(403);
    const deleted = await app.request("DELETE", `${base}${unused.id}/`, { token: admin.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ Success: "Mapping-issue category deleted" });
    expect((await app.request("GET", `${base}${unused.id}/`)).status).toBe(404);
    expect((await app.request("DELETE", `${base}${unused.id}/`, { token: admin.token })).status).toBe(404);

    const used = await createCategory();
    const { projectId } = await insertProject(app.services.db, { authorId: admin.id, size: 1 });
    const history = await app.services.db
      .insertInto("task_history")
      .values({ project_id: projectId, task_id: 1, action: "STATE_CHANGE", action_text: "INVALIDATED", user_id: admin.id })
      .returning("id")
      .executeTakeFirstOrThrow();
    await app.services.db
      .insertInto("task_mapping_issues")
      .values({ task_history_id: history.id, issue: used.name, mapping_issue_category_id: used.id, count: 2 })
      .execute();
    const refused = await app.request("DELETE", `${base}${used.id}/`, { token: admin.token });
    expect(refused.status).toBe(400);
    expect(refused.body.SubCode).toBe("InvalidData");
    expect((await app.request("GET", `${base}${used.id}/`)).status).toBe(200);
  });
});
