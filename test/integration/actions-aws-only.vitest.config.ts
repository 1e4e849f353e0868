/**
 * Runs the MSK and Firehose action tests with only the moto peer (no Kafka):
 * `npx vitest run -c test/integration/actions-aws-only.vitest.config.ts`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/integration/actions-aws.test.ts"],
    globalSetup: ["test/setup/moto-only-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
