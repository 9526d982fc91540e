import pino, { type Logger } from "pino";

/** Structured JSON logs. The CLI passes stderr so that stdout stays machine-readable. */
export function createLogger(level: string, name: string, destination: 1 | 2 = 1): Logger {
  return pino({ name, level, base: { service: name } }, pino.destination({ fd: destination, sync: false }));
}
export type { Logger };
