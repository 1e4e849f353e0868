/**
 * Runs the end-to-end tests alone, without moto: `npx vitest run -c test/e2e/e2e-only.vitest.config.ts`.
 * Starts only the Kafka broker (reset-offsets.e2e.test.ts resets a real group's offsets).
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/setup/kafka-only-setup.ts"],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
