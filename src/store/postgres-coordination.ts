/**
 * Coordination (coordination.ts) in PostgreSQL. A lease is one row per name (holder, expiry),
 * taken or renewed by one conditional upsert: it writes only when the row is free, expired, or
 * already the caller's. A send slot is one row per key holding GCRA's theoretical arrival time
 * (TAT): each reservation is one upsert `tat = GREATEST(tat, now) + interval`, serialized by the
 * row lock, so concurrent callers of all replicas get distinct slots `interval` apart after a burst.
 */
import { gcraSlot } from "../core/gcra.ts";
import type { Coordination } from "./coordination.ts";
import type { PostgresDb } from "./postgres-db.ts";

export class PostgresCoordination implements Coordination {
  constructor(private readonly db: PostgresDb) {}

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3::bigint + $4::bigint)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= $3::bigint`,
      [name, holder, now.getTime(), Math.max(0, Math.trunc(ttlMs))],
    );
    return rowCount === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.query("DELETE FROM leases WHERE name = $1 AND holder = $2", [name, holder]);
  }

  async leaseHolder(name: string, now: Date): Promise<string | undefined> {
    const { rows } = await this.db.query<{ holder: string }>(
      "SELECT holder FROM leases WHERE name = $1 AND expires_at > $2",
      [name, now.getTime()],
    );
    return rows[0]?.holder;
  }

  async reserveSlot(key: string, now: Date, intervalMs: number, burst: number): Promise<Date> {
    const interval = Math.max(0, intervalMs);
    // One atomic upsert moves the theoretical arrival time on (fractional: 45 a minute is 1333.3 ms).
    const { rows } = await this.db.query<{ tat: number }>(
      `INSERT INTO send_slots (key, tat) VALUES ($1, $2::double precision + $3::double precision)
       ON CONFLICT (key) DO UPDATE SET tat = GREATEST(send_slots.tat, $2::double precision) + $3::double precision
       RETURNING tat`,
      [key, now.getTime(), interval],
    );
    const tat = rows[0]?.tat;
    if (tat === undefined) throw new Error("send slot upsert returned no row");
    // The slot this reservation took began one interval before the new arrival time.
    return new Date(gcraSlot(Number(tat) - interval, now.getTime(), interval, burst).sendAt);
  }
}
