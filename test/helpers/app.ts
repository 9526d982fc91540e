import type { AddressInfo } from "node:net";
import { inject } from "vitest";
import { createApp } from "../../src/api/app";
import { buildServices, closeServices } from "../../src/api/bootstrap";
import type { Services } from "../../src/api/services";
import { type Config, loadConfig } from "../../src/config";
import { ensureLocalUser, type Role } from "../../src/db/queries/users";
import { issueToken } from "../../src/domain/tokens";
import { createLogger } from "../../src/logger";

export interface TestApp {
  baseUrl: string;
  services: Services;
  config: Config;
  /** fetch against the API, JSON in and out. */
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
  /** A user with a fresh token; usernames are made unique per call. */
  user(role?: Role, name?: string): Promise<{ id: number; username: string; token: string }>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

let counter = 0;

/** Starts the real Koa app on an ephemeral port, on this run's database and task queue. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: inject("databaseUrl"),
    TEMPORAL_TASK_QUEUE: inject("taskQueue"),
    TEMPORAL_NAMESPACE: inject("namespace"),
    TM_LOG_REQUESTS: "false",
    ...env,
  });
  const services = await buildServices(config, createLogger("error", "test-api"), { migrate: false });
  const { app } = createApp(services);
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    services,
    config,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.Authorization = `Token ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        headers["Content-Type"] ??= "application/json";
        body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      }
      const res = await fetch(baseUrl + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (XML, GPX, HTML): keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async user(role = "MAPPER", name) {
      const username = name ?? `${role.toLowerCase()}_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 7)}`;
      const { user } = await ensureLocalUser(services.db, username, role);
      return { id: user.id, username: user.username, token: issueToken(config.secret, user.id, config.sessionTokenTtlMs) };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await closeServices(services);
    },
  };
}
