/**
 * The outbox's ledger in PostgreSQL, shared by replicas: every row has an owner (the replica that
 * wrote it), and every owner says it is alive (`outbox_owners.alive_at`, renewed every third of
 * `ownerTtlMs`). At start (`list`) a replica claims, in one conditional UPDATE, its own leftovers
 * and those of owners that are gone (silent for longer than the TTL, or never registered), never a
 * live replica's rows: two replicas claiming at once each get distinct rows.
 */

import type { LedgerEntry, NewLedgerEntry, OutboxCall, OutboxLedger } from "./outbox-ledger.ts";
import type { PostgresDb } from "./postgres-db.ts";

interface Row {
  id: number;
  owner: string;
  lane: string;
  channel: string;
  key: string | null;
  urgent: boolean;
  call: string;
  created_at: number;
}

export class PostgresOutboxLedger implements OutboxLedger {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: PostgresDb,
    /** This replica's id. */
    readonly owner: string,
    private readonly ownerTtlMs = 30_000,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Starts saying this owner is alive (unref'd timer); the first beat is awaited by `list`. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(
      () => void this.beat().catch(() => undefined),
      Math.max(100, this.ownerTtlMs / 3),
    );
    this.timer.unref();
    void this.beat().catch(() => undefined);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Records that this owner is alive now. */
  async beat(): Promise<void> {
    await this.db.query(
      `INSERT INTO outbox_owners (owner, alive_at) VALUES ($1, $2)
       ON CONFLICT (owner) DO UPDATE SET alive_at = GREATEST(outbox_owners.alive_at, EXCLUDED.alive_at)`,
      [this.owner, this.clock().getTime()],
    );
  }

  async add(entry: NewLedgerEntry, at: Date = this.clock()): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO outbox (owner, lane, channel, key, urgent, call, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        this.owner,
        entry.lane,
        entry.channel,
        entry.key ?? null,
        entry.urgent,
        JSON.stringify(entry.call),
        at.getTime(),
      ],
    );
    const id = rows[0]?.id;
    if (id === undefined) throw new Error("outbox insert returned no id");
    return id;
  }

  async remove(id: number): Promise<void> {
    await this.db.query("DELETE FROM outbox WHERE id = $1", [id]);
  }

  /** Claims this owner's leftovers and those of gone owners; returns them oldest first. */
  async list(): Promise<LedgerEntry[]> {
    await this.beat();
    const { rows } = await this.db.query<Row>(
      `UPDATE outbox SET owner = $1
       WHERE owner = $1
          OR owner NOT IN (SELECT owner FROM outbox_owners WHERE alive_at >= $2::bigint)
       RETURNING *`,
      [this.owner, this.clock().getTime() - this.ownerTtlMs],
    );
    rows.sort((a, b) => a.id - b.id);
    return rows.map((r) => ({
      id: r.id,
      lane: r.lane === "update" ? "update" : "post",
      channel: r.channel,
      ...(r.key === null ? {} : { key: r.key }),
      urgent: r.urgent,
      call: JSON.parse(r.call) as OutboxCall,
      createdAt: new Date(r.created_at),
    }));
  }
}
