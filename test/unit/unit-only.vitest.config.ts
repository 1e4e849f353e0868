/** Unit tests only, without the global setup that starts Kafka and moto. */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    pool: "forks",
  },
});
