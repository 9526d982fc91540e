import type { Server } from "node:http";
import { config } from "../config";
import { createLogger } from "../logger";
import { createApp } from "./app";
import { buildServices, closeServices } from "./bootstrap";

/** The API process: listens on PORT (5000) and drains in-flight requests on SIGTERM/SIGINT. */
const cfg = config();
const logger = createLogger(cfg.logLevel, "api");
const services = await buildServices(cfg, logger);
const { app } = createApp(services);

const server: Server = app.listen(cfg.http.port, cfg.http.host, () => {
  logger.info({ port: cfg.http.port, host: cfg.http.host }, "API listening");
});
server.keepAliveTimeout = 5_000;

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "draining in-flight requests");
  const force = setTimeout(() => {
    logger.warn("grace period over; closing remaining connections");
    server.closeAllConnections();
  }, cfg.http.shutdownGraceMs);
  force.unref();
  // Stop accepting; idle keep-alive sockets close now, busy ones after their response.
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  await closeServices(services);
  logger.info("stopped");
  logger.flush();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
