/**
 * What the store contract needs from an adapter under test: fresh stores, a database that several
 * stores ("processes", "replicas") open, and raw SQL past the store's methods (to see that the
 * database itself refuses what the store never does).
 */
import type { Store } from "../../../../src/store/store.ts";

export interface SharedDatabase {
  /** Another store on this database (a second process, a replica, a restart). */
  open(): Promise<Store>;
  /** Removes the database (call after closing its stores). */
  cleanup(): Promise<void>;
}

export interface StoreHarness {
  /** A fresh, empty store of its own. */
  open(): Promise<Store>;
  /** A fresh, empty database for several stores. */
  database(): Promise<SharedDatabase>;
  /** Runs one SQL statement on the store's database, not through its methods. */
  rawSql(store: Store, sql: string): Promise<void>;
}
