import { defineConfig } from "vitest/config";
export default defineConfig({
  test: { include: ["test/sandbox/**/*.test.ts"], pool: "forks", testTimeout: 30000, root: "/work/main" },
});
