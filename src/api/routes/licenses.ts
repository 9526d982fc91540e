import { z } from "zod";
import { acceptLicense, deleteLicense, findLicense, insertLicense, listLicenses, updateLicense } from "../../db/queries/licenses";
import { notFound } from "../../domain/errors";
import { licenseColumns, toLicenseDTO } from "../../domain/licenses";
import { requireAdmin } from "../../domain/permissions";
import { rejectingDuplicateName } from "../../domain/unique-names";
import type { RouteTable } from "../openapi/routes";
import { nameExistsResponse, pathId, SuccessDTO } from "../schemas/fields";
import { LicenseDTO, LicenseListDTO, NewLicenseDTO, UpdateLicenseDTO } from "../schemas/licenses";
import type { Services } from "../services";

const LicenseParams = z.object({ license_id: pathId });
const licenseNotFound = (id: number) => notFound(`License ${id} not found`);

export function licenseRoutes(routes: RouteTable, services: Services): void {
  const { db } = services;

  routes.add({
    method: "get",
    path: "/api/v2/licenses/",
    tag: "licenses",
    summary: "All licenses",
    auth: "none",
    responses: { 200: { description: "Licenses", schema: LicenseListDTO } },
    handler: async () => ({ licenses: (await listLicenses(db)).map(toLicenseDTO) }),
  });

  routes.add({
    method: "post",
    path: "/api/v2/licenses/",
    tag: "licenses",
    summary: "Create a license (admins only)",
    description: "A duplicate name answers 409 NameExists.",
    auth: "required",
    body: NewLicenseDTO,
    status: 201,
    responses: { 201: { description: "Created", schema: z.object({ licenseId: z.number().int() }) }, 409: nameExistsResponse },
    handler: async ({ body, user }) => {
      requireAdmin(user, "create licenses");
      const licenseId = await rejectingDuplicateName("A license with this name", () =>
        insertLicense(db, { name: body.name, ...licenseColumns(body) }),
      );
      return { licenseId };
    },
  });

  routes.add({
    method: "get",
    path: "/api/v2/licenses/{license_id}/",
    tag: "licenses",
    summary: "One license",
    auth: "none",
    params: LicenseParams,
    responses: { 200: { description: "License", schema: LicenseDTO } },
    handler: async ({ params }) => {
      const license = await findLicense(db, params.license_id);
      if (!license) throw licenseNotFound(params.license_id);
      return toLicenseDTO(license);
    },
  });

  routes.add({
    method: "patch",
    path: "/api/v2/licenses/{license_id}/",
    tag: "licenses",
    summary: "Update a license (admins only)",
    description: "Answers the updated license. A name another license has answers 409 NameExists.",
    auth: "required",
    params: LicenseParams,
    body: UpdateLicenseDTO,
    responses: { 200: { description: "Updated license", schema: LicenseDTO }, 409: nameExistsResponse },
    handler: async ({ params, body, user }) => {
      requireAdmin(user, "update licenses");
      const updated = await rejectingDuplicateName("A license with this name", () =>
        updateLicense(db, params.license_id, licenseColumns(body)),
      );
      if (!updated) throw licenseNotFound(params.license_id);
      return toLicenseDTO(updated);
    },
  });

  routes.add({
    method: "delete",
    path: "/api/v2/licenses/{license_id}/",
    tag: "licenses",
    summary: "Delete a license (admins only)",
    description: "Projects that used it are left without a license.",
    auth: "required",
    params: LicenseParams,
    responses: { 200: { description: "Deleted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      requireAdmin(user, "delete licenses");
      if (!(await deleteLicense(db, params.license_id))) throw licenseNotFound(params.license_id);
      return { Success: "License deleted" };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/licenses/{license_id}/actions/accept-for-me/",
    tag: "licenses",
    summary: "Accept a license's terms for the logged-in user",
    description: "Idempotent: accepting again changes nothing. Mapping a project with a license requires it.",
    auth: "required",
    params: LicenseParams,
    responses: { 200: { description: "Accepted", schema: SuccessDTO } },
    handler: async ({ params, user }) => {
      if (!(await findLicense(db, params.license_id))) throw licenseNotFound(params.license_id);
      await acceptLicense(db, user!.id, params.license_id);
      return { Success: "Terms Accepted" };
    },
  });
}
