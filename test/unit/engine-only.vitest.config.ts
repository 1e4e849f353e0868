import { defineConfig } from "vitest/config";

/** Unit tests of the engine and the runbooks: no real peers, so no globalSetup. */
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/unit/engine/**/*.test.ts", "test/unit/runbooks/**/*.test.ts"],
    testTimeout: 10_000,
  },
});
