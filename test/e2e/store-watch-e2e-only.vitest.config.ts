/**
 * Runs the store-watch end-to-end test alone (no globalSetup: it needs only the Slack emulator and
 * the Kubernetes API test server it starts itself): `npx vitest run -c test/e2e/store-watch-e2e-only.vitest.config.ts`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Paths below are relative to the repository root, not to this file's folder.
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/e2e/store-watch.e2e.test.ts"],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
