/**
 * Opens the store the configuration chose (src/config/store-choice.ts), loading only its driver:
 * better-sqlite3 for SQLite, `pg` for PostgreSQL.
 */
import type { StoreChoice } from "../config/store-choice.ts";
import type { PostgresStore } from "./postgres-store.ts";
import type { SqliteStore } from "./sqlite-store.ts";

export interface OpenStoreOptions {
  /** This process's id among replicas (PostgreSQL: owner of its outbox ledger rows). */
  readonly instanceId?: string;
}

export async function openStore(
  choice: StoreChoice,
  options: OpenStoreOptions = {},
): Promise<SqliteStore | PostgresStore> {
  if (choice.kind === "postgres") {
    const { openPostgresStore } = await import("./postgres-store.ts");
    return openPostgresStore(
      choice.url,
      options.instanceId === undefined ? {} : { instanceId: options.instanceId },
    );
  }
  const { openSqliteStore } = await import("./sqlite-store.ts");
  return openSqliteStore(choice.path);
}
