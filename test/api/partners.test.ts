import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertOrganisation, insertProject } from "../helpers/fixtures";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("partners and project partnerships", () => {
  let app: TestApp;
  let admin: User;
  let manager: User;
  let mapper: User;
  const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.user("ADMIN");
    manager = await app.user("MAPPER");
    mapper = await app.user("MAPPER");
  });
  afterAll(() => app.close());

  async function createPartner(extra: Record<string, unknown> = {}) {
    const name = `Red Cross ${unique()}`;
    const res = await app.request("POST", "/api/v2/partners/", {
      token: admin.token,
      body: { name, primary_hashtag: "#redcross", name_1: "Website", url_1: "https://example.org", ...extra },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: number; name: string; permalink: string };
  }
  const partnersNamed = async (names: string[]) =>
    (await app.services.db.selectFrom("partners").select("id").where("name", "in", names).execute()).length;

  describe("partners", () => {
    it("lets admins create a partner and answers the official PartnerDTO", async () => {
      const name = `Médecins Sans Frontières ${unique()}`;
      const res = await app.request("POST", "/api/v2/partners/", {
        token: admin.token,
        body: { name, primary_hashtag: "#msf", secondary_hashtag: "#missingmaps", link_x: "https://x.com/msf", name_1: "Home", url_1: "https://msf.org", name_2: "Blog", url_2: "https://msf.org/blog", current_projects: "1,2" },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        name,
        primary_hashtag: "#msf",
        secondary_hashtag: "#missingmaps",
        link_x: "https://x.com/msf",
        link_meta: null,
        link_instagram: null,
        logo_url: null,
        current_projects: "1,2",
        permalink: expect.stringMatching(/^medecins-sans-frontieres-/),
        website_links: [
          { name: "Home", url: "https://msf.org" },
          { name: "Blog", url: "https://msf.org/blog" },
        ],
        mapswipe_group_id: null,
      });
    });

    it("reads a partner by id (signed in) or permalink (anyone), with links flattened", async () => {
      const partner = await createPartner({ permalink: `rc-${unique()}` });
      const byId = await app.request("GET", `/api/v2/partners/${partner.id}/`, { token: mapper.token });
      expect(byId.status).toBe(200);
      expect(byId.body).toMatchObject({ id: partner.id, name: partner.name, name_1: "Website", url_1: "https://example.org" });
      expect(byId.body.website_links).toBeUndefined();
      expect((await app.request("GET", `/api/v2/partners/${partner.id}/`)).status).toBe(401);
      const byPermalink = await app.request("GET", `/api/v2/partners/${partner.permalink}/`);
      expect(byPermalink.status).toBe(200);
      expect(byPermalink.body).toEqual(byId.body);
      expect((await app.request("GET", `/api/v2/partners/no-such-${unique()}/`)).status).toBe(404);
      const missing = await app.request("GET", "/api/v2/partners/99999999/", { token: mapper.token });
      expect(missing.status).toBe(404);
      expect(missing.body.SubCode).toBe("NotFoundError");
    });

    it("lists partners for signed-in users only", async () => {
      const partner = await createPartner();
      expect((await app.request("GET", "/api/v2/partners/")).status).toBe(401);
      const list = await app.request("GET", "/api/v2/partners/", { token: mapper.token });
      expect(list.status).toBe(200);
      expect(list.body).toContainEqual(expect.objectContaining({ id: partner.id, name: partner.name, url_1: "https://example.org" }));
    });

    it("refuses creation to anonymous, non-admins, bad input and duplicates, writing nothing", async () => {
      const existing = await createPartner();
      const names = Array.from({ length: 8 }, () => `P ${unique()}`);
      expect((await app.request("POST", "/api/v2/partners/", { body: { name: names[0], primary_hashtag: "#a" } })).status).toBe(401);
      const notAdmin = await app.request("POST", "/api/v2/partners/", { token: manager.token, body: { name: names[1], primary_hashtag: "#a" } });
      expect(notAdmin.status).toBe(403);
      expect(notAdmin.body.SubCode).toBe("OnlyAdminAccess");
      const bad = [
        { primary_hashtag: "#a" },
        { name: names[2] },
        { name: names[3], primary_hashtag: "  " },
        { name: names[4], primary_hashtag: "#a", name_1: "Only a name" },
        { name: names[5], primary_hashtag: "#a", permalink: "12345" },
        { name: names[6], primary_hashtag: "#a", permalink: "has space" },
        { name: names[7], primary_hashtag: 5 },
      ];
      for (const body of bad) {
        const res = await app.request("POST", "/api/v2/partners/", { token: admin.token, body });
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.SubCode).toBe("InvalidData");
      }
      for (const body of [{ name: existing.name, primary_hashtag: "#a" }, { name: `Q ${unique()}`, primary_hashtag: "#a", permalink: existing.permalink }]) {
        const res = await app.request("POST", "/api/v2/partners/", { token: admin.token, body });
        expect(res.status).toBe(409);
        expect(res.body.SubCode).toBe("NameExists");
      }
      expect(await partnersNamed(names)).toBe(0);
    });

    it("lets admins update a partner's given fields and links", async () => {
      const partner = await createPartner();
      const other = await createPartner();
      const path = `/api/v2/partners/${partner.id}/`;
      expect((await app.request("PUT", path, { body: { logo_url: "x" } })).status).toBe(401);
      expect((await app.request("PUT", path, { token: manager.token, body: { logo_url: "x" } })).status).toBe(403);
      expect((await app.request("PUT", path, { token: admin.token, body: {} })).status).toBe(400);
      expect((await app.request("PUT", "/api/v2/partners/99999999/", { token: admin.token, body: { logo_url: "x" } })).status).toBe(404);
      const taken = await app.request("PUT", path, { token: admin.token, body: { name: other.name } });
      expect(taken.status).toBe(409);

      const logoOnly = await app.request("PUT", path, { token: admin.token, body: { logo_url: "https://example.org/logo.png" } });
      expect(logoOnly.status).toBe(200);
      expect(logoOnly.body).toMatchObject({ name: partner.name, logo_url: "https://example.org/logo.png", website_links: [{ name: "Website", url: "https://example.org" }] });
      const links = await app.request("PUT", path, { token: admin.token, body: { name_1: "Docs", url_1: "https://docs.example.org", name_2: "", url_2: "" } });
      expect(links.body.website_links).toEqual([{ name: "Docs", url: "https://docs.example.org" }]);
    });

    it("lets admins delete a partner, with its partnerships", async () => {
      const partner = await createPartner();
      const { projectId } = await insertProject(app.services.db, { authorId: admin.id, size: 1 });
      const link = await app.request("POST", "/api/v2/projects/partnerships/", { token: admin.token, body: { projectId, partnerId: partner.id } });
      expect(link.status).toBe(201);
      const path = `/api/v2/partners/${partner.id}/`;
      expect((await app.request("DELETE", path)).status).toBe(401);
      expect((await app.request("DELETE", path, { token: manager.token })).status).toBe(403);
      const deleted = await app.request("DELETE", path, { token: admin.token });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ Success: "Partner deleted" });
      expect((await app.request("GET", path, { token: admin.token })).status).toBe(404);
      expect((await app.request("GET", `/api/v2/projects/partnerships/${link.body.partnershipId}/`)).status).toBe(404);
      expect((await app.request("DELETE", path, { token: admin.token })).status).toBe(404);
    });
  });

  describe("project partnerships", () => {
    async function managedProject() {
      const org = await insertOrganisation(app.services.db, [manager.id]);
      return insertProject(app.services.db, { authorId: manager.id, organisationId: org.id, size: 2 });
    }
    const history = (partnershipId: number) =>
      app.services.db.selectFrom("project_partnership_history").selectAll().where("partnership_id", "=", partnershipId).orderBy("id").execute();

    it("lets a project manager link, read, re-date and unlink a partner, keeping the history", async () => {
      const { projectId } = await managedProject();
      const partner = await createPartner();
      const created = await app.request("POST", "/api/v2/projects/partnerships/", {
        token: manager.token,
        body: { projectId, partnerId: partner.id, startedOn: "2024-01-01T00:00:00", endedOn: "2024-06-30" },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ Success: `Partner ${partner.id} assigned to project ${projectId}`, partnershipId: expect.any(Number) });
      const id = created.body.partnershipId as number;

      const one = await app.request("GET", `/api/v2/projects/partnerships/${id}/`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual({ id, projectId, partnerId: partner.id, startedOn: "2024-01-01T00:00:00.000Z", endedOn: "2024-06-30T00:00:00.000Z" });
      const ofProject = await app.request("GET", `/api/v2/projects/${projectId}/partners/`);
      expect(ofProject.status).toBe(200);
      expect(ofProject.body).toEqual({ partnerships: [one.body] });

      const patched = await app.request("PATCH", `/api/v2/projects/partnerships/${id}/`, { token: manager.token, body: { endedOn: null } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ startedOn: "2024-01-01T00:00:00.000Z", endedOn: null });
      expect((await app.request("GET", `/api/v2/projects/partnerships/${id}/`)).body.endedOn).toBeNull();

      const deleted = await app.request("DELETE", `/api/v2/projects/partnerships/${id}/`, { token: manager.token });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ Success: `Partnership ID ${id} deleted` });
      expect((await app.request("GET", `/api/v2/projects/partnerships/${id}/`)).status).toBe(404);
      expect((await app.request("GET", `/api/v2/projects/${projectId}/partners/`)).body).toEqual({ partnerships: [] });
      expect((await history(id)).map((h) => h.action)).toEqual(["CREATE", "UPDATE", "DELETE"]);
    });

    it("defaults startedOn to now and refuses bad ranges and input, writing nothing", async () => {
      const { projectId } = await managedProject();
      const partner = await createPartner();
      const before = Date.now();
      const res = await app.request("POST", "/api/v2/projects/partnerships/", { token: manager.token, body: { projectId, partnerId: partner.id } });
      expect(res.status).toBe(201);
      const started = new Date((await app.request("GET", `/api/v2/projects/partnerships/${res.body.partnershipId}/`)).body.startedOn).getTime();
      expect(started).toBeGreaterThanOrEqual(before - 1000);

      for (const body of [
        { projectId, partnerId: partner.id, startedOn: "2024-05-01", endedOn: "2024-04-01" },
        { projectId, partnerId: partner.id, startedOn: "yesterday" },
        { projectId },
        { projectId: "x", partnerId: partner.id },
      ]) {
        const bad = await app.request("POST", "/api/v2/projects/partnerships/", { token: manager.token, body });
        expect(bad.status, JSON.stringify(body)).toBe(400);
        expect(bad.body.SubCode).toBe("InvalidData");
      }
      const refused = await app.request("PATCH", `/api/v2/projects/partnerships/${res.body.partnershipId}/`, { token: manager.token, body: { endedOn: "2000-01-01" } });
      expect(refused.status).toBe(400);
      expect((await app.request("PATCH", `/api/v2/projects/partnerships/${res.body.partnershipId}/`, { token: manager.token, body: {} })).status).toBe(400);
      expect((await app.request("GET", `/api/v2/projects/${projectId}/partners/`)).body.partnerships).toHaveLength(1);
    });

    it("names the partners linked now in project search results (partnerNames)", async () => {
      const word = `Partnered${unique()}`;
      const { projectId } = await insertProject(app.services.db, { authorId: admin.id, size: 1, name: `${word} buildings` });
      const current = await createPartner();
      const past = await createPartner();
      const link = (partnerId: number, extra: Record<string, unknown> = {}) =>
        app.request("POST", "/api/v2/projects/partnerships/", { token: admin.token, body: { projectId, partnerId, ...extra } });
      expect((await link(current.id, { startedOn: "2024-01-01" })).status).toBe(201);
      expect((await link(past.id, { startedOn: "2023-01-01", endedOn: "2023-06-01" })).status).toBe(201);
      const search = await app.request("GET", `/api/v2/projects/?textSearch=${word}`, { token: admin.token });
      expect(search.status).toBe(200);
      const card = search.body.results.find((r: { projectId: number }) => r.projectId === projectId);
      expect(card.partnerNames).toEqual([current.name]);

      // partnerId (with partnershipFrom/To) keeps the projects whose partnership with it ran within the days.
      const ids = async (query: string) =>
        (await app.request("GET", `/api/v2/projects/?textSearch=${word}&${query}`, { token: admin.token })).body.results.map((r: { projectId: number }) => r.projectId);
      expect(await ids(`partnerId=${past.id}`)).toEqual([projectId]);
      expect(await ids(`partnerId=${past.id}&partnershipFrom=2023-05-01&partnershipTo=2023-05-31`)).toEqual([projectId]);
      expect(await ids(`partnerId=${past.id}&partnershipFrom=2023-07-01`)).toEqual([]);
      expect(await ids(`partnerId=${current.id}&partnershipTo=2023-12-31`)).toEqual([]);
      expect(await ids(`partnerId=${current.id}&partnershipFrom=2025-01-01`)).toEqual([projectId]);
      expect((await app.request("GET", `/api/v2/projects/?partnerId=${current.id}&partnershipFrom=soon`)).status).toBe(400);
    });

    it("answers 401, 403 UserPermissionError and 404 as officially", async () => {
      const { projectId } = await managedProject();
      const partner = await createPartner();
      const body = { projectId, partnerId: partner.id };
      expect((await app.request("POST", "/api/v2/projects/partnerships/", { body })).status).toBe(401);
      const notManager = await app.request("POST", "/api/v2/projects/partnerships/", { token: mapper.token, body });
      expect(notManager.status).toBe(403);
      expect(notManager.body.SubCode).toBe("UserPermissionError");
      expect((await app.request("POST", "/api/v2/projects/partnerships/", { token: manager.token, body: { projectId: 99999999, partnerId: partner.id } })).status).toBe(404);
      expect((await app.request("POST", "/api/v2/projects/partnerships/", { token: manager.token, body: { projectId, partnerId: 99999999 } })).status).toBe(404);
      expect((await app.request("GET", `/api/v2/projects/${projectId}/partners/`)).body.partnerships).toEqual([]);

      const id = (await app.request("POST", "/api/v2/projects/partnerships/", { token: admin.token, body })).body.partnershipId;
      const path = `/api/v2/projects/partnerships/${id}/`;
      expect((await app.request("PATCH", path, { token: mapper.token, body: { endedOn: null } })).status).toBe(403);
      expect((await app.request("DELETE", path, { token: mapper.token })).status).toBe(403);
      expect((await app.request("DELETE", path)).status).toBe(401);
      expect((await app.request("PATCH", "/api/v2/projects/partnerships/99999999/", { token: admin.token, body: { endedOn: null } })).status).toBe(404);
      expect((await app.request("DELETE", "/api/v2/projects/partnerships/99999999/", { token: admin.token })).status).toBe(404);
      expect((await app.request("GET", "/api/v2/projects/99999999/partners/")).status).toBe(404);
      expect((await history(id)).map((h) => h.action)).toEqual(["CREATE"]);
    });
  });

  describe("partner statistics", () => {
    it("counts contributions and locked time on the partner's projects while the partnership ran", async () => {
      const partner = await createPartner();
      const { db } = app.services;
      const org = await insertOrganisation(db);
      const { projectId } = await insertProject(db, { authorId: admin.id, organisationId: org.id, size: 2 });
      await db.updateTable("projects").set({ mapping_types: ["BUILDINGS", "ROADS"] }).where("id", "=", projectId).execute();
      const link = await app.request("POST", "/api/v2/projects/partnerships/", {
        token: admin.token,
        body: { projectId, partnerId: partner.id, startedOn: "2024-01-01", endedOn: "2024-12-31" },
      });
      expect(link.status).toBe(201);
      const row = (user_id: number, task_id: number, action: string, action_text: string, action_date: string) => ({ project_id: projectId, task_id, user_id, action, action_text, action_date });
      await db
        .insertInto("task_history")
        .values([
          row(mapper.id, 1, "LOCKED_FOR_MAPPING", "00:10:00", "2024-03-01T10:00:00Z"),
          row(mapper.id, 1, "STATE_CHANGE", "MAPPED", "2024-03-01T10:10:00Z"),
          row(mapper.id, 2, "STATE_CHANGE", "MAPPED", "2024-03-02T09:00:00Z"),
          row(manager.id, 1, "LOCKED_FOR_VALIDATION", "00:05:00", "2024-03-02T11:00:00Z"),
          row(manager.id, 1, "STATE_CHANGE", "VALIDATED", "2024-03-02T11:05:00Z"),
          // Before the partnership started: not the partner's.
          row(manager.id, 3, "STATE_CHANGE", "MAPPED", "2023-12-01T11:05:00Z"),
        ])
        .execute();

      const general = await app.request("GET", `/api/v2/partners/${partner.permalink}/general-statistics/`);
      expect(general.status).toBe(200);
      expect(general.body).toMatchObject({
        id: partner.id,
        provider: "tasking-manager",
        membersCount: 2,
        totalContributors: 2,
        totalcontributions: 3,
        totalcontributionTime: 900,
        totalRecentContributors: 0,
        totalRecentcontributions: 0,
      });
      expect(general.body.members[0]).toEqual({
        id: String(mapper.id),
        userId: String(mapper.id),
        username: mapper.username,
        isActive: false,
        totalMappingProjects: 1,
        totalcontributionTime: 600,
        totalcontributions: 2,
      });
      const paged = await app.request("GET", `/api/v2/partners/${partner.permalink}/general-statistics/?limit=1&offset=1`);
      expect(paged.body.members.map((m: { username: string }) => m.username)).toEqual([manager.username]);
      const csv = await app.request("GET", `/api/v2/partners/${partner.permalink}/general-statistics/?downloadAsCSV=true`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
      expect(csv.headers.get("content-disposition")).toContain(`${partner.permalink}_members.csv`);
      expect(csv.text.trim().split("\n")).toEqual([
        "userId,username,isActive,totalMappingProjects,totalcontributionTime,totalcontributions",
        `${mapper.id},${mapper.username},false,1,600,2`,
        `${manager.id},${manager.username},false,1,300,1`,
      ]);

      const filtered = await app.request("GET", `/api/v2/partners/${partner.permalink}/filtered-statistics/?fromDate=2024-03-02&toDate=2024-03-31`);
      expect(filtered.status).toBe(200);
      expect(filtered.body).toMatchObject({
        id: partner.id,
        provider: "tasking-manager",
        fromDate: "2024-03-02",
        toDate: "2024-03-31",
        areaSwipedByProjectType: [],
        contributionsByDate: [{ taskDate: "2024-03-02", totalcontributions: 2 }],
        contributionTimeByDate: [{ date: "2024-03-02", totalcontributionTime: 300 }],
        contributionsByorganizationName: [{ organizationName: org.name, totalcontributions: 2 }],
        contributionsByProjectType: [
          { projectType: "BUILDINGS", projectTypeDisplay: "Buildings", totalcontributions: 2 },
          { projectType: "ROADS", projectTypeDisplay: "Roads", totalcontributions: 2 },
        ],
      });
      expect(filtered.body.contributionsByUser).toHaveLength(2);
      expect(filtered.body.contributionsByGeo).toEqual([{ geojson: { type: "Point", coordinates: [expect.any(Number), expect.any(Number)] }, totalcontributions: 2 }]);
    });

    it("refuses unknown permalinks and bad date ranges", async () => {
      const partner = await createPartner();
      expect((await app.request("GET", `/api/v2/partners/none-${unique()}/general-statistics/`)).status).toBe(404);
      expect((await app.request("GET", `/api/v2/partners/none-${unique()}/filtered-statistics/?fromDate=2024-01-01`)).status).toBe(404);
      for (const q of ["", "?fromDate=2024-13-01", "?fromDate=2024-05-01&toDate=2024-04-01", "?fromDate=2022-01-01&toDate=2024-01-01"]) {
        const res = await app.request("GET", `/api/v2/partners/${partner.permalink}/filtered-statistics/${q}`);
        expect(res.status, q).toBe(400);
        expect(res.body.SubCode).toBe("InvalidData");
      }
      expect((await app.request("GET", `/api/v2/partners/${partner.permalink}/general-statistics/?limit=0`)).status).toBe(400);
      const empty = await app.request("GET", `/api/v2/partners/${partner.permalink}/general-statistics/`);
      expect(empty.body).toMatchObject({ membersCount: 0, members: [], totalcontributions: 0 });
    });
  });
});
