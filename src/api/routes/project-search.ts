import { searchProjects } from "../../domain/search";
import type { RouteTable } from "../openapi/routes";
import { ProjectSearchQuery, ProjectSearchResultsDTO } from "../schemas/search";
import type { Services } from "../services";

export function projectSearchRoutes(routes: RouteTable, services: Services): void {
  routes.add({
    method: "get",
    path: "/api/v2/projects/",
    tag: "projects",
    summary: "Search projects (14 per page) with the official filters; mapResults holds every match's centroid",
    description:
      "Only PUBLISHED projects unless projectStatuses says otherwise; drafts and archived projects are listed only for " +
      "their managers and admins, private projects only for their managers and allowed users. " +
      "createdByMe/mappedByMe/favoritedByMe/managedByMe/basedOnMyInterests need a token. " +
      "textSearch prefix-matches every word in names and descriptions, or a project id. " +
      "teamId: projects the team is linked to. Private projects are listed to members of their teams.",
    auth: "optional",
    query: ProjectSearchQuery,
    responses: { 200: { description: "Search results", schema: ProjectSearchResultsDTO } },
    handler: async ({ query, user, locale, ctx }) => {
      const body = await searchProjects(services.db, query, user, locale);
      ctx.type = "application/json";
      return body;
    },
  });
}
