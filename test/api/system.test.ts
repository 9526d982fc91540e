import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertProject } from "../helpers/fixtures";
import { startStandIn } from "../helpers/stand-in";

describe("system endpoints", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TM_SUPPORTED_LANGUAGES_CODES: "en, fr, pt-BR", TM_SUPPORTED_LANGUAGES: "English, Français, Português (Brasil)" });
  });
  afterAll(() => app.close());

  it("heartbeat reports PostgreSQL and Temporal", async () => {
    const res = await app.request("GET", "/api/v2/system/heartbeat/");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "healthy", services: { postgres: "ok", temporal: "ok", worker: "ok" } });
    expect(res.body.release).toMatchObject({ version: expect.any(String), sha: expect.any(String) });
  });

  it("heartbeat answers 503 degraded when Temporal is unreachable", async () => {
    const broken = await startTestApp({ TEMPORAL_ADDRESS: "127.0.0.1:1" });
    try {
      const res = await broken.request("GET", "/api/v2/system/heartbeat/");
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: "degraded", services: { postgres: "ok", temporal: "unavailable" } });
    } finally {
      await broken.close();
    }
  });

  it("heartbeat answers 503 degraded when no worker polls the task queue", async () => {
    const idle = await startTestApp({ TEMPORAL_TASK_QUEUE: `nobody-polls-${Date.now()}` });
    try {
      const res = await idle.request("GET", "/api/v2/system/heartbeat/");
      expect(res.status).toBe(503);
      expect(res.body.services).toMatchObject({ postgres: "ok", temporal: "ok", worker: expect.stringContaining("no worker") });
    } finally {
      await idle.close();
    }
  });

  it("lists the configured languages", async () => {
    const res = await app.request("GET", "/api/v2/system/languages/");
    expect(res.body.supportedLanguages).toEqual([
      { code: "en", language: "English" },
      { code: "fr", language: "Français" },
      { code: "pt-BR", language: "Português (Brasil)" },
    ]);
  });

  it("picks the locale from Accept-Language, falling back to TM_DEFAULT_LOCALE", async () => {
    const lang = async (h: string) => (await app.request("GET", "/api/v2/system/banner/", { headers: { "Accept-Language": h } })).headers.get("content-language");
    expect(await lang("fr-CA,fr;q=0.9,en;q=0.8")).toBe("fr");
    expect(await lang("de;q=1, pt-br;q=0.5")).toBe("pt-BR");
    expect(await lang("xx")).toBe("en");
  });

  it("lets only admins change the banner, sanitising scripts, and leaves it untouched on refusal", async () => {
    const admin = await app.user("ADMIN");
    const mapper = await app.user("MAPPER");
    const before = (await app.request("GET", "/api/v2/system/banner/")).body;

    const anonymous = await app.request("PATCH", "/api/v2/system/banner/", { body: { message: "x" } });
    expect(anonymous.status).toBe(401);
    const notAdmin = await app.request("PATCH", "/api/v2/system/banner/", { token: mapper.token, body: { message: "x" } });
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.SubCode).toBe("OnlyAdminAccess");
    const tooLong = await app.request("PATCH", "/api/v2/system/banner/", { token: admin.token, body: { message: "y".repeat(300) } });
    expect(tooLong.status).toBe(400);
    expect((await app.request("GET", "/api/v2/system/banner/")).body).toEqual(before);

    const res = await app.request("PATCH", "/api/v2/system/banner/", {
      token: admin.token,
      body: { message: "**Mapathon** <script>alert(1)</script> [x](javascript:alert(1)) <a href=\"https://hotosm.org\" onclick=\"x()\">HOT</a>", visible: true },
    });
    expect(res.status).toBe(201);
    expect(res.body.visible).toBe(true);
    expect(res.body.message).toContain("**Mapathon**");
    expect(res.body.message).not.toMatch(/script|javascript:|onclick/i);
    expect(res.body.message).toContain('<a href="https://hotosm.org">HOT</a>');
    expect((await app.request("GET", "/api/v2/system/banner/")).body).toEqual(res.body);
  });

  it("counts users, projects, organisations, online mappers and areas in the statistics", async () => {
    const stats = async (q = "") => (await app.request("GET", `/api/v2/system/statistics/${q}`)).body;
    const before = await stats("?abbreviated=false");
    const user = await app.user("MAPPER");
    const project = await insertProject(app.services.db, { authorId: user.id, size: 2 });
    await app.services.db.updateTable("tasks").set({ task_status: "VALIDATED" }).where("project_id", "=", project.projectId).where("id", "=", 1).execute();
    await app.services.db
      .updateTable("tasks")
      .set({ task_status: "LOCKED_FOR_MAPPING", locked_by: user.id, lock_token: "t", status_before_lock: "READY" })
      .where("project_id", "=", project.projectId)
      .where("id", "=", 2)
      .execute();
    const after = await stats("?abbreviated=false");
    expect(after.totalMappers).toBe(before.totalMappers + 1);
    expect(after.totalProjects).toBe(before.totalProjects + 1);
    expect(after.totalOrganisations).toBe(before.totalOrganisations + 1);
    expect(after.tasksValidated).toBe(before.tasksValidated + 1);
    expect(after.mappersOnline).toBeGreaterThanOrEqual(1);
    // A 0.01° square near the equator is about 1.2 km².
    expect(after.totalValidatedArea - before.totalValidatedArea).toBeCloseTo(1.23, 1);
    expect((await stats()).totalMappedArea).toBeNull();
  });
});

describe("CORS", () => {
  it("allows any origin by default", async () => {
    const app = await startTestApp();
    try {
      const res = await app.request("GET", "/api/v2/system/languages/", { headers: { Origin: "https://tasks.example.org" } });
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
    } finally {
      await app.close();
    }
  });

  it("allows only EXTRA_CORS_ORIGINS when set, preflight included", async () => {
    const app = await startTestApp({ EXTRA_CORS_ORIGINS: "https://good.example, https://also.example" });
    try {
      const ok = await app.request("OPTIONS", "/api/v2/system/banner/", {
        headers: { Origin: "https://good.example", "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "authorization,content-type" },
      });
      expect(ok.status).toBe(204);
      expect(ok.headers.get("access-control-allow-origin")).toBe("https://good.example");
      expect(ok.headers.get("access-control-allow-methods")).toContain("PATCH");
      const bad = await app.request("GET", "/api/v2/system/languages/", { headers: { Origin: "https://evil.example" } });
      expect(bad.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await app.close();
    }
  });

  it("release: stores the latest official release from the releases API, replacing the previous one; a failing API changes nothing", async () => {
    let answer: { status: number; body: unknown } = { status: 200, body: { tag_name: "v5.0.0", published_at: "2026-01-02T03:04:05Z" } };
    const github = await startStandIn(() => answer);
    const withReleases = await startTestApp({ TM_RELEASES_URL: `${github.url}/repos/hotosm/tasking-manager/releases/latest` });
    const stored = () => withReleases.services.db.selectFrom("release_version").selectAll().execute();
    try {
      const first = await withReleases.request("POST", "/api/v2/system/release/");
      expect(first.status).toBe(201);
      expect(first.body).toEqual({ release_version: "v5.0.0", published_at: "2026-01-02T03:04:05.000Z" });
      expect(github.requests.at(-1)!.url.pathname).toBe("/repos/hotosm/tasking-manager/releases/latest");

      answer = { status: 200, body: { tag_name: "v5.1.0", published_at: "2026-03-04T00:00:00Z" } };
      expect((await withReleases.request("POST", "/api/v2/system/release/")).body.release_version).toBe("v5.1.0");
      expect((await stored()).map((r) => r.tag_name)).toEqual(["v5.1.0"]);

      for (const failing of [{ status: 500, body: {} }, { status: 200, body: { message: "Not Found" } }]) {
        answer = failing;
        const res = await withReleases.request("POST", "/api/v2/system/release/");
        expect(res.status).toBe(502);
        expect(res.body.SubCode).toBe("ReleaseServiceError");
      }
      expect((await stored()).map((r) => r.tag_name)).toEqual(["v5.1.0"]);
    } finally {
      await withReleases.close();
      await github.close();
    }
  });
});
