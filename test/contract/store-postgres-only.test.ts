/**
 * What only the PostgreSQL store has to show, on the real server: migrations from an empty
 * database (and refusing a newer schema), two replicas (two pools) racing, the outbox ledger's
 * owners, Coordination, and what happens while the server is down (the test's own server, stopped
 * and restarted mid-test): writes refused with StoreUnavailableError, health unhealthy then healthy,
 * the pool reconnecting by itself.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { requestDeadline } from "../../src/core/approval.ts";
import type { NewLedgerEntry } from "../../src/store/outbox-ledger.ts";
import { PG_LATEST_SCHEMA_VERSION } from "../../src/store/postgres-schema.ts";
import { PostgresStore, type PostgresStoreOptions } from "../../src/store/postgres-store.ts";
import { type StoreCondition, StoreError, StoreUnavailableError } from "../../src/store/store.ts";
import { type PostgresServer, startPostgresServer } from "../peers/postgres-peer.ts";
import { coordinationContract } from "../unit/store/coordination.contract.ts";
import { at, incidentInput, T0 } from "../unit/store/helpers.ts";

const url = inject("postgresUrl");
const admin = new pg.Pool({ connectionString: url, max: 2 });
afterAll(() => admin.end());

const opened: PostgresStore[] = [];
async function open(schema: string, options: Omit<PostgresStoreOptions, "schema"> = {}, at = url) {
  const store = await PostgresStore.open(at, { schema, ...options });
  opened.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
const freshSchema = () => `only_${randomBytes(5).toString("hex")}`;

const requestOf = (incidentId: string) => ({
  incidentId,
  action: "scale-taskmanagers",
  params: { replicas: 4 },
  preview: "scale to 4",
  requesterId: "U1",
  createdAt: T0,
  expiresAt: requestDeadline(T0, 15),
});

describe("migrations", () => {
  it("from an empty database: every migration once, in order; reopened: nothing to do", async () => {
    const schema = freshSchema();
    const first = await open(schema);
    expect(first.foundSchemaVersion).toBe(0);
    const { rows } = await admin.query(`SELECT version FROM "${schema}".schema_version ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual(
      Array.from({ length: PG_LATEST_SCHEMA_VERSION }, (_, i) => i + 1),
    );
    const again = await open(schema);
    expect(again.foundSchemaVersion).toBe(PG_LATEST_SCHEMA_VERSION);
  });

  it("replicas starting together on an empty database migrate it once", async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(schema)));
    expect(stores.map((s) => s.foundSchemaVersion).filter((v) => v === 0)).toHaveLength(1);
    const { rows } = await admin.query(`SELECT COUNT(*)::int AS n FROM "${schema}".schema_version`);
    expect(rows[0].n).toBe(PG_LATEST_SCHEMA_VERSION);
  });

  it("refuses a database whose schema is newer than the code", async () => {
    const schema = freshSchema();
    await (await open(schema)).close();
    await admin.query(`INSERT INTO "${schema}".schema_version VALUES ($1, 0)`, [
      PG_LATEST_SCHEMA_VERSION + 1,
    ]);
    const refused = PostgresStore.open(url, { schema });
    await expect(refused).rejects.toBeInstanceOf(StoreError);
    await expect(refused).rejects.toMatchObject({ code: "schema-too-new" });
  });

  it("a wrong password: cannot-open, naming the masked URL, never the password", async () => {
    const wrong = url.replace(/:[^:@/]+@/, ":NotThePw42@");
    const error = await PostgresStore.open(wrong, { schema: freshSchema() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "cannot-open" });
    expect(String((error as Error).message)).toContain(":***@127.0.0.1");
    expect(String((error as Error).message)).not.toContain("NotThePw42");
  });
});

describe("two replicas (two pools) on one database", () => {
  it("50 concurrent approvals and executions spread over both: one approval moves it, one execution", async () => {
    const schema = freshSchema();
    const [a, b] = [await open(schema), await open(schema)];
    const incident = (await a.openIncident(incidentInput())).incident;
    const { request } = await a.createRequest(requestOf(incident.id));
    const replicas = [a, b];
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const store = replicas[i % 2] as PostgresStore;
        const approval = await store.recordApproval(request.id, { by: `U${i}`, at: at(1), required: 1 });
        const start = await store.transitionRequest(request.id, "approved", "executing", {
          at: at(1),
          actor: "bot",
          executor: `replica-${i % 2}`,
        });
        return { approved: approval.recorded, executed: start.won };
      }),
    );
    expect(outcomes.filter((o) => o.approved)).toHaveLength(1);
    expect(outcomes.filter((o) => o.executed)).toHaveLength(1);
    const audit = (await b.listAudit({ requestId: request.id })).map((e) => e.kind);
    expect(audit).toEqual(["action.requested", "action.approved", "action.executing"]);
    expect((await b.getRequest(request.id))?.approvals).toHaveLength(1);
  });

  it("the same alert seen by both at once opens one incident; a delivery is seen once", async () => {
    const schema = freshSchema();
    const [a, b] = [await open(schema), await open(schema)];
    const opens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).openIncident(incidentInput())),
    );
    expect(opens.filter((o) => o.created)).toHaveLength(1);
    const seen = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).markEventSeen("Ev1")),
    );
    expect(seen.filter(Boolean)).toHaveLength(1);
  });
});

describe("the outbox ledger's owners", () => {
  const entry = (text: string): NewLedgerEntry => ({
    lane: "post",
    channel: "C1",
    urgent: false,
    call: { method: "chat.postMessage", args: { channel: "C1", text } },
  });
  const texts = (rows: { call: { args: { [k: string]: unknown } } }[]) => rows.map((r) => r.call.args.text);

  it("a replica resends its own leftovers and a gone replica's, never a live one's", async () => {
    const schema = freshSchema();
    const ttl = { outboxOwnerTtlMs: 600 };
    const r1 = await open(schema, { instanceId: "r1", ...ttl });
    const r2 = await open(schema, { instanceId: "r2", ...ttl });
    await r1.outboxLedger().add(entry("from r1"));
    await r2.outboxLedger().add(entry("from r2"));
    // Both alive: each lists only its own.
    expect(texts(await r2.outboxLedger().list())).toEqual(["from r2"]);
    expect(texts(await r1.outboxLedger().list())).toEqual(["from r1"]);
    // r1 stops; once its TTL has passed a new replica claims r1's row, not r2's (r2 keeps beating).
    await r1.close();
    await new Promise((r) => setTimeout(r, 900));
    const r3 = await open(schema, { instanceId: "r3", ...ttl });
    expect(texts(await r3.outboxLedger().list())).toEqual(["from r1"]);
    expect(texts(await r2.outboxLedger().list())).toEqual(["from r2"]);
    const { rows } = await admin.query(`SELECT owner FROM "${schema}".outbox ORDER BY id`);
    expect(rows.map((r) => r.owner)).toEqual(["r3", "r2"]);
  });

  it("two replicas claiming a gone replica's rows at once share them out: each row once", async () => {
    const schema = freshSchema();
    const gone = await open(schema, { instanceId: "gone", outboxOwnerTtlMs: 300 });
    for (let i = 0; i < 30; i++) await gone.outboxLedger().add(entry(`m${i}`));
    await gone.close();
    await new Promise((r) => setTimeout(r, 500));
    const [x, y] = [
      await open(schema, { instanceId: "x", outboxOwnerTtlMs: 300 }),
      await open(schema, { instanceId: "y", outboxOwnerTtlMs: 300 }),
    ];
    const [lx, ly] = await Promise.all([x.outboxLedger().list(), y.outboxLedger().list()]);
    const all = [...texts(lx), ...texts(ly)].sort();
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
  });
});

// Each connect() is another pool on one fresh schema, as another replica would have; afterEach closes them.
coordinationContract("PostgreSQL", async () => {
  const schema = freshSchema();
  return { connect: () => open(schema), cleanup: async () => undefined };
});

describe("while the server is down (a server of the test's own, stopped and restarted)", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterAll(async () => {
    await server.stop();
  });
  const password = () => decodeURIComponent(new URL(server.url).password);

  it("writes are refused with StoreUnavailableError, health goes unhealthy then healthy, nothing half written", async () => {
    const store = await open(freshSchema(), { healthIntervalMs: 100 }, server.url);
    const changes: StoreCondition[] = [];
    store.onHealthChange((c) => changes.push(c));
    const incident = (await store.openIncident(incidentInput())).incident;
    await server.halt();
    const refused = await store
      .openIncident(incidentInput({ dedupeKey: "k2", channel: "C2" }))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreUnavailableError);
    const condition = (refused as StoreUnavailableError).condition;
    expect(condition).toMatchObject({ ok: false, fault: "unreachable" });
    expect(condition.reason).toContain(`127.0.0.1:${server.port}`);
    expect(condition.reason).not.toContain(password());
    expect(store.health().ok).toBe(false);
    await expect(store.recordFire(incident.id, at(1))).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.getIncident(incident.id)).rejects.toBeInstanceOf(StoreUnavailableError);

    await server.resume();
    // The probe notices by itself.
    const deadline = Date.now() + 10_000;
    while (!store.health().ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(store.health().ok).toBe(true);
    expect(changes.map((c) => c.ok)).toEqual([false, true]);
    expect(JSON.stringify(changes)).not.toContain(password());
    // Nothing of the refused writes is there; the store works again.
    expect(await store.findOpenIncident("C2", "consumer-lag")).toBeUndefined();
    expect((await store.getIncident(incident.id))?.fireCount).toBe(1);
    expect((await store.listAudit()).map((e) => e.kind)).toEqual(["incident.opened"]);
    expect(await store.recordFire(incident.id, at(2))).toBe(2);
  });

  it("a read-only server (a standby after failover): writes refused, reads do not hide it, writable again heals", async () => {
    const store = await open(freshSchema(), { healthIntervalMs: 100 }, server.url);
    const incident = (await store.openIncident(incidentInput())).incident;
    const owner = new pg.Client({ connectionString: server.url });
    await owner.connect();
    const cutOthers = () =>
      owner.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid()",
      );
    try {
      await owner.query("ALTER DATABASE runbook_bot SET default_transaction_read_only = on");
      await cutOthers();
      let refused: unknown;
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        refused = await store.recordFire(incident.id, at(1)).catch((e: unknown) => e);
        if (refused instanceof StoreUnavailableError && refused.condition.fault === "read-only") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(refused).toBeInstanceOf(StoreUnavailableError);
      expect((refused as StoreUnavailableError).condition.fault).toBe("read-only");
      // A read succeeds, and the probe's write fails: still unhealthy.
      expect((await store.getIncident(incident.id))?.fireCount).toBe(1);
      await new Promise((r) => setTimeout(r, 400));
      expect(store.health()).toMatchObject({ ok: false, fault: "read-only" });

      await owner.query("ALTER DATABASE runbook_bot SET default_transaction_read_only = off");
      await cutOthers();
      const back = Date.now() + 10_000;
      while (!store.health().ok && Date.now() < back) await new Promise((r) => setTimeout(r, 50));
      expect(store.health().ok).toBe(true);
      expect(await store.recordFire(incident.id, at(2))).toBe(2);
    } finally {
      await owner.query("ALTER DATABASE runbook_bot SET default_transaction_read_only = off");
      await owner.end();
    }
  });

  it("reconnects after a restart mid-run: what was written is there, the next writes go through", async () => {
    const store = await open(freshSchema(), { healthIntervalMs: 100 }, server.url);
    const incident = (await store.openIncident(incidentInput())).incident;
    const { request } = await store.createRequest(requestOf(incident.id));
    // Several pooled connections open when the server goes away.
    await Promise.all(Array.from({ length: 5 }, () => store.getRequest(request.id)));
    await server.restart();
    const deadline = Date.now() + 10_000;
    let approval: Awaited<ReturnType<PostgresStore["recordApproval"]>> | undefined;
    while (approval === undefined && Date.now() < deadline) {
      approval = await store
        .recordApproval(request.id, { by: "U2", at: at(1), required: 1 })
        .catch((e: unknown) => {
          if (!(e instanceof StoreUnavailableError)) throw e;
          return undefined;
        });
    }
    expect(approval).toMatchObject({ recorded: true, approved: true });
    expect((await store.getRequest(request.id))?.state).toBe("approved");
    expect(store.health().ok).toBe(true);
  });
});
