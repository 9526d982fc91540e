import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Files run in parallel against one database and one worker; two forks suit the 2-core machines.
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
  },
});
