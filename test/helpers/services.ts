import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Connection } from "@temporalio/client";
import pg from "pg";
import { freePort, ROOT, waitUntil } from "./process";

/** The Temporal CLI the scripts installed (or TEMPORAL_CLI / PATH). */
export function temporalBinary(): string {
  if (process.env.TEMPORAL_CLI) return process.env.TEMPORAL_CLI;
  const local = join(ROOT, ".tools/bin/temporal");
  if (existsSync(local)) return local;
  return "temporal";
}

/** A private Temporal dev server on its own port and SQLite file, which a test may kill and restart. */
export async function startPrivateTemporal() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tm-temporal-"));
  const readJson = (file: string) => JSON.parse(readFileSync(join(ROOT, "src/temporal", file), "utf8")) as Record<string, string | number>;
  const attributes = readJson("search-attributes.json");
  const dynamicConfig = readJson("dev-server-dynamic-config.json");
  let child: ChildProcess | undefined;
  const address = `127.0.0.1:${port}`;
  const start = async () => {
    child = spawn(
      temporalBinary(),
      ["server", "start-dev", "--ip", "127.0.0.1", "--port", String(port), "--headless", "--db-filename", join(dir, "temporal.db"), "--log-level", "error",
        "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
        ...Object.entries(attributes).flatMap(([k, v]) => ["--search-attribute", `${k}=${v}`]),
        ...Object.entries(dynamicConfig).flatMap(([k, v]) => ["--dynamic-config-value", `${k}=${v}`])],
      { stdio: "ignore" },
    );
    await waitUntil(async () => {
      const c = await Connection.connect({ address, connectTimeout: 500 });
      await c.workflowService.getSystemInfo({});
      await c.close();
      return true;
    }, 60_000, "private Temporal server");
  };
  await start();
  return {
    address,
    async kill() {
      child?.kill("SIGKILL");
      await new Promise((r) => child?.once("exit", r));
    },
    restart: start,
    async stop() {
      child?.kill("SIGKILL");
    },
  };
}

/**
 * A throwaway PostgreSQL cluster (initdb into a temp dir, run as the postgres user) with PostGIS,
 * which a test may stop and start again without disturbing the shared server.
 */
export async function startPrivatePostgres() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tm-pg-"));
  const bin = "/usr/lib/postgresql/15/bin";
  const asPostgres = (args: string[]) => (process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", ...args]] : [args[0]!, args.slice(1)]) as [string, string[]];
  execFileSync("chown", ["postgres", dir]);
  execFileSync(...asPostgres([`${bin}/initdb`, "-D", join(dir, "data"), "-A", "trust", "-U", "postgres"]), { stdio: "ignore" });
  const ctl = (action: "start" | "stop") =>
    execFileSync(
      ...asPostgres([`${bin}/pg_ctl`, "-D", join(dir, "data"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "-l", join(dir, "log"), ...(action === "stop" ? ["-m", "immediate"] : []), action]),
      { stdio: "ignore" },
    );
  ctl("start");
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("CREATE EXTENSION IF NOT EXISTS postgis");
  await client.end();
  return {
    url,
    stop: () => ctl("stop"),
    start: () => ctl("start"),
    destroy() {
      try {
        ctl("stop");
      } catch {
        // already stopped
      }
      execFileSync("rm", ["-rf", dir]);
    },
  };
}
