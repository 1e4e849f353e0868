/**
 * Three bot processes on one real PostgreSQL server, each with its own Socket Mode connection to
 * the Slack emulator (which hands each envelope to one connection, in turn), the way the replicated
 * manifests run them (issue 11, item 2):
 * - each event is handled once: an alert redelivered to the two other replicas at the same moment
 *   opens one incident, runs one diagnosis and writes one thread;
 * - fifty simultaneous Approve clicks spread over the three replicas execute once;
 * - the replica executing a fix is killed (SIGKILL) while the Kubernetes API holds its PATCH: a
 *   surviving replica reports outcome-unknown in the thread within the leases, and never re-runs it;
 * - PostgreSQL stops and starts again in the middle of an incident (a server of the test's own): an
 *   approval given before is not lost, a click while it is down is refused and the thread says what
 *   was not recorded, and once it is back the bots reconnect by themselves and execute once.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { InteractionResult } from "../../src/sandbox/slack-emulator/index.ts";
import type { StoredMessage } from "../../src/sandbox/slack-emulator/types.ts";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
import { type PostgresServer, startPostgresServer } from "../peers/postgres-peer.ts";
import { buttonOf, CHANNEL, harnessPerTest, textOf, until } from "./harness.ts";
import { type ProcessHarness, type ProcessHarnessOptions, startProcessHarness } from "./process-harness.ts";

const REPLICAS = 3;
const shared = harnessPerTest((options?: ProcessHarnessOptions) =>
  startProcessHarness({ ...options, databaseUrl: inject("postgresUrl") }),
);

async function threeReplicas(harness: ProcessHarness) {
  const bots = [];
  for (let i = 0; i < REPLICAS; i++) bots.push(await harness.startBot());
  expect(harness.emulator.socketConnectionCount).toBe(REPLICAS);
  return bots;
}

const writes = (harness: ProcessHarness) => harness.kube.requests.filter((r) => r.method !== "GET");

function requestIdOf(approval: StoredMessage): string {
  const value = buttonOf(approval, APPROVE_ACTION_ID)?.value;
  if (typeof value !== "string") throw new Error("no Approve button");
  return value;
}

function answerTo(harness: ProcessHarness, click: InteractionResult): string | undefined {
  const id = click.responseUrl?.split("/").pop();
  const text = harness.emulator.responseUrlPosts.find((p) => p.responseUrlId === id)?.body.text;
  return typeof text === "string" ? text : undefined;
}

async function kindsOf(harness: ProcessHarness, filter: { incidentId?: string; requestId?: string }) {
  return (await harness.store.listAudit(filter)).map((e) => e.kind);
}

describe("three replicas on PostgreSQL", () => {
  it("an alert delivered to all three replicas at once opens one incident and one thread", async () => {
    const harness = await shared({});
    await threeReplicas(harness);
    const posted = await harness.emulator.postBotMessage(CHANNEL, {
      text: "[FIRING:1] kafka-consumer-lag-high (high ecommerce-streaming)",
      username: "Alertmanager",
    });
    // Slack retries the delivery (no ack seen in time, say): the same event_id goes to the next
    // connections in turn, while the first replica is still at it.
    const again = await Promise.all([
      harness.emulator.redeliverLastEvent({ reason: "timeout" }),
      harness.emulator.redeliverLastEvent({ reason: "timeout" }),
    ]);
    const connections = new Set(
      [...posted.deliveries, ...again].map((d) => d.connectionId).filter((c) => c !== undefined),
    );
    expect(connections.size).toBe(REPLICAS);
    await harness.waitForReply(posted.message.ts, (m) => /Incident `inc-/.test(textOf(m)));
    await harness.idle();

    const open = await harness.store.listOpenIncidents();
    expect(open).toHaveLength(1);
    expect(open[0]?.fireCount).toBe(1);
    const kinds = await kindsOf(harness, { incidentId: open[0]?.id ?? "" });
    expect(kinds.filter((k) => k === "incident.opened")).toHaveLength(1);
    expect(kinds.filter((k) => k === "run.started")).toHaveLength(1);
    const statuses = harness.botReplies(posted.message.ts).filter((m) => /Incident `inc-/.test(textOf(m)));
    expect(statuses).toHaveLength(1);
    const step1 = harness.botReplies(posted.message.ts).filter((m) => /Step 1:/.test(m.text));
    expect(step1).toHaveLength(1);
  }, 120_000);

  it("fifty Approve clicks at once, spread over the three replicas, execute once", async () => {
    const harness = await shared({ approvers: ["U_ALICE", "U_BOB", "U_CAROL"] });
    await threeReplicas(harness);
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    const requestId = requestIdOf(approval);
    await harness.idle();

    const clicks = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        harness.emulator.clickButton(
          i % 2 === 0 ? "U_BOB" : "U_CAROL",
          CHANNEL,
          approval.ts,
          APPROVE_ACTION_ID,
        ),
      ),
    );
    expect(new Set(clicks.map((c) => c.delivery.connectionId)).size).toBe(REPLICAS);
    await harness.waitForReply(root.ts, (m) => m.text.startsWith(":white_check_mark: Done:"));
    await harness.idle();

    expect(writes(harness)).toHaveLength(1);
    expect(harness.kube.state.deployments[0]?.spec.replicas).toBe(8);
    // One approval and one execution; the clicks that came after the request moved on are refused
    // (and audited as such), never run.
    const kinds = await kindsOf(harness, { requestId });
    expect(kinds.filter((k) => k !== "action.refused")).toEqual([
      "action.requested",
      "action.approved",
      "action.executing",
      "action.succeeded",
    ]);
    const replies = harness.botReplies(root.ts).map((m) => m.text);
    expect(replies.filter((t) => t.startsWith(":white_check_mark: Done:"))).toHaveLength(1);
    // Every other click was told it lost, none saw an error.
    const answers = clicks.map((c) => answerTo(harness, c)).filter((t) => t !== undefined);
    expect(answers).toHaveLength(49);
    for (const text of answers) {
      expect(text).toMatch(
        /^(Already (approved|executing|succeeded)\.|Refused: request is (already final|not awaiting approval)\.)$/,
      );
    }
  }, 180_000);

  it("the executing replica killed: a survivor says outcome-unknown within the leases, and never re-runs it", async () => {
    // One-second execution lease, 3 s replica leases (the harness's), sweeps every 200 ms.
    const harness = await shared({ config: { actions: { executionLeaseSeconds: 1 } }, expirySweepMs: 200 });
    const bots = await threeReplicas(harness);
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    const requestId = requestIdOf(approval);

    harness.kube.setFailure({ verb: "patch", resource: "deployments.apps/scale", delayMs: 600_000 });
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await until(() => writes(harness).length === 1);
    const executing = await harness.store.getRequest(requestId);
    expect(executing?.state).toBe("executing");
    const executor = bots.find((b) => b.instanceId === executing?.executor);
    expect(executor).toBeDefined();
    const killedAt = Date.now();
    await harness.endBot(executor!, "kill");
    harness.kube.clearFailures();

    await harness.waitForReply(root.ts, (m) => m.text.includes("its outcome is unknown"));
    // The dead executor's lease (1 s), and the sweeps lease if it held that too (3 s), then a sweep.
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    await harness.idle();
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // more sweeps by both survivors
    expect(await harness.store.getRequest(requestId)).toMatchObject({ state: "outcome-unknown" });
    const kinds = await kindsOf(harness, { requestId });
    expect(kinds.filter((k) => k === "action.outcome-unknown")).toHaveLength(1);
    expect(harness.botReplies(root.ts).filter((m) => m.text.includes("its outcome is unknown"))).toHaveLength(
      1,
    );
    expect(writes(harness)).toHaveLength(1);
  }, 180_000);
});

describe("three replicas while PostgreSQL restarts", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const own = harnessPerTest((options?: ProcessHarnessOptions) =>
    startProcessHarness({ ...options, databaseUrl: server.url }),
  );

  it("keeps the approval given before, says in the thread what it could not record, and executes once after", async () => {
    // Scaling needs two approvals here: one before the outage, one after.
    const harness = await own({
      approvers: ["U_ALICE", "U_BOB", "U_CAROL"],
      config: { approvals: { riskTiers: { "scale-taskmanagers": "critical" } } },
    });
    await threeReplicas(harness);
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    const requestId = requestIdOf(approval);
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await until(async () => (await kindsOf(harness, { requestId })).includes("action.approval-recorded"));
    await harness.idle();

    await server.halt();
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // each replica's probe sees it
    const refused = await harness.emulator.clickButton("U_CAROL", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await until(() => answerTo(harness, refused) !== undefined);
    expect(answerTo(harness, refused)).toContain("the bot cannot record it");
    const note = await harness.waitForReply(root.ts, (m) => m.text.includes("click was not recorded"));
    expect(note.text).toContain("<@U_CAROL>");
    expect(note.text).toContain(`127.0.0.1:${server.port}`);
    expect(note.text).not.toContain(decodeURIComponent(new URL(server.url).password));
    expect(writes(harness)).toEqual([]);

    await server.resume();
    // Back by themselves: Carol's click again completes the two approvals (Bob's was kept).
    const deadline = Date.now() + 30_000;
    while (writes(harness).length === 0 && Date.now() < deadline) {
      await harness.emulator.clickButton("U_CAROL", CHANNEL, approval.ts, APPROVE_ACTION_ID);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    await harness.waitForReply(root.ts, (m) => m.text.startsWith(":white_check_mark: Done:"));
    await harness.idle();
    expect(writes(harness)).toHaveLength(1);
    const audit = await harness.store.listAudit({ requestId });
    expect(audit.map((e) => [e.kind, e.actor])).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.approval-recorded", "U_BOB"],
      ["action.approved", "U_CAROL"],
      ["action.executing", "bot"],
      ["action.succeeded", "bot"],
    ]);
    expect((await harness.store.getRequest(requestId))?.approvals.map((a) => a.by)).toEqual([
      "U_BOB",
      "U_CAROL",
    ]);
  }, 180_000);
});
