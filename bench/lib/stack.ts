import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createApp } from "../../src/api/app";
import { buildServices, closeServices } from "../../src/api/bootstrap";
import type { Services } from "../../src/api/services";
import { loadConfig } from "../../src/config";
import { ensureLocalUser, type Role } from "../../src/db/queries/users";
import { issueToken } from "../../src/domain/tokens";
import { createLogger } from "../../src/logger";
import { createTestDatabase } from "../../test/helpers/database";

/**
 * A benchmark's stack: a fresh, migrated database next to DATABASE_URL and the real app listening
 * on an ephemeral port in this process (so its memory can be read), torn down by close().
 */
export interface BenchStack {
  baseUrl: string;
  services: Services;
  user(role?: Role): Promise<{ id: number; username: string; token: string }>;
  close(): Promise<void>;
}

export async function startBenchStack(name: string): Promise<BenchStack> {
  const base = loadConfig();
  const database = await createTestDatabase(base.databaseUrl, `tm_bench_${name}_${Date.now().toString(36)}_${process.pid}`);
  const config = loadConfig({ ...process.env, DATABASE_URL: database.url, TM_LOG_REQUESTS: "false" });
  const services = await buildServices(config, createLogger("error", `bench-${name}`), { migrate: false });
  const { app } = createApp(services);
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  let users = 0;
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    services,
    async user(role = "MAPPER") {
      const { user } = await ensureLocalUser(services.db, `bench_${role.toLowerCase()}_${++users}`, role);
      return { id: user.id, username: user.username, token: issueToken(config.secret, user.id, config.sessionTokenTtlMs) };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await closeServices(services);
      if (!process.env.TM_KEEP_BENCH_DB) await database.drop();
    },
  };
}

/** Latency percentiles (ms) of a list of samples. */
export function percentiles(samplesMs: number[]): { median: number; p95: number; p99: number; max: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (n: number) => Math.round(n * 100) / 100;
  return { median: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!) };
}

/** Resident set and heap of this process (where the API runs), in MB. */
export function memoryMb(): { rss: number; heapUsed: number } {
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: Math.round(rss / 1048576), heapUsed: Math.round(heapUsed / 1048576) };
}

/** Times `count` sequential calls of `fn` (after `warmup` untimed ones); returns the samples in ms. */
export async function timeCalls(count: number, warmup: number, fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples;
}
