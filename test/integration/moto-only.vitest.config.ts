/**
 * Runs the tests that need only the moto peer (AWS adapters), without starting Kafka:
 * `npx vitest run -c test/integration/moto-only.vitest.config.ts`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/integration/cloudwatch-metrics.test.ts"],
    globalSetup: ["test/setup/moto-only-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
