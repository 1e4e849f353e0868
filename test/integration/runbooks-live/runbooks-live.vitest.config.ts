/**
 * The runbooks run end to end through the real adapters against the test peers, on their own:
 * `npx vitest run -c test/integration/runbooks-live/runbooks-live.vitest.config.ts`.
 * Reuses the global setup (a real Kafka broker and moto for the whole run); the broker-down file
 * starts its own 3-node Kafka cluster.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../../..", import.meta.url)),
  test: {
    include: ["test/integration/runbooks-live/*.test.ts"],
    globalSetup: ["test/setup/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: "forks",
  },
});
