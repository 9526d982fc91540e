import { Validator } from "@seriousme/openapi-schema-validator";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";

describe("OpenAPI document", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it("is valid OpenAPI 3.1 and identical at both addresses", async () => {
    const doc = (await app.request("GET", "/api/openapi.json")).body;
    const alias = (await app.request("GET", "/api/v2/system/docs/json/")).body;
    expect(alias).toEqual(doc);
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
  });

  it("lists every routed operation with the Token security scheme", async () => {
    const doc = (await app.request("GET", "/api/openapi.json")).body;
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const { createApp } = await import("../../src/api/app");
    const routed = createApp(app.services).routes.routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(documented.sort()).toEqual(routed.sort());
    expect(doc.components.securitySchemes.Token).toMatchObject({ type: "apiKey", in: "header", name: "Authorization" });
    const patchBanner = doc.paths["/api/v2/system/banner/"].patch;
    expect(patchBanner.security).toEqual([{ Token: [] }]);
    expect(patchBanner.requestBody.content["application/json"].schema.properties.message).toBeDefined();
    expect(Object.keys(patchBanner.responses)).toEqual(expect.arrayContaining(["201", "400", "401", "403"]));
  });
});

describe("Swagger UI", () => {
  let app: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await startTestApp();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app.close();
  });

  it("renders the operations at /api/docs and executes a request", async () => {
    const page = await browser.newPage();
    await page.goto(`${app.baseUrl}/api/docs`);
    const heartbeat = page.locator(".opblock-summary-path", { hasText: "/api/v2/system/heartbeat/" });
    await heartbeat.first().waitFor({ timeout: 20_000 });
    const paths = await page.locator(".opblock-summary-path").allTextContents();
    expect(paths.map((p) => p.replace(/\u200b/g, ""))).toEqual(expect.arrayContaining(["/api/v2/system/banner/", "/api/v2/system/languages/"]));

    // Try it out → Execute on the languages endpoint, and read the live response.
    const block = page.locator(".opblock", { has: page.locator(".opblock-summary-path", { hasText: "/api/v2/system/languages/" }) });
    await block.locator(".opblock-summary").click();
    await block.locator("button.try-out__btn").click();
    await block.locator("button.execute").click();
    const responseBody = block.locator(".responses-wrapper .live-responses-table .response-col_description pre").first();
    await responseBody.waitFor({ timeout: 10_000 });
    expect(await responseBody.textContent()).toContain("supportedLanguages");
    await page.close();
  });
});
