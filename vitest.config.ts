import { defineConfig } from "vitest/config";

/**
 * One config, four projects. Only `peers` starts the real peers (its global setup: the Kafka
 * broker, the AWS emulator and whatever else test/setup/global-setup.ts starts, once per run).
 *   npm run test:unit        unit tests, no peer, no server: the loop while developing
 *   npx vitest run --project drills|local|peers
 *   npm test                 lint, typecheck and every project
 */
const shared = { testTimeout: 30_000, hookTimeout: 180_000, pool: "forks" } as const;

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: "unit", include: ["test/unit/**/*.test.ts", "src/**/*.test.ts"] } },
      { test: { ...shared, name: "drills", include: ["test/drills/**/*.test.ts"] } },
      // Local servers each test starts itself (stand-ins, the Slack emulator), no shared peer.
      { test: { ...shared, name: "local", include: ["test/cli/**/*.test.ts", "test/sandbox/**/*.test.ts"] } },
      {
        test: {
          ...shared,
          name: "peers",
          include: ["test/contract/**/*.test.ts", "test/integration/**/*.test.ts", "test/e2e/**/*.test.ts"],
          globalSetup: ["test/setup/global-setup.ts"],
        },
      },
    ],
  },
});
