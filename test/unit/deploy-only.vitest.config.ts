import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The deployment and configuration tests only, without the repo's globalSetup (no Kafka or moto). */
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/unit/deploy/**/*.test.ts", "test/unit/config/**/*.test.ts"],
    pool: "forks",
  },
});
