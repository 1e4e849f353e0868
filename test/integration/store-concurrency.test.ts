/**
 * Several real processes share one SQLite file (WAL + busy timeout) and race on the store's
 * conditional writes: one incident per dedupe key, one execution per approved request, and a bot
 * killed mid-execution leaves a request that the next start marks outcome-unknown.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from "../../src/store/sqlite-schema.ts";
import { SqliteStore } from "../../src/store/sqlite-store.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WORKER = fileURLToPath(new URL("../fixtures/store/race-worker.ts", import.meta.url));

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lines: string[];
  readonly stderr: string;
}

interface Worker {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly finished: Promise<Finished>;
}

function startWorker(args: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, JSON.stringify(args)], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk;
    if (stdout.includes("ready\n")) markReady();
  });
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const finished = new Promise<Finished>((resolve) => {
    child.on("close", (code, signal) => {
      markReady(); // never leave the barrier waiting on a worker that died first
      resolve({ code, signal, lines: stdout.split("\n").filter((l) => l !== "" && l !== "ready"), stderr });
    });
  });
  return { child, ready, finished };
}

/** Starts the workers, releases them together once all are ready, and waits for them to end. */
async function race(argsList: Record<string, unknown>[]): Promise<Finished[]> {
  const workers = argsList.map(startWorker);
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) if (w.child.stdin.writable) w.child.stdin.write("go\n");
  return Promise.all(workers.map((w) => w.finished));
}

function resultOf<T>(f: Finished): T {
  expect(f.code, f.stderr).toBe(0);
  const last = f.lines.at(-1);
  if (last === undefined) throw new Error(`worker printed nothing; stderr: ${f.stderr}`);
  return JSON.parse(last) as T;
}

describe("store shared by several processes", () => {
  let dir: string;
  let dbPath: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "runbook-bot-race-"));
    dbPath = join(dir, "data", "bot.db");
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens one incident when 4 processes open the same alert 25 times each (fresh file, racing migrations too)", async () => {
    const finished = await race(
      ["1", "2", "3", "4"].map((worker) => ({ mode: "open-incident", dbPath, worker, attempts: 25 })),
    );
    const results = finished.map((f) => resultOf<{ created: number; ids: string[] }>(f));
    expect(results.reduce((sum, r) => sum + r.created, 0)).toBe(1);
    expect(new Set(results.flatMap((r) => r.ids)).size).toBe(1);

    const store = SqliteStore.open(dbPath);
    try {
      expect(await store.listOpenIncidents()).toHaveLength(1);
      expect((await store.listAudit()).filter((e) => e.kind === "incident.opened")).toHaveLength(1);
      // Each migration applied exactly once, however many processes raced to apply it.
      expect(store.db.prepare("SELECT COUNT(*) FROM schema_version").pluck().get()).toBe(MIGRATIONS.length);
      expect(store.db.prepare("SELECT MAX(version) FROM schema_version").pluck().get()).toBe(
        LATEST_SCHEMA_VERSION,
      );
    } finally {
      await store.close();
    }
  });

  it("executes every request exactly once when 4 processes race to approve and execute 200 requests", async () => {
    const setup = SqliteStore.open(dbPath);
    const { incident } = await setup.openIncident({
      dedupeKey: "k",
      runbookId: "consumer-lag",
      alertName: "kafka-consumer-lag-high",
      source: "cloudwatch",
      channel: "C1",
      threadTs: "1.1",
      severity: "high",
      openedAt: new Date(),
    });
    const requestIds: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { request } = await setup.createRequest({
        incidentId: incident.id,
        action: "scale-taskmanagers",
        params: { replicas: 8 },
        preview: "scale 4 -> 8",
        requesterId: "U1",
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 15 * 60_000),
      });
      requestIds.push(request.id);
    }
    await setup.close();
    const executionsLog = join(dir, "executions.log");
    writeFileSync(executionsLog, "");

    const finished = await race(
      ["1", "2", "3", "4"].map((worker) => ({
        mode: "approve-execute",
        dbPath,
        worker,
        requestIds,
        executionsLog,
      })),
    );
    const results = finished.map((f) =>
      resultOf<{ worker: string; approved: string[]; executed: string[] }>(f),
    );

    // The side effect happened once per request, across all processes.
    const lines = readFileSync(executionsLog, "utf8").trim().split("\n");
    expect(lines).toHaveLength(200);
    expect(new Set(lines.map((l) => l.split(" ")[0])).size).toBe(200);
    expect(results.flatMap((r) => r.executed).sort()).toEqual([...requestIds].sort());
    expect(results.flatMap((r) => r.approved).sort()).toEqual([...requestIds].sort());
    // The race was real: more than one process won some of the requests.
    const winners = results.filter((r) => r.executed.length > 0).map((r) => r.worker);
    expect(winners.length, `only worker ${winners.join(",")} ever won`).toBeGreaterThan(1);

    const store = SqliteStore.open(dbPath);
    try {
      for (const id of requestIds) {
        const r = await store.getRequest(id);
        expect(r?.state).toBe("succeeded");
        expect(r?.approvals).toHaveLength(1);
        expect(r?.version).toBe(4);
        const kinds = (await store.listAudit({ requestId: id })).map((e) => e.kind);
        expect(kinds).toEqual([
          "action.requested",
          "action.approved",
          "action.executing",
          "action.succeeded",
        ]);
      }
    } finally {
      await store.close();
    }
  });

  it("a bot killed mid-execution leaves the request executing; the next start marks it outcome-unknown", async () => {
    const setup = SqliteStore.open(dbPath);
    const { incident } = await setup.openIncident({
      dedupeKey: "k",
      runbookId: "memory-usage",
      alertName: "memory-usage-high",
      source: "cloudwatch",
      channel: "C1",
      threadTs: "1.1",
      severity: "medium",
      openedAt: new Date(),
    });
    const { request } = await setup.createRequest({
      incidentId: incident.id,
      action: "scale-taskmanagers",
      params: {},
      preview: "scale",
      requesterId: "U1",
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 60_000),
    });
    await setup.close();

    const [crashed] = await race([
      { mode: "crash-while-executing", dbPath, worker: "pod-a", requestId: request.id },
    ]);
    expect(crashed?.signal).toBe("SIGKILL");
    expect(crashed?.lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ worker: "pod-a", started: true }]);

    const restarted = SqliteStore.open(dbPath);
    try {
      expect((await restarted.getRequest(request.id))?.state).toBe("executing");
      const interrupted = await restarted.markInterruptedExecutions(new Date());
      expect(interrupted.map((r) => [r.id, r.state, r.executor])).toEqual([
        [request.id, "outcome-unknown", "pod-a"],
      ]);
      expect((await restarted.getRequest(request.id))?.state).toBe("outcome-unknown");
      expect((await restarted.listAudit({ requestId: request.id })).map((e) => e.kind)).toEqual([
        "action.requested",
        "action.approved",
        "action.executing",
        "action.outcome-unknown",
      ]);
    } finally {
      await restarted.close();
    }
  });
});
