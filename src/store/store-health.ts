/**
 * The store watched: whether the SQLite file the bot has open is still the file at its path, and
 * whether writes to it succeed.
 *
 * - Removed or replaced: the path no longer names the file opened (its device and inode), or holds
 *   something that is not a SQLite file any more (the header overwritten in place). Checked every
 *   `intervalMs` and before every write. Healthy again only if the path names the opened file
 *   again (e.g. moved back); otherwise the bot must be restarted (what it would write into an
 *   unlinked file is lost when it exits).
 * - Full, read-only, I/O error: a write failed with SQLITE_FULL, SQLITE_READONLY or SQLITE_IOERR.
 *   Every `intervalMs` a probe commits a small write; the first that succeeds makes the store
 *   healthy again.
 * - Corrupt: SQLITE_CORRUPT or SQLITE_NOTADB on any statement. Stays until the bot is restarted.
 *
 * While unhealthy every write is refused before it starts (StoreUnavailableError, nothing written);
 * reads go on. Listeners hear of each change of state once.
 */
import { closeSync, openSync, readSync, type Stats, statSync } from "node:fs";
import type { StoreCondition, StoreFault } from "./store.ts";
import { StoreUnavailableError } from "./store.ts";

const SQLITE_HEADER = "SQLite format 3\0";

/** The fault an SQLite error code (better-sqlite3's `code`, extended codes included) means, if any. */
export function faultOfSqliteCode(code: unknown): StoreFault | undefined {
  if (typeof code !== "string") return undefined;
  if (code === "SQLITE_FULL") return "full";
  if (code === "SQLITE_READONLY" || code.startsWith("SQLITE_READONLY_")) return "read-only";
  if (code === "SQLITE_IOERR" || code.startsWith("SQLITE_IOERR_")) return "io-error";
  if (code === "SQLITE_CORRUPT" || code.startsWith("SQLITE_CORRUPT_") || code === "SQLITE_NOTADB")
    return "corrupt";
  return undefined;
}

/** Faults that pass by themselves (space freed, permissions restored): probed for recovery. */
export function isTransient(fault: StoreFault): boolean {
  return fault === "full" || fault === "read-only" || fault === "io-error";
}

/** One sentence for the log, the thread and the clicker: the path, what happened, what to do. */
export function describeFault(fault: StoreFault, path: string, detail?: string): string {
  const why = detail ? ` (${detail})` : "";
  switch (fault) {
    case "removed":
      return `the store file ${path} was removed while the bot was running: what it writes would be lost (restore the file, or restart the bot)`;
    case "replaced":
      return `the store file ${path} was replaced while the bot was running${why}: the bot no longer writes to it (restart the bot to use what is there now)`;
    case "full":
      return `the store ${path} is full${why}: free space, the bot retries by itself`;
    case "read-only":
      return `the store ${path} cannot be written${why}: make it writable, the bot retries by itself`;
    case "io-error":
      return `the store ${path} had a disk I/O error${why}: the bot retries by itself`;
    case "corrupt":
      return `the store ${path} is corrupt${why}: restore it from a backup and restart the bot`;
    case "unreachable":
      return `the database ${path} cannot be reached${why}: the bot reconnects by itself when it is back`;
  }
}

/** `code: message` of an error, for the parentheses of a reason. */
function detailOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" && !message.startsWith(code) ? `${code}: ${message}` : message;
}

/** Why opening the store at `path` failed, in words that name the path (no stack trace). */
export function openErrorMessage(path: string, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const detail = detailOf(error);
  switch (code) {
    case "SQLITE_NOTADB":
      return `${path} is not a SQLite database (${detail}): point store.path at the bot's database or at a new file`;
    case "SQLITE_CORRUPT":
      return `the store ${path} is corrupt (${detail}): restore it from a backup`;
    case "SQLITE_CANTOPEN":
      return `cannot open the store ${path} (${detail}): is it a directory, or is its directory not writable?`;
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return `cannot create the store's directory for ${path} (${detail}): the directory is not writable`;
    case "ENOTDIR":
      return `cannot create the store's directory for ${path} (${detail}): a part of the path is a file`;
  }
  if (typeof code === "string" && code.startsWith("SQLITE_READONLY"))
    return `the store ${path} cannot be written (${detail}): the file or its directory is read-only`;
  return `cannot open the store ${path} (${detail})`;
}

interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

export interface StoreHealthOptions {
  /** How often the file is checked (and, after a write fault, a write probed). Default 2000 ms. */
  readonly intervalMs?: number;
  /** Commits a small write; throws when the store cannot be written. */
  readonly probe: () => void;
}

export class StoreHealth {
  private state: StoreCondition;
  private readonly listeners = new Set<(condition: StoreCondition) => void>();
  private readonly opened: FileIdentity | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** `file`: whether `path` names a file just opened (false for an in-memory store: no file to watch). */
  constructor(
    private readonly path: string,
    file: boolean,
    private readonly options: StoreHealthOptions,
  ) {
    this.state = { ok: true, path };
    if (file) {
      const stat = statSync(path);
      this.opened = { dev: stat.dev, ino: stat.ino };
    }
  }

  /** Starts the periodic check (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? 2000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The condition now, the file checked afresh. */
  condition(): StoreCondition {
    this.checkFile();
    return this.state;
  }

  onChange(listener: (condition: StoreCondition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Before a write: throws StoreUnavailableError (nothing is written) while the store is unhealthy. */
  beforeWrite(): void {
    const now = this.condition();
    if (!now.ok) throw new StoreUnavailableError(now);
  }

  /**
   * A statement failed: a storage fault makes the store unhealthy and comes back as a
   * StoreUnavailableError naming the path; any other error comes back as it was.
   */
  failed(error: unknown): unknown {
    if (error instanceof StoreUnavailableError) return error;
    const fault = faultOfSqliteCode((error as { code?: unknown }).code);
    if (!fault) return error;
    const condition = this.set(fault, detailOf(error));
    return condition.ok ? error : new StoreUnavailableError(condition);
  }

  /** The periodic check: the file, then (after a write fault) a probe write. */
  tick(): void {
    this.checkFile();
    if (this.state.ok || !isTransient(this.state.fault)) return;
    try {
      this.options.probe();
    } catch (error) {
      this.failed(error);
      return;
    }
    this.change({ ok: true, path: this.path });
  }

  private checkFile(): void {
    if (!this.opened) return;
    const seen = this.inspect();
    if (seen === undefined) {
      // The path names the opened file again: a removal or replacement is over.
      if (!this.state.ok && (this.state.fault === "removed" || this.state.fault === "replaced"))
        this.change({ ok: true, path: this.path });
      return;
    }
    this.set(seen.fault, seen.detail);
  }

  /** What is wrong with the path now, or undefined when it still names the opened SQLite file. */
  private inspect(): { fault: StoreFault; detail?: string } | undefined {
    let stat: Stats;
    try {
      stat = statSync(this.path);
    } catch (error) {
      if ((error as { code?: unknown }).code === "ENOENT") return { fault: "removed" };
      return { fault: "io-error", detail: detailOf(error) };
    }
    if (stat.isDirectory()) return { fault: "replaced", detail: "by a directory" };
    if (stat.dev !== this.opened?.dev || stat.ino !== this.opened.ino)
      return { fault: "replaced", detail: "by another file" };
    const header = readHeader(this.path);
    if (header !== undefined && header !== SQLITE_HEADER)
      return { fault: "corrupt", detail: "its header was overwritten: it is no longer a SQLite file" };
    return undefined;
  }

  private set(fault: StoreFault, detail?: string): StoreCondition {
    // A removal or replacement stands until undone; corruption until a restart.
    if (!this.state.ok && this.state.fault === fault) return this.state;
    if (!this.state.ok && this.state.fault === "corrupt") return this.state;
    this.change({
      ok: false,
      path: this.path,
      fault,
      reason: describeFault(fault, this.path, detail),
      since: new Date(),
    });
    return this.state;
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

/** The first 16 bytes of the file (undefined when it cannot be read or is empty). */
function readHeader(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buffer = Buffer.alloc(16);
    const n = readSync(fd, buffer, 0, 16, 0);
    return n === 0 ? undefined : buffer.subarray(0, n).toString("latin1");
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
