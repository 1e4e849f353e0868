/** The store contract (contract/*.contract.ts) on the SQLite store: in memory, and files for shared databases. */
import { join } from "node:path";
import { describe } from "vitest";
import { SqliteStore } from "../../../src/store/sqlite-store.ts";
import { storeContract } from "./contract/all.ts";
import { tempDir } from "./helpers.ts";

describe("store contract on SQLite", () => {
  storeContract({
    open: async () => SqliteStore.open(":memory:"),
    database: async () => {
      const { dir, cleanup } = tempDir();
      const path = join(dir, "bot.db");
      return { open: async () => SqliteStore.open(path), cleanup: async () => cleanup() };
    },
    rawSql: async (store, sql) => {
      (store as SqliteStore).db.prepare(sql).run();
    },
  });
});
