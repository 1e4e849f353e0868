/**
 * The Kafka port's tests on their own (unit, integration on the real broker and the real 3-node
 * cluster, contract): `npx vitest run -c test/integration/kafka-only.vitest.config.ts`.
 * Starts only the single Kafka broker as global setup (no moto); the cluster test starts its own.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: [
      "test/integration/kafka-*.test.ts",
      "test/contract/kafka.contract.test.ts",
      "test/unit/kafka-*.test.ts",
    ],
    globalSetup: ["test/setup/kafka-only-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
