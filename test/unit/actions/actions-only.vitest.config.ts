/**
 * Runs the action unit tests alone, without the repo's globalSetup (Kafka, moto):
 * `npx vitest run -c test/unit/actions/actions-only.vitest.config.ts`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../../..", import.meta.url)),
  test: {
    include: ["test/unit/actions/**/*.test.ts"],
    testTimeout: 10_000,
  },
});
