/**
 * Issue 10, finding 3: a write that timed out is never called "failed". The real bot on the Slack
 * emulator scales through the real Kubernetes adapter; the Kubernetes API test server holds the
 * scale PATCH longer than the adapter's timeout. The request is outcome-unknown with what to check,
 * and the bot reads spec.replicas until it can say whether the scale applied.
 * - held, then applied by the server: "did apply: 8 taskmanagers", then the recovery watch;
 * - held, then refused by the server (never applied): "did not apply: 4 taskmanagers".
 */
import { describe, expect, it } from "vitest";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
import { CHANNEL, harnessPerTest, startHarness, textOf, until, WAIT_MS } from "./harness.ts";

const start = harnessPerTest(startHarness);
const KUBE_TIMEOUT_MS = 1_000;

function harnessWith(settleWithinSeconds: number) {
  return start({
    kubeTimeoutMs: KUBE_TIMEOUT_MS,
    config: { actions: { settleWithinSeconds, settleEverySeconds: 0.2 } },
  });
}

describe("a scale PATCH held past the client's timeout", () => {
  it("is outcome-unknown (never failed), then settled as applied once the server applies it", async () => {
    const harness = await harnessWith(20);
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    // The server holds the PATCH 3 s, then applies it: after the bot's 1 s timeout.
    harness.kube.setFailure({ verb: "patch", resource: "deployments.apps/scale", delayMs: 3_000, times: 1 });
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);

    const unknown = await harness.waitForReply(root.ts, (m) => m.text.includes("outcome unknown"));
    expect(unknown.text).toContain(
      "spec.replicas of deployment flink/flink-taskmanager (8 if it applied, 4 if not)",
    );
    const request = (await harness.store.listRequests())[0]!;
    expect(request.state).toBe("outcome-unknown");
    // The approval message says it too, instead of its buttons.
    await harness.emulator.waitFor(
      (m) => m.channel === CHANNEL && m.ts === approval.ts && textOf(m).includes("Outcome unknown"),
      WAIT_MS,
    );

    const settled = await harness.waitForReply(root.ts, (m) =>
      m.text.startsWith(":white_check_mark: Settled:"),
    );
    expect(settled.text).toContain("did apply: 8 taskmanagers");
    expect(harness.kube.state.deployments[0]!.spec.replicas).toBe(8);
    // Nothing ever said it failed.
    expect(harness.botReplies(root.ts).some((m) => /failed/.test(m.text) && m.text.includes("Scale"))).toBe(
      false,
    );
    expect((await harness.store.getRequest(request.id))!.state).toBe("outcome-unknown");
    const kinds = (await harness.store.listAudit({ requestId: request.id })).map((e) => e.kind);
    expect(kinds).toContain("action.outcome-unknown");
    expect(kinds).not.toContain("action.failed");
    await until(async () =>
      (await harness.store.listAudit({ requestId: request.id })).some(
        (e) => e.kind === "action.settled" && e.details.applied === true,
      ),
    );
    // The fix applied: its recovery watch starts as after any fix.
    await harness.waitForReply(root.ts, (m) => m.text.startsWith(":mag: Verifying"));
  });

  it("is settled as not applied when the server never applied it", async () => {
    const harness = await harnessWith(3);
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    // Held 2 s, then a 500 without applying: the bot gave up at 1 s and cannot know.
    harness.kube.setFailure({
      verb: "patch",
      resource: "deployments.apps/scale",
      delayMs: 2_000,
      status: 500,
      times: 1,
    });
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await harness.waitForReply(root.ts, (m) => m.text.includes("outcome unknown"));
    const settled = await harness.emulator.waitFor(
      (m) => m.channel === CHANNEL && m.thread_ts === root.ts && m.text.startsWith(":x: Settled:"),
      WAIT_MS,
    );
    expect(settled.text).toContain("did not apply: 4 taskmanagers");
    expect(harness.kube.state.deployments[0]!.spec.replicas).toBe(4);
  });
});
