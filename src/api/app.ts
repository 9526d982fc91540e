import Router from "@koa/router";
import Koa from "koa";
import { HttpMethodEnum, koaBody } from "koa-body";
import type { OpenAPIObject } from "openapi3-ts/oas31";
import { errorEnvelope } from "./http/errors";
import { corsFromConfig, locale, requestLog } from "./http/middleware";
import type { AppState } from "./http/state";
import { docsRouter } from "./openapi/docs";
import { RouteTable } from "./openapi/routes";
import { campaignRoutes } from "./routes/campaigns";
import { countryRoutes } from "./routes/countries";
import { interestRoutes } from "./routes/interests";
import { issueCategoryRoutes } from "./routes/issue-categories";
import { licenseRoutes } from "./routes/licenses";
import { notificationRoutes } from "./routes/notifications";
import { organisationRoutes } from "./routes/organisations";
import { partnerRoutes } from "./routes/partners";
import { projectPartnershipRoutes } from "./routes/project-partnerships";
import { projectSearchRoutes } from "./routes/project-search";
import { projectCommentRoutes } from "./routes/project-comments";
import { projectStatsRoutes } from "./routes/project-stats";
import { projectAdminRoutes } from "./routes/projects-admin";
import { projectRoutes } from "./routes/projects";
import { annotationRoutes } from "./routes/annotations";
import { bulkOperationRoutes } from "./routes/bulk-operations";
import { systemRoutes } from "./routes/system";
import { systemAuthRoutes } from "./routes/system-auth";
import { systemFormRoutes } from "./routes/system-forms";
import { taskReadRoutes } from "./routes/tasks";
import { taskActionRoutes } from "./routes/task-actions";
import { teamRoutes } from "./routes/teams";
import { userRoutes } from "./routes/users";
import { levelRoutes } from "./routes/levels";
import { userStatisticsRoutes } from "./routes/user-statistics";
import { badgeRoutes } from "./routes/badges";
import type { Services } from "./services";

/** Every resource group registers its routes here. */
const RESOURCE_GROUPS = [systemRoutes, systemAuthRoutes, systemFormRoutes, userStatisticsRoutes, userRoutes, projectSearchRoutes, projectPartnershipRoutes, taskReadRoutes, projectRoutes, projectAdminRoutes, taskActionRoutes, bulkOperationRoutes, organisationRoutes, licenseRoutes, interestRoutes, countryRoutes, campaignRoutes, notificationRoutes, projectCommentRoutes, projectStatsRoutes, annotationRoutes, teamRoutes, levelRoutes, badgeRoutes, issueCategoryRoutes, partnerRoutes];

export function createApp(services: Services): { app: Koa<AppState>; routes: RouteTable; openapi: () => OpenAPIObject } {
  const routes = new RouteTable();
  for (const register of RESOURCE_GROUPS) register(routes, services);

  let cachedDoc: OpenAPIObject | undefined;
  const openapi = () =>
    (cachedDoc ??= routes.document(
      {
        title: "Tasking Manager API",
        version: services.config.apiVersion,
        description:
          "The HOT Tasking Manager v2 API, with every task lock held by a durable Temporal workflow. " +
          "Errors answer `{\"Error\": ..., \"SubCode\": ...}`.",
      },
      "/",
    ));

  const api = new Router();
  routes.mount(api, services);
  const docs = docsRouter(openapi);

  const app = new Koa<AppState>();
  app.proxy = true;
  app.silent = true; // errors are logged by errorEnvelope, with the request id
  app
    .use(requestLog(services.logger, services.config.logRequests))
    .use(errorEnvelope(services.logger))
    .use(corsFromConfig(services.config.http.corsOrigins))
    .use(locale(services.config))
    .use(
      koaBody({
        jsonLimit: services.config.http.maxBodySize,
        formLimit: services.config.http.maxBodySize,
        textLimit: services.config.http.maxBodySize,
        parsedMethods: [HttpMethodEnum.POST, HttpMethodEnum.PUT, HttpMethodEnum.PATCH, HttpMethodEnum.DELETE],
      }) as unknown as Koa.Middleware<AppState>,
    )
    .use(docs.router.routes())
    .use(docs.assets)
    .use(api.routes())
    .use(api.allowedMethods() as unknown as Koa.Middleware<AppState>);
  return { app, routes, openapi };
}
