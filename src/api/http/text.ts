import type { AppContext } from "./state";

/** Sends a body produced elsewhere (PostgreSQL's JSON text, XML, CSV) as-is, optionally as a download. */
export function sendText(ctx: AppContext, body: string, contentType: string, attachment?: string): string {
  ctx.type = contentType;
  if (attachment) ctx.set("Content-Disposition", `attachment; filename="${attachment}"`);
  return body;
}
