/**
 * Runs the tests that need only the Kafka broker, without starting moto:
 * `npx vitest run -c test/peers/kafka-only.vitest.config.ts`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/integration/kafka-*.test.ts"],
    globalSetup: ["test/setup/kafka-only-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
