/**
 * Restarting the bot loses nothing: a new bot process on the same SQLite file (and the same Slack)
 * still counts repeats in the open incident's thread, resolves it, lists it, and executes a
 * pending approval exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/sandbox/slack-emulator/types.ts";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
import {
  buttonOf,
  CHANNEL,
  type Harness,
  SCALE_PATH,
  scaleButtonId,
  startHarness,
  textOf,
  until,
  WAIT_MS,
} from "./harness.ts";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  const failed = h.failedCalls();
  await h.stop();
  expect(failed).toEqual([]);
});

const now = (message: StoredMessage) => h.emulator.findMessage((m) => m.ts === message.ts)!;

describe("after a restart on the same SQLite file", () => {
  it("the open incident still counts repeats in its thread, keeps its diagnosis, and resolves", async () => {
    const root = await h.runAlert("consumer-lag");
    const status = h.botReplies(root.ts)[0]!;
    const before = await h.store.listOpenIncidents();
    await h.restartBot();
    expect(h.emulator.socketConnectionCount).toBe(1);
    expect(await h.store.listOpenIncidents()).toEqual(before);

    await h.postAlert("consumer-lag", "firing", 2);
    await h.waitForReply(root.ts, (m) => m.text.includes("fired again (x2)"));
    await until(() => /\*Fired\*\n2 times/.test(textOf(now(status))));
    // The status message keeps what the run before the restart found.
    const shown = textOf(now(status));
    expect(shown).toContain("Likely cause: Flink resource constraint (B)");
    expect(shown).not.toContain("Diagnosing");
    expect(scaleButtonId(now(status))).toBe("proposal:scale-taskmanagers:0");
    await h.idle();
    const [incident] = await h.store.listOpenIncidents();
    expect(incident?.fireCount).toBe(2);
    expect(h.botReplies(root.ts).filter((m) => m.text.includes("Step 1:"))).toHaveLength(1);

    await h.postAlert("consumer-lag", "resolved");
    await h.waitForReply(root.ts, (m) => m.text.includes("resolved after"));
    await until(() => textOf(now(status)).includes("Resolved after"));
    expect(await h.store.listOpenIncidents()).toEqual([]);
  });

  it("a pending approval is approved and executed once by the new process", async () => {
    const root = await h.runAlert("consumer-lag");
    const approval = await h.requestScale(root.ts, "U_ALICE");
    const requestId = String(buttonOf(approval, APPROVE_ACTION_ID)?.value);
    await h.restartBot();

    await h.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await h.emulator.waitFor(
      (m) =>
        m.ts === approval.ts && buttonOf(m, APPROVE_ACTION_ID) === undefined && /executed:/.test(textOf(m)),
      WAIT_MS,
    );
    await h.idle();
    const writes = h.kube.requests.filter((r) => r.method !== "GET");
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      method: "PATCH",
      path: SCALE_PATH,
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 8 } },
    });
    const audit = await h.store.listAudit({ requestId });
    expect(audit.map((e) => [e.kind, e.actor])).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.approved", "U_BOB"],
      ["action.executing", "bot"],
      ["action.succeeded", "bot"],
    ]);
  });

  it("the self-approval rule still holds for a request made before the restart", async () => {
    const root = await h.runAlert("consumer-lag");
    const approval = await h.requestScale(root.ts, "U_ALICE");
    await h.restartBot();
    await h.emulator.clickButton("U_ALICE", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await h.waitForReply(root.ts, (m) => m.text.includes("<@U_ALICE> pressed Approve"));
    await h.idle();
    expect(h.kube.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("/runbook status lists the incidents opened before the restart", async () => {
    await h.runAlert("consumer-lag");
    await h.restartBot();
    const result = await h.emulator.slashCommand("U_BOB", CHANNEL, "/runbook status");
    expect(result.shown?.text).toMatch(
      /^1 open incident\(s\):\n• \*kafka-consumer-lag-high\* \(consumer-lag\)/,
    );
  });

  it("re-running diagnostics from a button posted before the restart works", async () => {
    const root = await h.runAlert("consumer-lag");
    const status = h.botReplies(root.ts)[0]!;
    await h.restartBot();
    await h.emulator.clickButton("U_BOB", CHANNEL, status.ts, "rerun");
    await h.waitForReply(root.ts, (m) => m.text.includes("<@U_BOB> re-ran the diagnostics"));
    await until(() => h.botReplies(root.ts).filter((m) => m.text.includes("Step 4:")).length === 2);
    await h.idle();
    expect(await h.store.listOpenIncidents()).toHaveLength(1);
  });
});
