/**
 * Runs the Flink tests alone, without the repo's globalSetup (Kafka, moto):
 * `npx vitest run -c test/integration/flink-only.vitest.config.ts`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: [
      "test/unit/checkpoint-failure.test.ts",
      "test/integration/flink-*.test.ts",
      "test/contract/flink.*.test.ts",
    ],
    testTimeout: 30_000,
    // A real Flink (test/peers/flink-peer.ts) starts in a hook: a first build takes minutes.
    hookTimeout: 600_000,
    pool: "forks",
  },
});
