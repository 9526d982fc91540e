import { randomUUID } from "node:crypto";
import cors from "@koa/cors";
import type { Middleware } from "koa";
import type { Config } from "../../config";
import type { Logger } from "../../logger";
import type { AppState } from "./state";

/** Request id (taken from X-Request-Id when the client sends a sane one) and one log line per request. */
export function requestLog(logger: Logger, enabled: boolean): Middleware<AppState> {
  return async (ctx, next) => {
    const incoming = ctx.get("X-Request-Id");
    ctx.state.requestId = /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    ctx.set("X-Request-Id", ctx.state.requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      if (enabled) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        logger.info(
          { requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10, userId: ctx.state.user?.id },
          "request",
        );
      }
    }
  };
}

/** CORS from EXTRA_CORS_ORIGINS: `*` allows any origin; otherwise only listed origins are echoed back. */
export function corsFromConfig(origins: string[]): Middleware<AppState> {
  const any = origins.includes("*");
  return cors({
    origin: (ctx) => {
      if (any) return "*";
      const origin = ctx.get("Origin");
      return origins.includes(origin) ? origin : "";
    },
    allowHeaders: ["Authorization", "Content-Type", "Accept-Language", "X-Request-Id"],
    exposeHeaders: ["X-Request-Id", "Content-Disposition", "Content-Language"],
    allowMethods: ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"],
    maxAge: 600,
  }) as unknown as Middleware<AppState>;
}

/** Picks the response locale from Accept-Language among the supported ones, else TM_DEFAULT_LOCALE. */
export function pickLocale(header: string, supported: string[], fallback: string): string {
  const wanted = header
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.find((p) => p.trim().startsWith("q="));
      return { tag: tag.trim(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((w) => w.tag && w.tag !== "*" && !Number.isNaN(w.q) && w.q > 0)
    .sort((a, b) => b.q - a.q);
  const lower = supported.map((s) => s.toLowerCase());
  for (const { tag } of wanted) {
    const exact = lower.indexOf(tag.toLowerCase());
    if (exact >= 0) return supported[exact]!;
    const primary = lower.indexOf(tag.split("-")[0]!.toLowerCase());
    if (primary >= 0) return supported[primary]!;
  }
  return fallback;
}

export function locale(cfg: Config): Middleware<AppState> {
  const codes = cfg.supportedLanguages.map((l) => l.code);
  return async (ctx, next) => {
    ctx.state.locale = pickLocale(ctx.get("Accept-Language"), codes, cfg.defaultLocale);
    ctx.set("Content-Language", ctx.state.locale);
    await next();
  };
}
