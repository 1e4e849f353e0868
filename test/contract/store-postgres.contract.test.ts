/**
 * The store contract (test/unit/store/contract/) on the PostgreSQL store, against the real server
 * the global setup starts: every test on a schema of its own (fresh tables, migrated at open).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, inject } from "vitest";
import { PostgresStore } from "../../src/store/postgres-store.ts";
import { storeContract } from "../unit/store/contract/all.ts";

const url = inject("postgresUrl");
const admin = new pg.Pool({ connectionString: url, max: 2 });
afterAll(() => admin.end());

function freshSchema(): string {
  return `contract_${randomBytes(5).toString("hex")}`;
}

describe("store contract on PostgreSQL", () => {
  storeContract({
    open: () => PostgresStore.open(url, { schema: freshSchema() }),
    database: async () => {
      const schema = freshSchema();
      return {
        open: () => PostgresStore.open(url, { schema }),
        cleanup: async () => {
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        },
      };
    },
    rawSql: async (store, sql) => {
      await (store as PostgresStore).db.query(sql);
    },
  });
});
