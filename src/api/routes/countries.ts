import { listTaggedCountries } from "../../db/queries/countries";
import type { RouteTable } from "../openapi/routes";
import { TagsDTO } from "../schemas/countries";
import type { Services } from "../services";

export function countryRoutes(routes: RouteTable, services: Services): void {
  routes.add({
    method: "get",
    path: "/api/v2/countries/",
    tag: "countries",
    summary: "Countries that projects are tagged with",
    description: "Projects are tagged, when created, with every country their area of interest intersects (Natural Earth 1:50m boundaries).",
    auth: "none",
    responses: { 200: { description: "Distinct country names, sorted", schema: TagsDTO } },
    handler: async () => ({ tags: await listTaggedCountries(services.db) }),
  });
}
