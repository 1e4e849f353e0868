import { defineConfig } from "vitest/config";

// The CLI tests that need no external peer (plan starts the in-process Kubernetes API test
// server; diagnose against real peers runs under the main config).
export default defineConfig({
  test: {
    include: [
      "test/cli/match-and-list.test.ts",
      "test/cli/plan.test.ts",
      "test/cli/report.test.ts",
      "test/cli/check-config.test.ts",
      "test/cli/check-config-fuzz.test.ts",
    ],
    pool: "forks",
  },
});
