import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertOrganisation, insertProject } from "../helpers/fixtures";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("campaigns", () => {
  let app: TestApp;
  let admin: User;
  let mapper: User;
  let orgManager: User;
  let org: Awaited<ReturnType<typeof insertOrganisation>>;
  let otherOrg: Awaited<ReturnType<typeof insertOrganisation>>;
  // Every campaign this file makes carries TAG, so row counts ignore other suites sharing the database.
  const TAG = `cmp${process.pid}x${Date.now().toString(36)}`;
  const unique = () => `${TAG}-${Math.random().toString(36).slice(2, 8)}`;

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.user("ADMIN");
    mapper = await app.user("MAPPER");
    orgManager = await app.user("MAPPER");
    org = await insertOrganisation(app.services.db, [orgManager.id]);
    otherOrg = await insertOrganisation(app.services.db);
  });
  afterAll(() => app.close());

  // null: anonymous (undefined would pick the default token).
  const create = (body: unknown, token: string | null = orgManager.token) =>
    app.request("POST", "/api/v2/campaigns/", { token: token ?? undefined, body });
  const newCampaign = async (extra: Record<string, unknown> = {}, prefix = "Campaign") => {
    const name = `${prefix} ${unique()}`;
    const res = await create({ name, ...extra });
    expect(res.status).toBe(201);
    return { id: res.body.campaignId as number, name };
  };
  /** Rows of this file's campaigns and their links. */
  const countRows = async () => {
    const { rows } = await sql<{ campaigns: number; organisations: number; projects: number }>`
      SELECT count(*)::int AS campaigns,
             (SELECT count(*)::int FROM campaign_organisations l WHERE l.campaign_id = ANY (array_agg(c.id))) AS organisations,
             (SELECT count(*)::int FROM campaign_projects l WHERE l.campaign_id = ANY (array_agg(c.id))) AS projects
      FROM campaigns c WHERE c.name LIKE ${`%${TAG}%`}
    `.execute(app.services.db);
    return rows[0];
  };

  describe("create, read and list", () => {
    it("lets an organisation manager create a campaign with its organisations, read it and find it in the list", async () => {
      const name = `  Flood response ${unique()}  `;
      const res = await create({
        name,
        logo: "https://example.com/logo.png",
        url: "https://example.com/flood",
        description: "Mapping after the floods",
        organisations: [otherOrg.id, org.id, org.id],
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ campaignId: expect.any(Number) });
      const id = res.body.campaignId;

      const one = await app.request("GET", `/api/v2/campaigns/${id}/`);
      expect(one.status).toBe(200);
      const orgDTO = (o: typeof org) => ({ organisationId: o.id, name: o.name, slug: o.slug, logo: o.logo, url: o.url });
      expect(one.body).toEqual({
        id,
        name: name.trim(),
        logo: "https://example.com/logo.png",
        url: "https://example.com/flood",
        description: "Mapping after the floods",
        organisations: [org, otherOrg].sort((a, b) => a.name.localeCompare(b.name)).map(orgDTO),
      });

      const list = await app.request("GET", "/api/v2/campaigns/");
      expect(list.status).toBe(200);
      expect(list.body.campaigns).toContainEqual({ id, name: name.trim() });
      for (const c of list.body.campaigns) expect(Object.keys(c).sort()).toEqual(["id", "name"]);

      // By name: a later "Zeta" campaign is listed after an "Alpha" one.
      const zeta = await newCampaign({}, "Zeta");
      const alpha = await newCampaign({}, "Alpha");
      const ids = (await app.request("GET", "/api/v2/campaigns/")).body.campaigns.map((c: { id: number }) => c.id);
      expect(ids.indexOf(alpha.id)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(alpha.id)).toBeLessThan(ids.indexOf(zeta.id));

      // The organisation's own campaign list (organisations routes) sees the link too.
      const ofOrg = await app.request("GET", `/api/v2/organisations/${otherOrg.id}/campaigns/`);
      expect(ofOrg.body.campaigns).toContainEqual({ id, name: name.trim() });
    });

    it("lets admins create campaigns; optional fields default to null and no organisations", async () => {
      const name = `Admin campaign ${unique()}`;
      const res = await create({ name }, admin.token);
      expect(res.status).toBe(201);
      const one = await app.request("GET", `/api/v2/campaigns/${res.body.campaignId}/`);
      expect(one.body).toEqual({ id: res.body.campaignId, name, logo: null, url: null, description: null, organisations: [] });
    });

    it("refuses anonymous (401) and users who manage no organisation (403 UserNotPermitted), writing nothing", async () => {
      const before = await countRows();
      expect((await create({ name: `Anon ${unique()}` }, null)).status).toBe(401);
      const refused = await create({ name: `Mapper ${unique()}`, organisations: [org.id] }, mapper.token);
      expect(refused.status).toBe(403);
      expect(refused.body.SubCode).toBe("UserNotPermitted");
      expect(await countRows()).toEqual(before);
    });

    it("refuses bad input with 400 naming the field, and unknown organisations, writing nothing", async () => {
      const before = await countRows();
      const bodies: unknown[] = [
        {},
        { name: "" },
        { name: "   " },
        { name: 12 },
        { name: null },
        { name: "x".repeat(256) },
        { name: `Ok ${unique()}`, logo: 5 },
        { name: `Ok ${unique()}`, organisations: "1" },
        { name: `Ok ${unique()}`, organisations: [1.5] },
        { name: `Ok ${unique()}`, organisations: [-1] },
      ];
      for (const body of bodies) {
        const res = await create(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.SubCode).toBe("InvalidData");
      }
      expect((await create({})).body.Error).toMatch(/name/);
      const unknownOrg = await create({ name: `Ok ${unique()}`, organisations: [org.id, 99999999] });
      expect(unknownOrg.status).toBe(400);
      expect(unknownOrg.body.Error).toMatch(/organisations.*99999999/);
      expect((await app.request("POST", "/api/v2/campaigns/", { token: orgManager.token, body: "{not json" })).status).toBe(400);
      expect(await countRows()).toEqual(before);
    });

    it("answers 409 NameExists for a taken name (after trimming), writing nothing", async () => {
      const { name } = await newCampaign();
      const before = await countRows();
      for (const taken of [name, `  ${name} `]) {
        const res = await create({ name: taken, organisations: [org.id] });
        expect(res.status).toBe(409);
        expect(res.body.SubCode).toBe("NameExists");
      }
      expect(await countRows()).toEqual(before);
    });

    it("answers 404 for an unknown campaign and 400 for a non-numeric id", async () => {
      const res = await app.request("GET", "/api/v2/campaigns/99999999/");
      expect(res.status).toBe(404);
      expect(res.body.SubCode).toBe("NotFoundError");
      expect((await app.request("GET", "/api/v2/campaigns/abc/")).status).toBe(400);
    });
  });

  describe("update", () => {
    const patch = (id: number | string, body: unknown, token: string | null = orgManager.token) =>
      app.request("PATCH", `/api/v2/campaigns/${id}/`, { token: token ?? undefined, body });
    const read = async (id: number) => (await app.request("GET", `/api/v2/campaigns/${id}/`)).body;

    it("changes only the given fields; organisations replaces the list", async () => {
      const { id, name } = await newCampaign({ description: "before", organisations: [org.id] });
      const res = await patch(id, { url: "https://example.com/c", organisations: [otherOrg.id] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ Success: `Campaign ${id} updated` });
      const after = await read(id);
      expect(after).toMatchObject({ name, description: "before", url: "https://example.com/c", logo: null });
      expect(after.organisations.map((o: { organisationId: number }) => o.organisationId)).toEqual([otherOrg.id]);

      const renamed = `Renamed ${unique()}`;
      expect((await patch(id, { name: ` ${renamed} `, description: null }, admin.token)).status).toBe(200);
      expect(await read(id)).toMatchObject({ name: renamed, description: null, url: "https://example.com/c" });
      expect((await read(id)).organisations).toHaveLength(1);

      expect((await patch(id, { organisations: [] })).status).toBe(200);
      expect((await read(id)).organisations).toEqual([]);
      expect((await patch(id, {})).status).toBe(200);
    });

    it("refuses anonymous, non-managers, bad input, unknown organisations and campaigns, changing nothing", async () => {
      const { id } = await newCampaign({ description: "kept", organisations: [org.id] });
      const before = await read(id);
      expect((await patch(id, { description: "x" }, null)).status).toBe(401);
      const mapperRes = await patch(id, { description: "x" }, mapper.token);
      expect(mapperRes.status).toBe(403);
      expect(mapperRes.body.SubCode).toBe("UserNotPermitted");
      for (const body of [{ name: "" }, { name: "  " }, { name: 3 }, { organisations: [0] }, { description: ["x"] }]) {
        expect((await patch(id, body)).status, JSON.stringify(body)).toBe(400);
      }
      const unknownOrg = await patch(id, { description: "x", organisations: [otherOrg.id, 99999999] });
      expect(unknownOrg.status).toBe(400);
      expect(unknownOrg.body.Error).toMatch(/99999999/);
      expect(await read(id)).toEqual(before);

      const missing = await patch(99999999, { description: "x" });
      expect(missing.status).toBe(404);
      expect(missing.body.SubCode).toBe("NotFoundError");
      expect((await patch(99999999, { description: "x" }, mapper.token)).status).toBe(403);
    });

    it("answers 400 NameExists when renaming to a taken name, changing nothing", async () => {
      const a = await newCampaign({ organisations: [org.id] });
      const b = await newCampaign();
      const before = await read(a.id);
      const res = await patch(a.id, { name: b.name, description: "x", organisations: [] });
      expect(res.status).toBe(400);
      expect(res.body.SubCode).toBe("NameExists");
      expect(await read(a.id)).toEqual(before);
      // Keeping its own name is not a clash.
      expect((await patch(a.id, { name: a.name })).status).toBe(200);
    });
  });

  describe("delete", () => {
    const remove = (id: number, token: string | null = orgManager.token) =>
      app.request("DELETE", `/api/v2/campaigns/${id}/`, { token: token ?? undefined });

    it("deletes a campaign with its links; refuses anonymous and non-managers; 404 when unknown", async () => {
      const { id } = await newCampaign({ organisations: [org.id] });
      const { projectId } = await insertProject(app.services.db, { authorId: orgManager.id, organisationId: org.id, size: 1 });
      expect((await app.request("POST", `/api/v2/projects/${projectId}/campaigns/${id}/`, { token: orgManager.token })).status).toBe(201);

      expect((await remove(id, null)).status).toBe(401);
      const refused = await remove(id, mapper.token);
      expect(refused.status).toBe(403);
      expect(refused.body.SubCode).toBe("UserNotPermitted");
      expect((await app.request("GET", `/api/v2/campaigns/${id}/`)).status).toBe(200);

      const res = await remove(id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ Success: "Campaign deleted" });
      expect((await app.request("GET", `/api/v2/campaigns/${id}/`)).status).toBe(404);
      expect((await app.request("GET", `/api/v2/projects/${projectId}/campaigns/`)).body).toEqual({ campaigns: [] });
      expect((await app.request("GET", `/api/v2/organisations/${org.id}/campaigns/`)).body.campaigns).not.toContainEqual(
        expect.objectContaining({ id }),
      );
      expect((await remove(id)).status).toBe(404);

      const byAdmin = await newCampaign();
      expect((await remove(byAdmin.id, admin.token)).status).toBe(200);
    });
  });

  describe("project campaigns", () => {
    let projectManager: User;
    let projectId: number;
    beforeAll(async () => {
      projectManager = await app.user("MAPPER");
      const projectOrg = await insertOrganisation(app.services.db, [projectManager.id]);
      ({ projectId } = await insertProject(app.services.db, { authorId: projectManager.id, organisationId: projectOrg.id, size: 1 }));
    });
    const path = (campaignId: number, project = projectId) => `/api/v2/projects/${project}/campaigns/${campaignId}/`;
    const listOf = async (project = projectId) => app.request("GET", `/api/v2/projects/${project}/campaigns/`);

    it("lets the project's manager tag it with campaigns, listed publicly by name, and remove them", async () => {
      const b = await newCampaign({}, "Beta");
      const a = await newCampaign({}, "Alpha");
      expect((await listOf()).body).toEqual({ campaigns: [] });

      const res = await app.request("POST", path(b.id), { token: projectManager.token });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ Success: `campaign with id ${b.id} assigned successfully for project with id ${projectId}` });
      expect((await app.request("POST", path(a.id), { token: admin.token })).status).toBe(201);

      const list = await listOf();
      expect(list.status).toBe(200);
      expect(list.body.campaigns).toEqual([a, b]);

      const removed = await app.request("DELETE", path(b.id), { token: projectManager.token });
      expect(removed.status).toBe(200);
      expect(removed.body).toEqual({ Success: "Campaigns Deleted" });
      expect((await listOf()).body.campaigns).toEqual([a]);
      // The campaign itself stays.
      expect((await app.request("GET", `/api/v2/campaigns/${b.id}/`)).status).toBe(200);
    });

    it("answers 400 CampaignAlreadyAssigned for a second tag, writing nothing", async () => {
      const c = await newCampaign();
      expect((await app.request("POST", path(c.id), { token: projectManager.token })).status).toBe(201);
      const before = await countRows();
      const again = await app.request("POST", path(c.id), { token: projectManager.token });
      expect(again.status).toBe(400);
      expect(again.body.SubCode).toBe("CampaignAlreadyAssigned");
      expect(await countRows()).toEqual(before);
    });

    it("refuses anonymous (401) and non-managers of the project, even organisation managers elsewhere (403)", async () => {
      const c = await newCampaign();
      const before = await countRows();
      expect((await app.request("POST", path(c.id))).status).toBe(401);
      for (const user of [mapper, orgManager]) {
        const res = await app.request("POST", path(c.id), { token: user.token });
        expect(res.status).toBe(403);
        expect(res.body.SubCode).toBe("UserPermissionError");
      }
      expect(await countRows()).toEqual(before);

      expect((await app.request("POST", path(c.id), { token: projectManager.token })).status).toBe(201);
      expect((await app.request("DELETE", path(c.id))).status).toBe(401);
      for (const user of [mapper, orgManager]) {
        const res = await app.request("DELETE", path(c.id), { token: user.token });
        expect(res.status).toBe(403);
        expect(res.body.SubCode).toBe("UserPermissionError");
      }
      expect((await listOf()).body.campaigns).toContainEqual(c);
    });

    it("answers 404 for unknown projects and campaigns, and for removing a campaign the project does not have", async () => {
      const c = await newCampaign();
      expect((await listOf(99999999)).status).toBe(404);
      expect((await app.request("POST", path(c.id, 99999999), { token: admin.token })).status).toBe(404);
      const unknownCampaign = await app.request("POST", path(99999999), { token: projectManager.token });
      expect(unknownCampaign.status).toBe(404);
      expect(unknownCampaign.body.SubCode).toBe("NotFoundError");
      expect((await app.request("DELETE", path(99999999), { token: projectManager.token })).status).toBe(404);
      const notAssigned = await app.request("DELETE", path(c.id), { token: projectManager.token });
      expect(notAssigned.status).toBe(404);
      expect(notAssigned.body.Error).toMatch(/not assigned/);
      expect((await app.request("POST", "/api/v2/projects/x/campaigns/1/", { token: admin.token })).status).toBe(400);
    });

    it("makes the project findable by the search campaign filter", async () => {
      const c = await newCampaign();
      const { projectId: published } = await insertProject(app.services.db, { authorId: admin.id, size: 1 });
      const { projectId: untagged } = await insertProject(app.services.db, { authorId: admin.id, size: 1 });
      expect((await app.request("POST", path(c.id, published), { token: admin.token })).status).toBe(201);

      const search = await app.request("GET", `/api/v2/projects/?campaign=${encodeURIComponent(c.name)}`);
      expect(search.status).toBe(200);
      const ids = search.body.results.map((r: { projectId: number }) => r.projectId);
      expect(ids).toEqual([published]);
      expect(ids).not.toContain(untagged);
      expect(search.body.results[0].campaigns).toEqual([c]);

      // Untagging drops it from the filter.
      expect((await app.request("DELETE", path(c.id, published), { token: admin.token })).status).toBe(200);
      expect((await app.request("GET", `/api/v2/projects/?campaign=${encodeURIComponent(c.name)}`)).body.results).toEqual([]);
    });
  });
});
