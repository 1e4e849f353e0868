/**
 * The PostgreSQL connection the store works through: a `pg` Pool on the URL (the schema on every
 * connection's search_path), rows shaped like the SQLite store's (BIGINT as number, JSON as text,
 * so sqlite-rows.ts maps both), and the two ways to run SQL: one statement, or a transaction
 * (BEGIN ... COMMIT, rolled back on any error: nothing half written). Every failure goes through
 * the health watch, which turns a lost server into a StoreUnavailableError.
 */
import type { Pool, PoolClient, QueryResultRow } from "pg";
import type { PostgresHealth } from "./postgres-health.ts";
import { quoteIdent } from "./postgres-schema.ts";

/** What both a pool and a client in a transaction offer. */
export interface Queryable {
  query<R extends QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

const INT8 = 20;
const JSON_OIDS = new Set([114, 3802]);

/** Creates the pool (`pg` loaded here, only when the PostgreSQL store is used). */
export async function createPool(
  url: string,
  schema: string | undefined,
  max: number,
  connectTimeoutMs: number,
): Promise<Pool> {
  const pg = (await import("pg")).default;
  const builtin = pg.types;
  const getTypeParser = ((oid: number, format?: "text" | "binary") => {
    if (oid === INT8) return (value: string) => Number(value);
    if (JSON_OIDS.has(oid)) return (value: string) => value;
    return builtin.getTypeParser(oid, format ?? "text");
  }) as typeof builtin.getTypeParser;
  return new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    types: { getTypeParser },
    ...(schema === undefined ? {} : { options: `-c search_path=${quoteIdent(schema)}` }),
  });
}

export class PostgresDb {
  constructor(
    readonly pool: Pool,
    private readonly health: PostgresHealth,
  ) {}

  /** One statement on a pooled connection. */
  async query<R extends QueryResultRow>(
    sql: string,
    params: unknown[] = [],
  ): Promise<{ rows: R[]; rowCount: number }> {
    try {
      const result = await this.pool.query<R>(sql, params);
      this.health.succeeded();
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw this.health.failed(error);
    }
  }

  /** `work` in one transaction (READ COMMITTED; conditional writes decide races). */
  async tx<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.health.failed(error);
    }
    let broken: Error | undefined;
    // A checked-out connection cut between statements emits "error" on the client: kept, not thrown.
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await work(client as unknown as Queryable);
      await client.query("COMMIT");
      this.health.succeeded();
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw this.health.failed(error);
    } finally {
      // A connection that could not roll back (or was cut) is dropped, not pooled.
      client.off("error", onError);
      client.release(broken);
    }
  }
}
