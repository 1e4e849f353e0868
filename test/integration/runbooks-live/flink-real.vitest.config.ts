/**
 * The runbooks on a real Flink alone, without the global setup (no Kafka, no moto: only Flink is
 * configured): `npx vitest run -c test/integration/runbooks-live/flink-real.vitest.config.ts`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../../..", import.meta.url)),
  test: {
    include: ["test/integration/runbooks-live/flink-real.test.ts"],
    testTimeout: 180_000,
    // A real Flink starts in a hook: a first build takes minutes.
    hookTimeout: 600_000,
    pool: "forks",
  },
});
