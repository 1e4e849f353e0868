/**
 * Runs the tests that need only the PostgreSQL server (no Kafka, moto or Kubernetes):
 * `npx vitest run -c test/peers/postgres-only.vitest.config.ts`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: [
      "test/contract/store-postgres*.test.ts",
      "test/integration/serve-postgres.test.ts",
      // Runs on SQLite and PostgreSQL; needs no other peer.
      "test/e2e/exactly-once-processes.e2e.test.ts",
      "test/e2e/postgres-restart.e2e.test.ts",
    ],
    globalSetup: ["test/setup/postgres-only-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
