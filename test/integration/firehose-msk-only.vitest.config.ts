/**
 * Runs the Firehose and MSK adapter tests (integration + contract) with only the moto peer:
 * `npx vitest run -c test/integration/firehose-msk-only.vitest.config.ts`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: [
      "test/integration/firehose*.test.ts",
      "test/integration/msk*.test.ts",
      "test/contract/firehose.contract.test.ts",
      "test/contract/msk.*.test.ts",
    ],
    globalSetup: ["test/setup/moto-only-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
