import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Config } from "../config";

const startedAt = new Date().toISOString();
let cached: { version: string; sha: string; date: string } | undefined;

/** The running release: package version, commit (TM_RELEASE_SHA or git), and process start time. */
export function releaseInfo(cfg: Config) {
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  let sha = cfg.releaseSha ?? "unknown";
  if (!cfg.releaseSha) {
    try {
      sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    } catch {
      // Not a git checkout (a container image): keep "unknown".
    }
  }
  cached = { version: pkg.version, sha, date: startedAt };
  return cached;
}
