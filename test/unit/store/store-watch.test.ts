/**
 * The store watched (issue 10, finding 5): a real SQLite file in a temp dir, removed, replaced
 * (by another file, by a directory), made full (max_page_count: a genuine SQLITE_FULL), read-only
 * (query_only: a genuine SQLITE_READONLY, which works as root too) or corrupted in place. Each
 * time the store says so with its path, refuses the writes that follow while writing nothing, and
 * (for the faults that pass) recovers once a probe write commits. Opening errors name the path.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../../../src/store/sqlite-store.ts";
import {
  type CreateRequestInput,
  type StoreCondition,
  StoreError,
  StoreUnavailableError,
} from "../../../src/store/store.ts";
import { faultOfSqliteCode, openErrorMessage } from "../../../src/store/store-health.ts";
import { at, incidentInput, T0, tempDir } from "./helpers.ts";

const requestInput = (incidentId: string, key: string): CreateRequestInput => ({
  incidentId,
  action: "scale-taskmanagers",
  params: { replicas: 8 },
  preview: "scale 4 -> 8",
  requesterId: "U1",
  createdAt: T0,
  expiresAt: at(15),
  dedupeKey: key,
});

/** Rows in the file the store has open (readable even when the path no longer names it). */
function counts(store: SqliteStore): { requests: unknown; audit: unknown } {
  return {
    requests: store.db.prepare("SELECT COUNT(*) FROM action_requests").pluck().get(),
    audit: store.db.prepare("SELECT COUNT(*) FROM audit_log").pluck().get(),
  };
}

async function refusal(work: Promise<unknown>): Promise<StoreUnavailableError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreUnavailableError);
  return error as StoreUnavailableError;
}

describe("the store watched", () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;
  let store: SqliteStore;
  let changes: StoreCondition[];
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, "bot.db");
    store = SqliteStore.open(path, { watchIntervalMs: 3_600_000 });
    changes = [];
    store.onHealthChange((c) => changes.push(c));
  });
  afterEach(async () => {
    await store.close();
    cleanup();
  });

  it("a removed file: noticed before the next write, which writes nothing, and said once with the path", async () => {
    const { incident } = await store.openIncident(incidentInput());
    const { request } = await store.createRequest(requestInput(incident.id, "k1"));
    expect(store.health()).toEqual({ ok: true, path });
    const before = counts(store);

    unlinkSync(path);
    const approval = await refusal(store.recordApproval(request.id, { by: "U2", at: at(1), required: 1 }));
    expect(approval.code).toBe("unavailable");
    expect(approval.message).toContain(`the store file ${path} was removed`);
    await refusal(store.createRequest(requestInput(incident.id, "k2")));
    await refusal(store.audit({ at: at(1), actor: "U2", kind: "action.refused" }));
    // Nothing was written into the unlinked file; reads still answer from it.
    expect(counts(store)).toEqual(before);
    expect((await store.getRequest(request.id))?.state).toBe("requested");
    expect(store.health()).toMatchObject({ ok: false, fault: "removed", path });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ ok: false, fault: "removed" });
  });

  it("the outbox's ledger through the watched store: handed out at once, and best effort while the file is gone", async () => {
    // Merging the outbox and the watch once made outboxLedger() a Promise: every bot start failed.
    const ledger = store.outboxLedger();
    expect(typeof ledger.add).toBe("function");
    const entry = {
      lane: "post" as const,
      channel: "C1",
      urgent: false,
      call: { method: "chat.postMessage" as const, args: { channel: "C1", text: "step 1" } },
    };
    expect(typeof (await ledger.add(entry))).toBe("number");
    expect(await ledger.list()).toHaveLength(1);
    unlinkSync(path);
    // The message still goes out, unkept: nothing is written into the unlinked file.
    expect(await ledger.add(entry)).toBeUndefined();
    expect(await ledger.list()).toHaveLength(1);
    expect(changes).toEqual([expect.objectContaining({ ok: false, fault: "removed", path })]);
  });

  it("the periodic check notices a removal without any write", async () => {
    unlinkSync(path);
    store.watch.tick();
    expect(changes).toEqual([expect.objectContaining({ ok: false, fault: "removed", path })]);
  });

  it("a file moved away and back: unhealthy, then healthy again", async () => {
    renameSync(path, `${path}.moved`);
    store.watch.tick();
    renameSync(`${path}.moved`, path);
    store.watch.tick();
    expect(changes.map((c) => c.ok)).toEqual([false, true]);
    await store.openIncident(incidentInput());
  });

  it("a file replaced by another SQLite file is refused", async () => {
    const other = SqliteStore.open(join(dir, "other.db"));
    await other.close();
    renameSync(join(dir, "other.db"), path);
    const error = await refusal(store.openIncident(incidentInput()));
    expect(error.message).toContain(
      `the store file ${path} was replaced while the bot was running (by another file)`,
    );
    expect(counts(store).audit).toBe(0);
  });

  it("a file replaced by a directory is refused", async () => {
    unlinkSync(path);
    mkdirSync(path);
    const error = await refusal(store.markEventSeen("Ev1"));
    expect(error.message).toContain("(by a directory)");
    rmSync(path, { recursive: true });
  });

  it("bytes overwritten in place (same file): corrupt, and it stays so", async () => {
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.from("this is not a database at all"), 0, 29, 0);
    closeSync(fd);
    const error = await refusal(store.openIncident(incidentInput()));
    expect(error.condition.fault).toBe("corrupt");
    expect(error.message).toContain(`the store ${path} is corrupt`);
  });

  it("a full database (SQLITE_FULL): the failed write leaves nothing, writes are refused, a probe recovers", async () => {
    const { incident } = await store.openIncident(incidentInput());
    const pages = store.db.pragma("page_count", { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages}`);
    const before = counts(store);
    let failure: unknown;
    for (let i = 0; i < 500 && failure === undefined; i++) {
      await store
        .createRequest({ ...requestInput(incident.id, `k${i}`), preview: "x".repeat(2000) })
        .catch((e: unknown) => {
          failure = e;
        });
    }
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as Error).message).toMatch(new RegExp(`the store ${path} is full \\(SQLITE_FULL`));
    const afterFailure = counts(store);
    // Each request and its audit row went in together, or neither.
    expect(Number(afterFailure.audit) - Number(before.audit)).toBe(
      Number(afterFailure.requests) - Number(before.requests),
    );
    // Refused before it starts now, even a write that would fit.
    await refusal(store.markEventSeen("Ev-small"));
    store.watch.tick(); // the probe still fails
    expect(store.health()).toMatchObject({ ok: false, fault: "full" });
    store.db.pragma(`max_page_count = ${pages * 100}`);
    store.watch.tick();
    expect(store.health()).toEqual({ ok: true, path });
    await store.createRequest(requestInput(incident.id, "after"));
    expect(changes.map((c) => (c.ok ? "ok" : c.fault))).toEqual(["full", "ok"]);
  });

  it("a read-only database (SQLITE_READONLY): said with the path, recovered by the probe", async () => {
    store.db.pragma("query_only = ON");
    const error = await refusal(store.openIncident(incidentInput()));
    expect(error.message).toContain(`the store ${path} cannot be written (SQLITE_READONLY`);
    expect(counts(store).audit).toBe(0);
    store.db.pragma("query_only = OFF");
    store.watch.tick();
    expect(store.health().ok).toBe(true);
  });

  it("checks the file on its own every watchIntervalMs", async () => {
    const quick = SqliteStore.open(join(dir, "quick.db"), { watchIntervalMs: 20 });
    const seen: StoreCondition[] = [];
    quick.onHealthChange((c) => seen.push(c));
    unlinkSync(join(dir, "quick.db"));
    await expect.poll(() => seen.length, { timeout: 2000 }).toBe(1);
    await quick.close();
  });
});

describe("opening the store names the path", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  const openError = (path: string): StoreError => {
    try {
      SqliteStore.open(path);
    } catch (error) {
      expect(error).toBeInstanceOf(StoreError);
      return error as StoreError;
    }
    throw new Error(`${path} opened`);
  };

  it("a file that is not a database", () => {
    const path = join(dir, "notes.txt");
    writeFileSync(path, "x".repeat(8192));
    const error = openError(path);
    expect(error.code).toBe("cannot-open");
    expect(error.message).toBe(
      `${path} is not a SQLite database (SQLITE_NOTADB: file is not a database): point store.path at the bot's database or at a new file`,
    );
  });

  it("a path that is a directory", () => {
    expect(openError(dir).message).toMatch(new RegExp(`^cannot open the store ${dir} \\(SQLITE_CANTOPEN`));
  });

  it("a directory that cannot be created (a part of the path is a file)", () => {
    writeFileSync(join(dir, "file"), "");
    const path = join(dir, "file", "sub", "bot.db");
    expect(openError(path).message).toMatch(
      new RegExp(
        `^cannot create the store's directory for ${path} \\(ENOTDIR: .*a part of the path is a file$`,
      ),
    );
  });

  it("a read-only directory (EACCES, EROFS): as the operating system reports it", () => {
    // Root writes anywhere, so these codes are checked on the errors Node gives.
    const eacces = Object.assign(new Error("EACCES: permission denied, mkdir '/srv/x'"), { code: "EACCES" });
    expect(openErrorMessage("/srv/x/bot.db", eacces)).toBe(
      "cannot create the store's directory for /srv/x/bot.db (EACCES: permission denied, mkdir '/srv/x'): the directory is not writable",
    );
    const readonly = Object.assign(new Error("attempt to write a readonly database"), {
      code: "SQLITE_READONLY_DIRECTORY",
    });
    expect(openErrorMessage("/srv/bot.db", readonly)).toMatch(/^the store \/srv\/bot.db cannot be written/);
  });

  it("classifies SQLite's storage codes", () => {
    expect(faultOfSqliteCode("SQLITE_FULL")).toBe("full");
    expect(faultOfSqliteCode("SQLITE_IOERR_WRITE")).toBe("io-error");
    expect(faultOfSqliteCode("SQLITE_READONLY_DBMOVED")).toBe("read-only");
    expect(faultOfSqliteCode("SQLITE_CORRUPT_INDEX")).toBe("corrupt");
    expect(faultOfSqliteCode("SQLITE_NOTADB")).toBe("corrupt");
    expect(faultOfSqliteCode("SQLITE_CONSTRAINT_UNIQUE")).toBeUndefined();
    expect(faultOfSqliteCode("SQLITE_BUSY")).toBeUndefined();
  });
});
