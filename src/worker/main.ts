import { config } from "../config";
import { createLogger } from "../logger";
import { createWorker } from "./worker";

/** The worker process: runs until SIGTERM/SIGINT, then finishes in-flight activities and exits. */
const cfg = config();
const logger = createLogger(cfg.logLevel, "worker");
const { worker, close } = await createWorker(cfg, logger);
logger.info({ taskQueue: cfg.temporal.taskQueue, address: cfg.temporal.address }, "worker started");
try {
  await worker.run(); // resolves after a shutdown signal once polling and in-flight work have stopped
  logger.info("worker stopped cleanly");
} finally {
  await close();
}
logger.flush();
process.exit(0);
