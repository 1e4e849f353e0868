/**
 * Coordination (coordination.ts) on the bot's SQLite file (tables `leases` and `send_slots`,
 * schema migration 5). Processes sharing one file share the leases and the slots: every lease
 * call is one conditional statement, and a slot is reserved in one IMMEDIATE transaction.
 */
import type Database from "better-sqlite3";
import { gcraSlot } from "../core/gcra.ts";
import type { Coordination } from "./coordination.ts";

export class SqliteCoordination implements Coordination {
  constructor(private readonly db: Database.Database) {}

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const at = now.getTime();
    const row = this.db
      .prepare<[string, string, number, number], { holder: string }>(
        `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
           WHERE leases.holder = excluded.holder OR leases.expires_at <= ?
         RETURNING holder`,
      )
      .get(name, holder, at + Math.max(0, ttlMs), at);
    return row?.holder === holder;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.db.prepare("DELETE FROM leases WHERE name = ? AND holder = ?").run(name, holder);
  }

  async leaseHolder(name: string, now: Date): Promise<string | undefined> {
    const row = this.db
      .prepare<[string, number], { holder: string }>(
        "SELECT holder FROM leases WHERE name = ? AND expires_at > ?",
      )
      .get(name, now.getTime());
    return row?.holder;
  }

  async reserveSlot(key: string, now: Date, intervalMs: number, burst: number): Promise<Date> {
    const read = this.db.prepare<[string], { tat: number }>("SELECT tat FROM send_slots WHERE key = ?");
    const write = this.db.prepare<[string, number]>(
      "INSERT INTO send_slots (key, tat) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET tat = excluded.tat",
    );
    const reserve = this.db.transaction((): number => {
      const slot = gcraSlot(read.get(key)?.tat, now.getTime(), intervalMs, burst);
      write.run(key, slot.tat);
      return slot.sendAt;
    });
    return new Date(reserve.immediate());
  }
}
