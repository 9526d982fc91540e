import { z } from "zod";
import { getBanner, saveBanner } from "../../db/queries/banner";
import { saveReleaseVersion } from "../../db/queries/release-version";
import { homePageStatistics } from "../../db/queries/statistics";
import { forbidden } from "../../domain/errors";
import { latestRelease } from "../../domain/external";
import { sanitizeMarkdown } from "../../domain/markdown";
import { releaseInfo } from "../release";
import type { RouteTable } from "../openapi/routes";
import type { Services } from "../services";
import { BannerDTO, HomePageStatsDTO, SettingsDTO } from "../schemas/system";

async function checkPostgres(services: Services): Promise<boolean> {
  try {
    await services.db.selectNoFrom((eb) => eb.lit(1).as("ok")).execute();
    return true;
  } catch {
    return false;
  }
}

export function systemRoutes(routes: RouteTable, services: Services): void {
  routes.add({
    method: "get",
    path: "/api/v2/system/heartbeat/",
    tag: "system",
    summary: "Health check: the API, and whether PostgreSQL, Temporal and a worker answer",
    description: "Without a worker polling TEMPORAL_TASK_QUEUE no lock can be taken or expire, so that is degraded too.",
    auth: "none",
    responses: {
      200: { description: "Healthy" },
      503: { description: "PostgreSQL or Temporal does not answer, or no worker polls the task queue" },
    },
    handler: async ({ ctx }) => {
      const [postgres, temporal, pollers] = await Promise.all([checkPostgres(services), services.temporal.ping(), services.temporal.workerPollers()]);
      const healthy = postgres && temporal && pollers > 0;
      ctx.status = healthy ? 200 : 503;
      ctx.body = {
        status: healthy ? "healthy" : "degraded",
        release: releaseInfo(services.config),
        services: {
          postgres: postgres ? "ok" : "unavailable",
          temporal: temporal ? "ok" : "unavailable",
          worker: pollers > 0 ? "ok" : `no worker polls task queue ${services.temporal.taskQueue}`,
        },
      };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/system/release/",
    tag: "system",
    summary: "Fetch the latest official release from GitHub (TM_RELEASES_URL) and store it",
    description: "As officially: unauthenticated and idempotent. 502 ReleaseServiceError when the releases API fails or answers no release.",
    auth: "none",
    status: 201,
    responses: {
      201: { description: "The stored release", schema: z.object({ release_version: z.string(), published_at: z.string() }) },
      502: { description: "The releases API did not answer a release" },
    },
    handler: async () => {
      const stored = await saveReleaseVersion(services.db, await latestRelease(services.config.external));
      return { release_version: stored.tag_name, published_at: stored.published_at.toISOString() };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/system/languages/",
    tag: "system",
    summary: "Supported languages (TM_SUPPORTED_LANGUAGES_CODES / TM_SUPPORTED_LANGUAGES)",
    auth: "none",
    responses: { 200: { description: "Settings", schema: SettingsDTO } },
    handler: () => ({
      mapperLevelIntermediate: 250,
      mapperLevelAdvanced: 500,
      supportedLanguages: services.config.supportedLanguages,
    }),
  });

  routes.add({
    method: "get",
    path: "/api/v2/system/banner/",
    tag: "system",
    summary: "The site-wide banner",
    auth: "none",
    responses: { 200: { description: "Banner", schema: BannerDTO } },
    handler: () => getBanner(services.db),
  });

  routes.add({
    method: "patch",
    path: "/api/v2/system/banner/",
    tag: "system",
    summary: "Update the site-wide banner (admins only); markdown is sanitised of scripts",
    auth: "required",
    status: 201,
    body: z.object({
      message: z.string().trim().min(1).max(services.config.bannerMaxLength),
      visible: z.boolean().optional().default(true),
    }),
    responses: { 201: { description: "Banner updated", schema: BannerDTO } },
    handler: ({ body, user }) => {
      if (user!.role !== "ADMIN") throw forbidden("Only admins can update the banner", "OnlyAdminAccess");
      return saveBanner(services.db, { message: sanitizeMarkdown(body.message), visible: body.visible });
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/system/statistics/",
    tag: "system",
    summary: "Platform statistics for the home page",
    auth: "none",
    query: z.object({ abbreviated: z.enum(["true", "false"]).optional() }),
    responses: { 200: { description: "Statistics", schema: HomePageStatsDTO } },
    handler: ({ query }) => homePageStatistics(services.db, { abbreviated: query.abbreviated !== "false" }),
  });
}
