import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertOrganisation, insertProject } from "../helpers/fixtures";

type User = Awaited<ReturnType<TestApp["user"]>>;

const square = (lon: number, lat: number, d = 0.005) => ({
  type: "Polygon",
  coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]],
});

describe("editing projects", () => {
  let app: TestApp;
  let admin: User, manager: User, otherManager: User, mapper: User, friend: User;
  let orgId: number;
  let licenseId: number;
  let interestIds: number[];

  beforeAll(async () => {
    app = await startTestApp();
    [admin, manager, otherManager, mapper, friend] = await Promise.all([
      app.user("ADMIN"), app.user("MAPPER"), app.user("MAPPER"), app.user("MAPPER"), app.user("MAPPER"),
    ]);
    const db = app.services.db;
    orgId = (await insertOrganisation(db, [manager.id, otherManager.id])).id;
    licenseId = (await db.insertInto("licenses").values({ name: `License ${orgId}` }).returning("id").executeTakeFirstOrThrow()).id;
    interestIds = (
      await db.insertInto("interests").values([{ name: `Health ${orgId}` }, { name: `Roads ${orgId}` }]).returning("id").execute()
    ).map((r) => r.id);
  });
  afterAll(() => app.close());

  const newProject = async (status: "DRAFT" | "PUBLISHED" = "PUBLISHED") =>
    (await insertProject(app.services.db, { authorId: manager.id, organisationId: orgId, status })).projectId;
  const patch = (id: number, body: unknown, token?: string) => app.request("PATCH", `/api/v2/projects/${id}/`, { token, body });
  const read = async (id: number) => (await app.request("GET", `/api/v2/projects/${id}/`, { token: admin.token })).body;

  it("lets only the project's managers update it", async () => {
    const id = await newProject();
    expect((await patch(id, { projectPriority: "HIGH" })).status).toBe(401);
    const denied = await patch(id, { projectPriority: "HIGH" }, mapper.token);
    expect(denied.status).toBe(403);
    expect(denied.body.SubCode).toBe("UserPermissionError");
    const ok = await patch(id, { projectPriority: "HIGH" }, manager.token);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ Status: "Updated" });
    expect((await patch(id, { projectPriority: "LOW" }, admin.token)).status).toBe(200);
    expect((await read(id)).projectPriority).toBe("LOW");
    expect((await patch(999999, { projectPriority: "LOW" }, admin.token)).status).toBe(404);
  });

  it("applies a full update", async () => {
    const id = await newProject();
    const before = await read(id);
    const res = await patch(
      id,
      {
        ...before, // clients send back the whole DTO they read; read-only fields are ignored
        projectPriority: "URGENT",
        difficulty: "CHALLENGING",
        mappingTypes: ["ROADS", "WATERWAYS"],
        mappingEditors: ["ID", "CUSTOM"],
        validationEditors: ["JOSM"],
        customEditor: { name: "Custom", description: "Our editor", url: "https://custom.example/edit" },
        changesetComment: "#hotosm-project",
        dueDate: "2031-01-02T03:04:05Z",
        imagery: "tms[22]:https://tiles.example/{zoom}/{x}/{y}.png",
        idPresets: ["building"],
        rapidPowerUser: true,
        enforceRandomTaskSelection: true,
        countryTag: ["Kenya"],
        licenseId,
        private: true,
        allowedUsernames: [friend.username.toUpperCase()],
        priorityAreas: [square(36.8, -1.3), square(36.81, -1.29)],
        interests: [{ id: interestIds[0] }],
        projectInfoLocales: [
          { locale: "en", shortDescription: "Updated" },
          { locale: "sw", name: "Majengo", description: "Ramani", instructions: "Fuata" },
        ],
        percentMapped: 99, // read-only: ignored
      },
      manager.token,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const after = await read(id);
    expect(after).toMatchObject({
      projectPriority: "URGENT",
      difficulty: "CHALLENGING",
      mappingTypes: ["ROADS", "WATERWAYS"],
      mappingEditors: ["ID", "CUSTOM"],
      validationEditors: ["JOSM"],
      customEditor: { name: "Custom", description: "Our editor", url: "https://custom.example/edit" },
      changesetComment: "#hotosm-project",
      dueDate: "2031-01-02T03:04:05.000Z",
      idPresets: ["building"],
      rapidPowerUser: true,
      enforceRandomTaskSelection: true,
      countryTag: ["Kenya"],
      licenseId,
      private: true,
      allowedUsernames: [friend.username],
      interests: [{ id: interestIds[0], name: expect.any(String) }],
      percentMapped: 0,
    });
    expect(after.priorityAreas).toHaveLength(2);
    const en = after.projectInfoLocales.find((i: { locale: string }) => i.locale === "en");
    expect(en).toMatchObject({ shortDescription: "Updated", name: before.projectInfo.name, instructions: "Trace every building" });
    expect(after.projectInfoLocales.find((i: { locale: string }) => i.locale === "sw")).toMatchObject({ name: "Majengo" });
    expect(Date.parse(after.lastUpdated)).toBeGreaterThan(Date.parse(before.lastUpdated) - 1);

    // The allowed friend may now read it; the custom editor can be removed again.
    expect((await app.request("GET", `/api/v2/projects/${id}/`, { token: friend.token })).status).toBe(200);
    expect((await app.request("GET", `/api/v2/projects/${id}/`, { token: mapper.token })).body.SubCode).toBe("PrivateProject");
    expect((await patch(id, { customEditor: null, priorityAreas: null, dueDate: null }, manager.token)).status).toBe(200);
    expect(await read(id)).toMatchObject({ customEditor: null, priorityAreas: [], dueDate: null });
  });

  it("refuses to publish without name, description and instructions in the default locale, changing nothing", async () => {
    const id = await newProject("DRAFT");
    const db = app.services.db;
    await db.updateTable("project_info").set({ instructions: null }).where("project_id", "=", id).execute();
    const res = await patch(id, { status: "PUBLISHED", projectPriority: "URGENT", projectInfoLocales: [{ locale: "en", description: "Changed" }] }, manager.token);
    expect(res.status).toBe(400);
    expect(res.body.SubCode).toBe("InfoForLocaleRequired");
    const after = await read(id);
    expect(after).toMatchObject({ status: "DRAFT", projectPriority: "MEDIUM", projectInfo: { description: "Map the buildings" } });

    // Switching the default locale to one without info is refused the same way.
    const other = await patch(id, { status: "PUBLISHED", defaultLocale: "fr", projectInfoLocales: [{ locale: "en", instructions: "Now there" }] }, manager.token);
    expect(other.body.SubCode).toBe("InfoForLocaleRequired");

    const ok = await patch(id, { status: "PUBLISHED", projectInfoLocales: [{ locale: "en", instructions: "Trace" }] }, manager.token);
    expect(ok.status).toBe(200);
    expect(await read(id)).toMatchObject({ status: "PUBLISHED", projectInfo: { instructions: "Trace" } });
  });

  it.each([
    ["an unknown status", { status: "FINISHED" }, "status"],
    ["an unknown priority", { projectPriority: "WHENEVER" }, "projectPriority"],
    ["an unknown mapping type", { mappingTypes: ["ROADS", "CASTLES"] }, "mappingTypes"],
    ["an unknown editor", { mappingEditors: ["NOTEPAD"] }, "mappingEditors"],
    ["no validation editor", { validationEditors: [] }, "validationEditors"],
    ["an unknown permission", { mappingPermission: "EVERYONE" }, "mappingPermission"],
    ["a malformed due date", { dueDate: "next tuesday" }, "dueDate"],
    ["a custom editor without url", { customEditor: { name: "x" } }, "customEditor"],
    ["a priority area that is not a polygon", { priorityAreas: [{ type: "Point", coordinates: [1, 2] }] }, "priorityAreas"],
  ])("refuses %s with 400 naming the field", async (_name, body, field) => {
    const id = await newProject();
    const res = await patch(id, { projectPriority: "URGENT", ...body }, manager.token);
    expect(res.status).toBe(400);
    expect(res.body.SubCode).toBe("InvalidData");
    expect(res.body.Error).toContain(field);
    expect((await read(id)).projectPriority).toBe("MEDIUM");
  });

  it("refuses unknown references and invalid geometry, changing nothing", async () => {
    const id = await newProject();
    const cases: [unknown, string, string][] = [
      [{ allowedUsernames: [friend.username, "nobody_here_123"] }, "InvalidData", "nobody_here_123"],
      [{ licenseId: 987654 }, "RequireLicenseId", "licenseId"],
      [{ interests: [{ id: 987654 }] }, "InvalidData", "interests"],
      [{ campaigns: [{ id: 987654 }] }, "InvalidData", "campaigns"],
      [{ organisation: 987654 }, "InvalidData", "organisation"],
      // A bow-tie: self-intersecting.
      [{ priorityAreas: [{ type: "Polygon", coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] }] }, "InvalidData", "priorityAreas"],
    ];
    for (const [body, subCode, mention] of cases) {
      const res = await patch(id, { projectPriority: "URGENT", private: true, ...(body as object) }, manager.token);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.SubCode).toBe(subCode);
      expect(res.body.Error).toContain(mention);
    }
    expect(await read(id)).toMatchObject({ projectPriority: "MEDIUM", private: false, allowedUsernames: [], priorityAreas: [] });
  });

  it("moves a project only to an organisation the caller manages", async () => {
    const id = await newProject();
    const foreign = await insertOrganisation(app.services.db);
    const res = await patch(id, { organisation: foreign.id }, manager.token);
    expect(res.status).toBe(403);
    expect((await patch(id, { organisation: foreign.id }, admin.token)).status).toBe(200);
    expect((await read(id)).organisation).toBe(foreign.id);
  });

  it("features and unfeatures a project", async () => {
    const id = await newProject();
    const feature = (token?: string, action = "feature") => app.request("POST", `/api/v2/projects/${id}/actions/${action}/`, { token });
    expect((await feature()).status).toBe(401);
    expect((await feature(mapper.token)).status).toBe(403);
    const ok = await feature(manager.token);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ Success: true });
    const again = await feature(admin.token);
    expect(again.status).toBe(403);
    expect(again.body.SubCode).toBe("AlreadyFeatured");
    expect((await feature(mapper.token, "remove-feature")).status).toBe(403);
    expect((await feature(admin.token, "remove-feature")).body).toEqual({ Success: true });
    const notFeatured = await feature(admin.token, "remove-feature");
    expect(notFeatured.status).toBe(400);
    expect((await app.request("POST", "/api/v2/projects/999999/actions/feature/", { token: admin.token })).status).toBe(404);
  });

  it("sets a project's interests", async () => {
    const id = await newProject();
    const set = (body: unknown, token?: string) => app.request("POST", `/api/v2/projects/${id}/actions/set-interests/`, { token, body });
    expect((await set({ interests: interestIds }, mapper.token)).status).toBe(403);
    const ok = await set({ interests: interestIds }, manager.token);
    expect(ok.status).toBe(200);
    expect(ok.body.interests.map((i: { id: number }) => i.id).sort()).toEqual([...interestIds].sort());
    const replaced = await set([interestIds[1]], manager.token);
    expect(replaced.body.interests.map((i: { id: number }) => i.id)).toEqual([interestIds[1]]);
    const bad = await set({ interests: [interestIds[0], 987654] }, manager.token);
    expect(bad.status).toBe(400);
    expect(bad.body.Error).toContain("987654");
    expect((await set({ interests: ["x"] }, manager.token)).status).toBe(400);
    expect((await read(id)).interests.map((i: { id: number }) => i.id)).toEqual([interestIds[1]]);
  });

  it("transfers ownership to another manager of the organisation", async () => {
    const id = await newProject();
    const transfer = (username: string, token?: string) =>
      app.request("POST", `/api/v2/projects/${id}/actions/transfer-ownership/`, { token, body: { username } });
    expect((await transfer(otherManager.username)).status).toBe(401);
    const notAllowed = await transfer(otherManager.username, mapper.token);
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.body.SubCode).toBe("TransferPermissionError");
    const invalidOwner = await transfer(mapper.username, manager.token);
    expect(invalidOwner.status).toBe(403);
    expect(invalidOwner.body.SubCode).toBe("InvalidNewOwner");
    expect((await transfer("nobody_here_123", manager.token)).status).toBe(404);
    expect((await app.request("POST", `/api/v2/projects/${id}/actions/transfer-ownership/`, { token: manager.token, body: {} })).status).toBe(400);
    const ok = await transfer(otherManager.username, manager.token);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ Success: "Project Transferred" });
    expect((await read(id)).author).toBe(otherManager.username);
    expect((await transfer(admin.username, admin.token)).status).toBe(200);
    expect((await read(id)).author).toBe(admin.username);
  });

  it("keeps favourites", async () => {
    const id = await newProject();
    const fav = (method: string, token?: string, project = id) => app.request(method, `/api/v2/projects/${project}/favorite/`, { token });
    expect((await fav("GET")).status).toBe(401);
    expect((await fav("GET", mapper.token)).body).toEqual({ favorited: false });
    expect((await fav("POST", mapper.token)).body).toEqual({ project_id: id });
    expect((await fav("POST", mapper.token)).status).toBe(200); // idempotent
    expect((await fav("GET", mapper.token)).body).toEqual({ favorited: true });
    expect((await fav("GET", friend.token)).body).toEqual({ favorited: false });
    expect((await fav("DELETE", mapper.token)).body).toEqual({ project_id: id });
    expect((await fav("GET", mapper.token)).body).toEqual({ favorited: false });
    expect((await fav("DELETE", mapper.token)).status).toBe(400);
    expect((await fav("POST", mapper.token, 999999)).status).toBe(404);
  });
});
