/**
 * The CloudWatch metrics / Logs Insights tests (integration + contract) with only moto started:
 * `npx vitest run -c test/integration/cloudwatch-only.vitest.config.ts`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: [
      "test/integration/cloudwatch-*.test.ts",
      "test/contract/metrics.contract.test.ts",
      "test/contract/logs.contract.test.ts",
    ],
    globalSetup: ["test/setup/moto-only-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
