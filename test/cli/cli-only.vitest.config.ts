import { defineConfig } from "vitest/config";

// The CLI tests that need no peer (diagnose against real peers runs under the main config).
export default defineConfig({
  test: { include: ["test/cli/match-and-list.test.ts"], pool: "forks" },
});
