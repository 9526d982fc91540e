import Router from "@koa/router";
import mount from "koa-mount";
import serve from "koa-static";
import swaggerUiDist from "swagger-ui-dist";
import type { OpenAPIObject } from "openapi3-ts/oas31";

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
};`;

/** Serves the OpenAPI document and Swagger UI (from swagger-ui-dist) at /api/docs. */
export function docsRouter(document: () => OpenAPIObject) {
  const router = new Router();
  const json = (ctx: { body: unknown; type: string }) => {
    ctx.type = "application/json";
    ctx.body = document();
  };
  router.get("/api/openapi.json", json);
  router.get("/api/v2/system/docs/json/", json);
  // Non-strict routing matches "/api/docs/" too: only the bare path redirects, the slash form falls through to the assets.
  router.get("/api/docs", async (ctx, next) => (ctx.path === "/api/docs" ? ctx.redirect("/api/docs/") : next()));
  router.get("/api/docs/swagger-initializer.js", (ctx) => {
    ctx.type = "application/javascript";
    ctx.body = INITIALIZER;
  });
  const assets = mount("/api/docs", serve(swaggerUiDist.getAbsoluteFSPath(), { index: "index.html", maxage: 3_600_000 }));
  return { router, assets };
}
