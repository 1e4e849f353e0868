import { defineConfig } from "vitest/config";

// Unit tests only, without the global setup that starts the Kafka broker and the AWS emulator.
export default defineConfig({
  test: { include: ["test/unit/**/*.test.ts"], pool: "forks" },
});
