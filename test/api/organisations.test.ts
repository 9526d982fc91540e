import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertOrganisation, insertProject } from "../helpers/fixtures";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("organisations", () => {
  let app: TestApp;
  let admin: User;
  let mapper: User;
  let manager: User;
  const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.user("ADMIN");
    mapper = await app.user("MAPPER");
    manager = await app.user("MAPPER");
  });
  afterAll(() => app.close());

  // Other files create organisations in the same database at the same time, so "nothing was created"
  // is checked over the names this file has sent.
  const sentNames = new Set<string>();
  const create = (body: Record<string, unknown>, token = admin.token) => {
    if (typeof body.name === "string") sentNames.add(body.name.trim());
    return app.request("POST", "/api/v2/organisations/", { token, body });
  };
  const count = async () =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM organisations WHERE name = ANY(${[...sentNames]}::text[])`.execute(app.services.db)).rows[0]!.n);

  /** An organisation made through the API, managed by `manager`. */
  async function createOrg(extra: Record<string, unknown> = {}) {
    const name = `Mappers ${unique()}`;
    const res = await create({ name, type: "FREE", managers: [manager.username], ...extra });
    expect(res.status).toBe(201);
    return { id: res.body.organisationId as number, name };
  }

  describe("POST /organisations/", () => {
    it("lets admins create one, deriving the slug and adding the creator as a manager", async () => {
      const name = `Équipe Carto ${unique()}`;
      const res = await create({ name, type: "DISCOUNTED", managers: [manager.username.toUpperCase()], description: "We map", url: "https://example.org" });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ organisationId: expect.any(Number) });
      const org = await app.request("GET", `/api/v2/organisations/${res.body.organisationId}/`, { token: admin.token });
      expect(org.status).toBe(200);
      expect(org.body).toMatchObject({
        organisationId: res.body.organisationId,
        name,
        slug: name.toLowerCase().replace("é", "e").replace(/ /g, "-"),
        description: "We map",
        url: "https://example.org",
        type: "DISCOUNTED",
        subscriptionTier: null,
        isManager: true,
        teams: [],
        projects: [],
        campaigns: [],
      });
      expect(org.body.managers.map((m: { username: string }) => m.username).sort()).toEqual([admin.username, manager.username].sort());
    });

    it("keeps an explicit slug, and answers 409 NameExists for a taken name or slug", async () => {
      const slug = `explicit-${unique()}`;
      const { name } = await createOrg({ slug });
      expect((await app.request("GET", `/api/v2/organisations/${slug}/`)).body.name).toBe(name);
      const before = await count();
      const sameName = await create({ name, type: "FREE", managers: [] });
      expect(sameName.status).toBe(409);
      expect(sameName.body.SubCode).toBe("NameExists");
      const sameSlug = await create({ name: `Other ${unique()}`, slug, type: "FREE", managers: [] });
      expect(sameSlug.status).toBe(409);
      expect(await count()).toBe(before);
    });

    it("refuses anonymous callers (401) and non-admins (403 OnlyAdminAccess)", async () => {
      const body = { name: `Nope ${unique()}`, type: "FREE", managers: [] };
      expect((await app.request("POST", "/api/v2/organisations/", { body })).status).toBe(401);
      const res = await create(body, manager.token);
      expect(res.status).toBe(403);
      expect(res.body.SubCode).toBe("OnlyAdminAccess");
    });

    it("refuses bad input with 400 naming the field, and creates nothing", async () => {
      const before = await count();
      const cases: [Record<string, unknown>, string][] = [
        [{ type: "FREE", managers: [] }, "name"],
        [{ name: "   ", type: "FREE", managers: [] }, "name"],
        [{ name: 42, type: "FREE", managers: [] }, "name"],
        [{ name: `X ${unique()}`, managers: [] }, "type"],
        [{ name: `X ${unique()}`, type: "PREMIUM", managers: [] }, "type"],
        [{ name: `X ${unique()}`, type: "FREE" }, "managers"],
        [{ name: `X ${unique()}`, type: "FREE", managers: [], slug: "Not A Slug" }, "slug"],
        [{ name: `X ${unique()}`, type: "FREE", managers: [], slug: "2024" }, "slug"],
        [{ name: "!!!", type: "FREE", managers: [] }, "name"],
      ];
      for (const [body, field] of cases) {
        const res = await create(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.Error).toContain(field);
      }
      const unknownManager = await create({ name: `X ${unique()}`, type: "FREE", managers: ["no_such_user_xyz"] });
      expect(unknownManager.status).toBe(400);
      expect(unknownManager.body).toMatchObject({ SubCode: "UserNotFound" });
      expect(unknownManager.body.Error).toContain("no_such_user_xyz");
      expect(await count()).toBe(before);
    });
  });

  describe("GET /organisations/{id or slug}/", () => {
    it("answers by id and by slug, with projects, campaigns and isManager for the caller", async () => {
      const org = await insertOrganisation(app.services.db, [manager.id]);
      await insertProject(app.services.db, { authorId: manager.id, organisationId: org.id, name: "Nairobi buildings" });
      const campaign = await app.services.db.insertInto("campaigns").values({ name: `Campaign ${unique()}` }).returning(["id", "name"]).executeTakeFirstOrThrow();
      await app.services.db.insertInto("campaign_organisations").values({ campaign_id: campaign.id, organisation_id: org.id }).execute();

      const byId = await app.request("GET", `/api/v2/organisations/${org.id}/`, { token: manager.token });
      expect(byId.status).toBe(200);
      expect(byId.body).toMatchObject({
        organisationId: org.id,
        slug: org.slug,
        isManager: true,
        projects: ["Nairobi buildings"],
        campaigns: [[String(campaign.id), campaign.name]],
        managers: [{ username: manager.username, pictureUrl: null }],
      });
      const bySlug = await app.request("GET", `/api/v2/organisations/${org.slug}/`);
      expect(bySlug.status).toBe(200);
      expect(bySlug.body).toEqual({ ...byId.body, isManager: false });
      expect((await app.request("GET", `/api/v2/organisations/${org.id}/`, { token: mapper.token })).body.isManager).toBe(false);
      expect((await app.request("GET", `/api/v2/organisations/${org.id}/`, { token: admin.token })).body.isManager).toBe(true);
      const omitted = await app.request("GET", `/api/v2/organisations/${org.id}/?omitManagerList=true`);
      expect(omitted.body.managers).toBeUndefined();
    });

    it("answers 404 for an unknown id or slug and 400 for a bad flag", async () => {
      expect((await app.request("GET", "/api/v2/organisations/99999999/")).status).toBe(404);
      const res = await app.request("GET", "/api/v2/organisations/no-such-org/");
      expect(res.status).toBe(404);
      expect(res.body.SubCode).toBe("NotFoundError");
      expect((await app.request("GET", "/api/v2/organisations/1/?omitManagerList=maybe")).status).toBe(400);
    });
  });

  describe("GET /organisations/", () => {
    it("lists organisations, showing managers only to logged-in callers", async () => {
      const { id } = await createOrg();
      const anonymous = await app.request("GET", "/api/v2/organisations/");
      expect(anonymous.status).toBe(200);
      const listed = anonymous.body.organisations.find((o: { organisationId: number }) => o.organisationId === id);
      expect(listed).toMatchObject({ organisationId: id, type: "FREE" });
      expect(listed.managers).toBeUndefined();
      expect(listed.stats).toBeUndefined();

      const loggedIn = await app.request("GET", "/api/v2/organisations/", { token: mapper.token });
      const mine = loggedIn.body.organisations.find((o: { organisationId: number }) => o.organisationId === id);
      expect(mine.managers.map((m: { username: string }) => m.username)).toContain(manager.username);
      const omitted = await app.request("GET", "/api/v2/organisations/?omitManagerList=true", { token: mapper.token });
      expect(omitted.body.organisations.every((o: object) => !("managers" in o))).toBe(true);
    });

    it("filters by manager_user_id for logged-in callers only", async () => {
      const lonely = await app.user("MAPPER");
      const org = await insertOrganisation(app.services.db, [lonely.id]);
      const res = await app.request("GET", `/api/v2/organisations/?manager_user_id=${lonely.id}`, { token: mapper.token });
      expect(res.status).toBe(200);
      expect(res.body.organisations.map((o: { organisationId: number }) => o.organisationId)).toEqual([org.id]);
      const anonymous = await app.request("GET", `/api/v2/organisations/?manager_user_id=${lonely.id}`);
      expect(anonymous.status).toBe(403);
      expect(anonymous.body.SubCode).toBe("LoginToFilterManager");
      expect((await app.request("GET", "/api/v2/organisations/?manager_user_id=abc", { token: mapper.token })).status).toBe(400);
    });

    it("includes statistics with omitOrgStats=false", async () => {
      const org = await insertOrganisation(app.services.db);
      await insertProject(app.services.db, { authorId: mapper.id, organisationId: org.id, size: 2 });
      const res = await app.request("GET", "/api/v2/organisations/?omitOrgStats=false");
      const listed = res.body.organisations.find((o: { organisationId: number }) => o.organisationId === org.id);
      expect(listed.stats).toMatchObject({ projects: { published: 1, draft: 0 }, activeTasks: { ready: 4 } });
    });
  });

  describe("PATCH /organisations/{id}/", () => {
    const patch = (id: number, body: unknown, token?: string) => app.request("PATCH", `/api/v2/organisations/${id}/`, { token, body });

    it("lets a manager edit, ignoring type and subscription tier unless an admin asks", async () => {
      const { id } = await createOrg();
      const res = await patch(id, { description: "New text", type: "FULL_FEE", subscriptionTier: 3 }, manager.token);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ Status: "Updated" });
      let org = (await app.request("GET", `/api/v2/organisations/${id}/`)).body;
      expect(org).toMatchObject({ description: "New text", type: "FREE", subscriptionTier: null });

      expect((await patch(id, { type: "FULL_FEE", subscriptionTier: 3, logo: "https://img/logo.png" }, admin.token)).status).toBe(201);
      org = (await app.request("GET", `/api/v2/organisations/${id}/`)).body;
      expect(org).toMatchObject({ type: "FULL_FEE", subscriptionTier: 3, logo: "https://img/logo.png", description: "New text" });
    });

    it("replaces the manager list, refusing unknown usernames without changing anything", async () => {
      const { id } = await createOrg();
      const newcomer = await app.user("MAPPER");
      const bad = await patch(id, { managers: [newcomer.username, "ghost_user_xyz"], description: "changed" }, manager.token);
      expect(bad.status).toBe(400);
      expect(bad.body.SubCode).toBe("UserNotFound");
      const unchanged = (await app.request("GET", `/api/v2/organisations/${id}/`)).body;
      expect(unchanged.description).toBeNull();
      expect(unchanged.managers.map((m: { username: string }) => m.username)).toContain(manager.username);

      expect((await patch(id, { managers: [newcomer.username] }, manager.token)).status).toBe(201);
      const org = (await app.request("GET", `/api/v2/organisations/${id}/`)).body;
      expect(org.managers).toEqual([{ username: newcomer.username, pictureUrl: null }]);
      // The former manager no longer manages it.
      expect((await patch(id, { description: "x" }, manager.token)).status).toBe(403);
      expect((await patch(id, { managers: [] }, newcomer.token)).status).toBe(400);
    });

    it("answers 409 NameExists for a taken name, 400 for bad fields, leaving the organisation as it was", async () => {
      const a = await createOrg();
      const b = await createOrg();
      const taken = await patch(b.id, { name: a.name, description: "changed" }, manager.token);
      expect(taken.status).toBe(409);
      expect(taken.body.SubCode).toBe("NameExists");
      for (const body of [{ name: "" }, { name: 7 }, { slug: "Bad Slug" }, { type: "OTHER" }, { managers: "x" }]) {
        expect((await patch(b.id, body, admin.token)).status, JSON.stringify(body)).toBe(400);
      }
      const org = (await app.request("GET", `/api/v2/organisations/${b.id}/`)).body;
      expect(org).toMatchObject({ name: b.name, description: null });
    });

    it("answers 401 anonymous, 403 UserNotOrgAdmin for others, 404 unknown", async () => {
      const { id } = await createOrg();
      expect((await patch(id, { description: "x" })).status).toBe(401);
      const res = await patch(id, { description: "x" }, mapper.token);
      expect(res.status).toBe(403);
      expect(res.body.SubCode).toBe("UserNotOrgAdmin");
      expect((await patch(99999999, { description: "x" }, admin.token)).status).toBe(404);
    });
  });

  describe("DELETE /organisations/{id}/", () => {
    it("refuses while it has projects (403 OrgHasProjects), then deletes when empty", async () => {
      const org = await insertOrganisation(app.services.db, [manager.id]);
      const project = await insertProject(app.services.db, { authorId: manager.id, organisationId: org.id, size: 1 });
      const refused = await app.request("DELETE", `/api/v2/organisations/${org.id}/`, { token: manager.token });
      expect(refused.status).toBe(403);
      expect(refused.body.SubCode).toBe("OrgHasProjects");
      expect((await app.request("GET", `/api/v2/organisations/${org.id}/`)).status).toBe(200);

      await app.services.db.deleteFrom("projects").where("id", "=", project.projectId).execute();
      const res = await app.request("DELETE", `/api/v2/organisations/${org.id}/`, { token: manager.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ Success: "Organisation deleted" });
      expect((await app.request("GET", `/api/v2/organisations/${org.id}/`)).status).toBe(404);
    });

    it("answers 401 anonymous, 403 for non-managers, 404 unknown; admins may delete", async () => {
      const org = await insertOrganisation(app.services.db, [manager.id]);
      expect((await app.request("DELETE", `/api/v2/organisations/${org.id}/`)).status).toBe(401);
      const res = await app.request("DELETE", `/api/v2/organisations/${org.id}/`, { token: mapper.token });
      expect(res.status).toBe(403);
      expect(res.body.SubCode).toBe("UserNotOrgAdmin");
      expect((await app.request("DELETE", "/api/v2/organisations/99999999/", { token: admin.token })).status).toBe(404);
      expect((await app.request("DELETE", `/api/v2/organisations/${org.id}/`, { token: admin.token })).status).toBe(200);
    });
  });

  describe("GET /organisations/{id}/statistics/", () => {
    it("counts projects by status and the tasks of published projects by status", async () => {
      const db = app.services.db;
      const org = await insertOrganisation(db);
      const published = await insertProject(db, { authorId: mapper.id, organisationId: org.id, size: 3 });
      await insertProject(db, { authorId: mapper.id, organisationId: org.id, size: 2, status: "DRAFT" });
      await insertProject(db, { authorId: mapper.id, organisationId: org.id, size: 1, status: "ARCHIVED" });
      const stale = await insertProject(db, { authorId: mapper.id, organisationId: org.id, size: 1 });
      await db.updateTable("projects").set({ last_updated: sql`now() - interval '1 year'` }).where("id", "=", stale.projectId).execute();
      const setStatus = (ids: number[], task_status: "MAPPED" | "VALIDATED" | "BADIMAGERY" | "INVALIDATED") =>
        db.updateTable("tasks").set({ task_status }).where("project_id", "=", published.projectId).where("id", "in", ids).execute();
      await setStatus([1, 2], "MAPPED");
      await setStatus([3], "VALIDATED");
      await setStatus([4], "BADIMAGERY");
      await setStatus([5], "INVALIDATED");
      await db
        .updateTable("tasks")
        .set({ task_status: "LOCKED_FOR_MAPPING", locked_by: mapper.id, status_before_lock: "READY", lock_token: "fixture-lock" })
        .where("project_id", "=", published.projectId)
        .where("id", "=", 6)
        .execute();

      const res = await app.request("GET", `/api/v2/organisations/${org.id}/statistics/`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        projects: { draft: 1, published: 2, archived: 1, recent: 2, stale: 1 },
        activeTasks: { ready: 3 + 1, lockedForMapping: 1, lockedForValidation: 0, mapped: 2, validated: 1, invalidated: 1, badImagery: 1 },
      });
      expect((await app.request("GET", "/api/v2/organisations/99999999/statistics/")).status).toBe(404);
    });
  });

  describe("organisation campaigns", () => {
    const link = (method: string, orgId: number, campaignId: number, token?: string) =>
      app.request(method, `/api/v2/organisations/${orgId}/campaigns/${campaignId}/`, { token });

    it("links and unlinks campaigns for the organisation's managers", async () => {
      const org = await insertOrganisation(app.services.db, [manager.id]);
      const campaign = await app.services.db.insertInto("campaigns").values({ name: `Campaign ${unique()}` }).returning(["id", "name"]).executeTakeFirstOrThrow();

      expect((await link("POST", org.id, campaign.id)).status).toBe(401);
      const notManager = await link("POST", org.id, campaign.id, mapper.token);
      expect(notManager.status).toBe(403);
      expect(notManager.body.SubCode).toBe("UserNotPermitted");
      expect((await app.request("GET", `/api/v2/organisations/${org.id}/campaigns/`)).body).toEqual({ campaigns: [] });

      const linked = await link("POST", org.id, campaign.id, manager.token);
      expect(linked.status).toBe(200);
      expect(linked.body.Success).toContain(String(campaign.id));
      const again = await link("POST", org.id, campaign.id, manager.token);
      expect(again.status).toBe(400);
      expect(again.body.SubCode).toBe("CampaignAlreadyAssigned");
      expect((await app.request("GET", `/api/v2/organisations/${org.id}/campaigns/`)).body).toEqual({ campaigns: [campaign] });

      expect((await link("DELETE", org.id, campaign.id, mapper.token)).status).toBe(403);
      const unlinked = await link("DELETE", org.id, campaign.id, admin.token);
      expect(unlinked.status).toBe(200);
      expect(unlinked.body).toEqual({ Success: "Organisation and campaign unassociated successfully" });
      expect((await link("DELETE", org.id, campaign.id, admin.token)).status).toBe(404);
      expect((await app.request("GET", `/api/v2/organisations/${org.id}/campaigns/`)).body).toEqual({ campaigns: [] });
    });

    it("answers 404 for an unknown organisation or campaign", async () => {
      const org = await insertOrganisation(app.services.db, [manager.id]);
      expect((await link("POST", org.id, 99999999, manager.token)).status).toBe(404);
      expect((await link("POST", 99999999, 1, admin.token)).status).toBe(404);
      expect((await app.request("GET", "/api/v2/organisations/99999999/campaigns/")).status).toBe(404);
      expect(await app.services.db.selectFrom("campaign_organisations").selectAll().where("organisation_id", "=", org.id).execute()).toEqual([]);
    });
  });
});
