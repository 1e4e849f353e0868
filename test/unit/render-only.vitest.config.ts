import { defineConfig } from "vitest/config";

// The renderer tests alone, without the repo's globalSetup (which starts Kafka and moto):
//   npx vitest run -c test/unit/render-only.vitest.config.ts
//   UPDATE_GOLDEN=1 npx vitest run -c test/unit/render-only.vitest.config.ts   (rewrite goldens)
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/unit/render/**/*.test.ts"],
    testTimeout: 30_000,
    pool: "forks",
  },
});
