import { defineConfig } from "vitest/config";

export default defineConfig({ test: { include: ["test/drills/**/*.test.ts"], pool: "forks" } });
