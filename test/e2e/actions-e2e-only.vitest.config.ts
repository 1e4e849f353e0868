/**
 * Runs the actions' end-to-end tests alone (and issue 10's bound buttons and outcome-unknown) (no globalSetup: the MSK test starts its own moto):
 * `npx vitest run -c test/e2e/actions-e2e-only.vitest.config.ts`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: [
      "test/e2e/actions.e2e.test.ts",
      "test/e2e/bound-buttons.e2e.test.ts",
      "test/e2e/outcome-unknown.e2e.test.ts",
      "test/e2e/interaction-fuzz.e2e.test.ts",
    ],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
