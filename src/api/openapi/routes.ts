import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from "@asteasolutions/zod-to-openapi";
import type Router from "@koa/router";
import type { OpenAPIObject } from "openapi3-ts/oas31";
import { z, type ZodType } from "zod";
import type { UserRow } from "../../db/schema";
import { badRequest } from "../../domain/errors";
import { type AuthMode, authenticate, refuseReadOnlyWrites } from "../http/auth";
import type { AppContext } from "../http/state";
import type { Services } from "../services";

type Method = "get" | "post" | "put" | "patch" | "delete";
type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  user: UserRow | undefined;
  locale: string;
  ctx: AppContext;
}

export interface ResponseSpec {
  description: string;
  schema?: ZodType;
  contentType?: string;
}

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends ZodType> {
  method: Method;
  /** OpenAPI-style path under the API, e.g. `/api/v2/projects/{project_id}/`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth: AuthMode;
  params?: P;
  query?: Q;
  body?: B;
  /** Status of a successful answer (default 200); the handler's return value is its JSON body. */
  status?: number;
  responses?: Record<number, ResponseSpec>;
  handler: (input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown> | unknown;
}

const ERROR_CODES: Record<number, string> = {
  400: "Invalid request: the body, path or query failed validation",
  401: "Missing, invalid or expired token",
  403: "Not permitted",
  404: "Not found",
  409: "Conflict with the current state",
  500: "Internal server error",
};

export const ErrorEnvelope = z
  .object({ Error: z.string(), SubCode: z.string() })
  .meta({ id: "ErrorEnvelope", description: 'Every error: {"Error": "...", "SubCode": "..."}' });

function describeIssues(where: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const field = i.path.length ? i.path.join(".") : where;
      return `${field}: ${i.message}`;
    })
    .join("; ");
}

function parseOrThrow<T extends ZodType>(schema: T | undefined, value: unknown, where: string): z.output<T> {
  if (!schema) return undefined as z.output<T>;
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(`Invalid ${where}: ${describeIssues(where, result.error)}`);
  return result.data;
}

/**
 * The one place a route is declared: the same zod schemas validate requests and produce the
 * OpenAPI document, so the two cannot drift apart.
 */
export class RouteTable {
  private readonly specs: RouteSpec<AnyObject, AnyObject, ZodType>[] = [];

  add<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends ZodType = ZodType>(
    spec: RouteSpec<P, Q, B>,
  ): void {
    this.specs.push(spec as unknown as RouteSpec<AnyObject, AnyObject, ZodType>);
  }

  get routes(): readonly RouteSpec<AnyObject, AnyObject, ZodType>[] {
    return this.specs;
  }

  mount(router: Router, services: Services): void {
    for (const spec of this.specs) {
      const koaPath = spec.path.replace(/\{(\w+)\}/g, ":$1");
      router[spec.method](koaPath, async (ctx) => {
        const appCtx = ctx as unknown as AppContext;
        const user = await authenticate(appCtx, services, spec.auth);
        appCtx.state.user = user;
        if (spec.auth !== "none") refuseReadOnlyWrites(ctx.method, user);
        const params = parseOrThrow(spec.params, ctx.params, "path");
        const query = parseOrThrow(spec.query, ctx.query, "query");
        const body = parseOrThrow(spec.body, (ctx.request as { body?: unknown }).body ?? {}, "body");
        const result = await spec.handler({ params, query, body, user, locale: appCtx.state.locale, ctx: appCtx });
        if (result !== undefined) {
          // A handler may choose its status (e.g. 202 for work still running); otherwise the route's.
          const chosen = ctx.status !== 404 ? ctx.status : (spec.status ?? 200);
          ctx.body = result;
          ctx.status = chosen;
        }
      });
    }
  }

  document(info: { title: string; version: string; description: string }, serverUrl: string): OpenAPIObject {
    const registry = new OpenAPIRegistry();
    registry.registerComponent("securitySchemes", "Token", {
      type: "apiKey",
      in: "header",
      name: "Authorization",
      description: "`Token <session token>`; create one locally with `npm run --silent tm -- user create --username NAME`",
    });
    for (const spec of this.specs) {
      const success = spec.status ?? 200;
      const responses: Record<string, ResponseConfig> = {};
      const declared = { [success]: { description: "Success" } as ResponseSpec, ...spec.responses };
      for (const [code, r] of Object.entries(declared)) {
        responses[code] = r.schema
          ? { description: r.description, content: { [r.contentType ?? "application/json"]: { schema: r.schema } } }
          : { description: r.description };
      }
      const errorCodes = [400, 500, ...(spec.auth === "required" ? [401, 403] : []), ...(spec.params ? [404] : [])];
      for (const code of errorCodes) {
        responses[code] ??= { description: ERROR_CODES[code]!, content: { "application/json": { schema: ErrorEnvelope } } };
      }
      registry.registerPath({
        method: spec.method,
        path: spec.path,
        tags: [spec.tag],
        summary: spec.summary,
        description: spec.description,
        security: spec.auth === "required" ? [{ Token: [] }] : spec.auth === "optional" ? [{}, { Token: [] }] : [],
        request: {
          params: spec.params,
          query: spec.query,
          body: spec.body ? { content: { "application/json": { schema: spec.body } }, required: true } : undefined,
        },
        responses,
      });
    }
    return new OpenApiGeneratorV31(registry.definitions).generateDocument({
      openapi: "3.1.0",
      info,
      servers: [{ url: serverUrl }],
    });
  }
}
