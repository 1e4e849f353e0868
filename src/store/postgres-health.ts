/**
 * The PostgreSQL store watched: whether the server answers. A statement that fails because the
 * server cannot be reached (connection refused or cut, the server shutting down, a connect
 * timeout) makes the store unhealthy (`unreachable`, the reason naming the masked URL) and comes
 * back as a StoreUnavailableError; a read-only server (a standby after failover) or a full disk
 * likewise. Every `intervalMs` a probe runs (a read while the server answers or is unreachable,
 * a committed write after a read-only or full fault); an unreachable server is healthy again at
 * the first statement or probe that succeeds (the pool opens new connections by itself), a
 * read-only or full one at the first write probe that commits. Listeners hear of each change once.
 */

import type { StoreCondition, StoreFault } from "./store.ts";
import { StoreUnavailableError } from "./store.ts";
import { describeFault } from "./store-health.ts";

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
const LOST_CONNECTION =
  /Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|Client was closed|Connection closed/i;

/** The fault a pg (or socket) error means, if any. */
export function faultOfPgError(error: unknown): StoreFault | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code)) return "unreachable";
    // SQLSTATE class 08 (connection exception); 57P01-03 (admin/crash shutdown, cannot connect now).
    if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03")
      return "unreachable";
    if (code === "25006") return "read-only";
    if (code === "53100") return "full";
  }
  const message = error instanceof Error ? error.message : String(error);
  return LOST_CONNECTION.test(message) ? "unreachable" : undefined;
}

function detailOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
}

export class PostgresHealth {
  private state: StoreCondition;
  private readonly listeners = new Set<(condition: StoreCondition) => void>();
  private timer: NodeJS.Timeout | undefined;
  private probing = false;

  /** `where`: the masked URL, for the reasons. */
  constructor(
    private readonly where: string,
    /** `write`: commit a small write (after a read-only or full fault), else a read is enough. */
    private readonly probe: (write: boolean) => Promise<void>,
    private readonly intervalMs = 2000,
  ) {
    this.state = { ok: true, path: where };
  }

  /** Starts the periodic probe (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  condition(): StoreCondition {
    return this.state;
  }

  onChange(listener: (condition: StoreCondition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A statement succeeded: the server answers (which ends an `unreachable` fault only). */
  succeeded(): void {
    if (!this.state.ok && this.state.fault !== "unreachable") return;
    this.change({ ok: true, path: this.where });
  }

  /**
   * A statement failed: a fault of the server or the connection makes the store unhealthy and
   * comes back as a StoreUnavailableError; any other error comes back as it was.
   */
  failed(error: unknown): unknown {
    if (error instanceof StoreUnavailableError) return error;
    const fault = faultOfPgError(error);
    if (!fault) return error;
    if (this.state.ok || this.state.fault !== fault) {
      this.change({
        ok: false,
        path: this.where,
        fault,
        reason: describeFault(fault, this.where, detailOf(error)),
        since: new Date(),
      });
    }
    const now = this.state;
    return now.ok ? error : new StoreUnavailableError(now);
  }

  /** One probe (the periodic check; tests call it to not wait). */
  async tick(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      const write = !this.state.ok && this.state.fault !== "unreachable";
      await this.probe(write);
      this.change({ ok: true, path: this.where });
    } catch (error) {
      this.failed(error);
    } finally {
      this.probing = false;
    }
  }

  private change(next: StoreCondition): void {
    if (this.state.ok && next.ok) return;
    this.state = next;
    for (const listener of this.listeners) {
      try {
        listener(next);
      } catch {
        // A listener's failure is its own; the watch goes on.
      }
    }
  }
}
