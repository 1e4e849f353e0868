import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The approval and store tests only, without the repo's globalSetup (no Kafka or moto needed). */
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: [
      "test/unit/approval.test.ts",
      "test/unit/store/**/*.test.ts",
      "test/integration/store-concurrency.test.ts",
    ],
    testTimeout: 60_000,
    pool: "forks",
  },
});
