import { execFile } from "node:child_process";
import { request } from "node:http";
import { promisify } from "node:util";
import { Client, Connection } from "@temporalio/client";
import { describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../src/config";
import { freePort, ROOT, spawnTs, waitUntil } from "../helpers/process";

const run = promisify(execFile);

describe("tm CLI", () => {
  it("creates a user and prints one JSON object; again prints a fresh token for the same user", async () => {
    const env = { ...process.env, DATABASE_URL: inject("databaseUrl") };
    const name = `alice_${Date.now()}`;
    const args = ["run", "--silent", "tm", "--", "user", "create", "--username", name, "--role", "ADMIN"];
    const first = await run("npm", args, { cwd: ROOT, env });
    const a = JSON.parse(first.stdout);
    expect(Object.keys(a).sort()).toEqual(["role", "token", "userId", "username"]);
    expect(a).toMatchObject({ username: name, role: "ADMIN", userId: expect.any(Number) });
    const b = JSON.parse((await run("npm", args, { cwd: ROOT, env })).stdout);
    expect(b.userId).toBe(a.userId);
    expect(b.token).not.toBe(a.token);
  });

  it("rejects an unknown role with a usage message and exit code 2", async () => {
    const env = { ...process.env, DATABASE_URL: inject("databaseUrl") };
    const failed = await run("npm", ["run", "--silent", "tm", "--", "user", "create", "--username", "x", "--role", "KING"], { cwd: ROOT, env }).catch((e) => e);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain("--role");
  });
});

describe("API process", () => {
  it("drains an in-flight request on SIGTERM, then exits 0", async () => {
    const port = await freePort();
    const api = spawnTs("src/api/server.ts", { DATABASE_URL: inject("databaseUrl"), PORT: String(port), HOST: "127.0.0.1" });
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/api/v2/system/languages/`)).ok, 30_000, "API to listen");

    // A request whose body is still arriving when SIGTERM lands.
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method: "PATCH", path: "/api/v2/system/banner/", headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" } }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      });
      req.on("error", reject);
      req.write('{"message": ');
      setTimeout(() => {
        api.child.kill("SIGTERM");
        setTimeout(() => req.end('"late"}'), 500);
      }, 300);
    });
    const res = await answered;
    // The request completed with a real answer (401: no token), not a reset connection.
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).SubCode).toBe("InvalidToken");
    expect(await api.exited).toBe(0);
    expect(api.output()).toContain("draining in-flight requests");
  });
});

describe("worker process", () => {
  it("polls the task queue and shuts down cleanly on SIGTERM", async () => {
    const taskQueue = `tm-worker-proc-${Date.now()}`;
    const worker = spawnTs("src/worker/main.ts", { DATABASE_URL: inject("databaseUrl"), TEMPORAL_TASK_QUEUE: taskQueue });
    const cfg = loadConfig();
    const connection = await Connection.connect({ address: cfg.temporal.address });
    const client = new Client({ connection, namespace: cfg.temporal.namespace });
    try {
      await waitUntil(async () => {
        const res = await client.workflowService.describeTaskQueue({ namespace: cfg.temporal.namespace, taskQueue: { name: taskQueue }, taskQueueType: 1 });
        return (res.pollers?.length ?? 0) > 0;
      }, 60_000, "worker to poll");
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
      expect(worker.output()).toContain("worker stopped cleanly");
    } finally {
      worker.child.kill("SIGKILL");
      await connection.close();
    }
  });
});
