import { defineConfig } from "vitest/config";

/** Runs the Slack emulator tests alone, without the global setup that starts Kafka and moto. */
export default defineConfig({
  test: {
    include: ["test/integration/slack-emulator*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
