/**
 * The outbox's ledger: thread posts and status updates accepted but not yet answered by Slack,
 * kept in the store so that a stop (or a crash) loses none of them: the next start sends what is
 * left. Rows are opaque Web API calls (the method and its arguments, never a token).
 */
import type Database from "better-sqlite3";

export type OutboxLane = "post" | "update";

export interface OutboxCall {
  readonly method: "chat.postMessage" | "chat.update";
  readonly args: { readonly channel: string; readonly [key: string]: unknown };
}

export interface NewLedgerEntry {
  readonly lane: OutboxLane;
  readonly channel: string;
  /** Updates: the message they replace (`channel:ts`); a newer update of the same key replaces the row. */
  readonly key?: string;
  readonly urgent: boolean;
  readonly call: OutboxCall;
}

export interface LedgerEntry extends NewLedgerEntry {
  readonly id: number;
  readonly createdAt: Date;
}

/**
 * Async, as a networked database must be: the outbox awaits `add` before it attempts the call, so
 * an entry is durably written before its post goes out.
 */
export interface OutboxLedger {
  /** The entry's id; undefined when it could not be kept (the message is sent regardless). */
  add(entry: NewLedgerEntry, at?: Date): Promise<number | undefined>;
  remove(id: number): Promise<void>;
  /**
   * What is left for this process to send, oldest first. With several replicas on one store: its
   * own leftovers and those of replicas that are gone (claimed by this call), never a live one's.
   */
  list(): Promise<LedgerEntry[]>;
}

interface Row {
  id: number;
  lane: string;
  channel: string;
  key: string | null;
  urgent: number;
  call: string;
  created_at: number;
}

/**
 * The ledger in the bot's SQLite file (table `outbox`, schema migration 4). Writes are synchronous
 * underneath (SQLite), so an entry is on disk when `add` resolves. One owner: every process on the
 * file resends everything left.
 */
export class SqliteOutboxLedger implements OutboxLedger {
  constructor(private readonly db: Database.Database) {}

  async add(entry: NewLedgerEntry, at: Date = new Date()): Promise<number> {
    const result = this.db
      .prepare("INSERT INTO outbox (lane, channel, key, urgent, call, created_at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(
        entry.lane,
        entry.channel,
        entry.key ?? null,
        entry.urgent ? 1 : 0,
        JSON.stringify(entry.call),
        at.getTime(),
      );
    return Number(result.lastInsertRowid);
  }

  async remove(id: number): Promise<void> {
    this.db.prepare("DELETE FROM outbox WHERE id = ?").run(id);
  }

  async list(): Promise<LedgerEntry[]> {
    const rows = this.db.prepare<[], Row>("SELECT * FROM outbox ORDER BY id").all();
    return rows.map((r) => ({
      id: r.id,
      lane: r.lane === "update" ? "update" : "post",
      channel: r.channel,
      ...(r.key === null ? {} : { key: r.key }),
      urgent: r.urgent === 1,
      call: JSON.parse(r.call) as OutboxCall,
      createdAt: new Date(r.created_at),
    }));
  }
}

/** A ledger in memory (nothing survives the process): tests, and a bot without a store file. */
export class MemoryOutboxLedger implements OutboxLedger {
  private readonly rows = new Map<number, LedgerEntry>();
  private next = 1;

  async add(entry: NewLedgerEntry, at: Date = new Date()): Promise<number> {
    const id = this.next++;
    this.rows.set(id, { ...entry, id, createdAt: at });
    return id;
  }

  async remove(id: number): Promise<void> {
    this.rows.delete(id);
  }

  async list(): Promise<LedgerEntry[]> {
    return [...this.rows.values()];
  }
}

/**
 * The ledger as the outbox uses it: best effort. Thread messages must still go out while the store
 * cannot be written (the store's own alarm goes out that way), so a row that cannot be kept is
 * reported (`onError`, the store's watch) and the message is sent without it: `add` returns
 * undefined, `remove` and `list` do nothing.
 */
export function bestEffortLedger(
  ledger: OutboxLedger,
  canWrite: () => boolean,
  onError: (error: unknown) => void,
): OutboxLedger {
  const attempt = async <T>(fn: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      onError(error);
      return fallback;
    }
  };
  return {
    add: async (entry, at) => (canWrite() ? attempt(() => ledger.add(entry, at), undefined) : undefined),
    remove: async (id) => {
      if (canWrite()) await attempt(() => ledger.remove(id), undefined);
    },
    list: () => attempt(() => ledger.list(), []),
  };
}
