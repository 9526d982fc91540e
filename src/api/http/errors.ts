import type { Middleware } from "koa";
import { ApiError } from "../../domain/errors";
import type { Logger } from "../../logger";
import type { AppState } from "./state";

function envelope(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { status?: number; statusCode?: number; type?: string; expose?: boolean; message?: string };
  const status = e.status ?? e.statusCode;
  if (status === 413 || e.type === "entity.too.large") {
    return new ApiError(413, "PayloadTooLarge", "Request body is larger than the configured limit");
  }
  if (status === 400 && (e.type === "entity.parse.failed" || /JSON|Unexpected token|parse/i.test(e.message ?? ""))) {
    return new ApiError(400, "InvalidData", "Malformed JSON in request body");
  }
  if (status === 415) return new ApiError(415, "InvalidData", "Unsupported content type");
  if (status && status >= 400 && status < 500 && e.expose) return new ApiError(status, "InvalidRequest", e.message ?? "Bad request");
  return new ApiError(500, "InternalServerError", "An internal error occurred; it has been logged");
}

/** Renders every failure as the official `{"Error", "SubCode"}` envelope; 5xx details stay in the log. */
export function errorEnvelope(logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined && ctx.status === 404) {
        throw new ApiError(404, "NotFoundError", `No route matches ${ctx.method} ${ctx.path}`);
      }
      // An empty answer of 405 or above only comes from the router's allowed-methods check (a known path
      // with an unsupported or unknown HTTP method), which set Allow: answer it as 405 in the envelope.
      if (ctx.body === undefined && ctx.status >= 405) {
        throw new ApiError(405, "MethodNotAllowed", `${ctx.method} is not allowed on ${ctx.path}`);
      }
    } catch (err) {
      const apiError = envelope(err);
      if (apiError.status >= 500) logger.error({ err, requestId: ctx.state.requestId }, "unhandled error");
      ctx.status = apiError.status;
      for (const [name, value] of Object.entries(apiError.headers)) ctx.set(name, value);
      ctx.body = { Error: apiError.message, SubCode: apiError.subCode };
    }
  };
}
