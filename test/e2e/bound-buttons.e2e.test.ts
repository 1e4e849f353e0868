/**
 * Issue 10, finding 4, through the Slack emulator: buttons are bound to the proposals the bot
 * stored for the incident, and the channel allow-list fails closed.
 * - a block_actions payload whose proposal value was rewritten (other params within the action's
 *   bounds, another incident's id) is refused to the clicker and creates no request;
 * - the same button untouched still works (old buttons match their stored proposal);
 * - a payload without `channel` is refused for every kind of button, and nothing is done.
 */
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/sandbox/slack-emulator/types.ts";
import { NO_CHANNEL_MESSAGE } from "../../src/slack/listeners/click-payload.ts";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
import { buttonOf, CHANNEL, harnessPerTest, scaleButtonId, startHarness, until } from "./harness.ts";

const start = harnessPerTest(startHarness);

/** Rewrites the clicked button's value (the JSON a proposal button carries). */
function withValue(rewrite: (value: Record<string, unknown>) => Record<string, unknown>) {
  return (payload: JsonObject): JsonObject => {
    const actions = payload.actions as JsonObject[];
    const first = actions[0]!;
    const value = JSON.parse(String(first.value)) as Record<string, unknown>;
    return { ...payload, actions: [{ ...first, value: JSON.stringify(rewrite(value)) }] };
  };
}

const withoutChannel = (payload: JsonObject): JsonObject => {
  const { channel: _channel, ...rest } = payload;
  return rest;
};

describe("proposal buttons are bound to the stored proposals", () => {
  it("a click carrying replicas the runbook never proposed (within bounds) is refused; the real button works", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    const actionId = scaleButtonId(step4)!;
    // 6 is inside actions.scaleTaskmanagers' bounds, but the runbook proposed 8.
    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, actionId, {
      tamper: withValue((v) => ({ ...v, params: { ...(v.params as object), replicas: 6 } })),
    });
    await harness.idle();
    await until(() =>
      harness.emulator
        .ephemeralFor("U_ALICE")
        .some((m) => m.text.includes("does not match a fix the bot proposed")),
    );
    expect(await harness.store.listRequests()).toEqual([]);
    const refused = (await harness.store.listAudit()).filter((e) => e.kind === "action.refused");
    expect(refused).toHaveLength(1);
    expect(refused[0]!.details).toMatchObject({ action: "scale-taskmanagers", attempted: "request" });

    // An extra key, or the same params under another incident's id, are not the proposal either.
    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, actionId, {
      tamper: withValue((v) => ({ ...v, params: { ...(v.params as object), fromReplicas: 5 } })),
    });
    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, actionId, {
      tamper: withValue((v) => ({ ...v, action: "restart-taskmanagers" })),
    });
    await harness.idle();
    expect(await harness.store.listRequests()).toEqual([]);

    // Preview is bound the same way.
    const previewId = actionId.replace(/^proposal:/, "preview:");
    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, previewId, {
      tamper: withValue((v) => ({ ...v, params: { ...(v.params as object), replicas: 5 } })),
    });
    await until(
      () =>
        harness.emulator
          .ephemeralFor("U_ALICE")
          .filter((m) => m.text.includes("does not match a fix the bot proposed")).length >= 4,
    );

    // The button as posted is the stored proposal: it becomes a request.
    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, actionId);
    await harness.idle();
    const requests = await harness.store.listRequests();
    expect(requests).toHaveLength(1);
    expect(requests[0]!.params).toMatchObject({ replicas: 8 });
  });
});

describe("the channel allow-list fails closed", () => {
  it("a block_actions payload without a channel is refused for proposal, preview and Approve buttons", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    const actionId = scaleButtonId(step4)!;
    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, actionId, { tamper: withoutChannel });
    await harness.emulator.clickButton(
      "U_ALICE",
      CHANNEL,
      step4.ts,
      actionId.replace(/^proposal:/, "preview:"),
      {
        tamper: withoutChannel,
      },
    );
    await harness.idle();
    await until(
      () => harness.emulator.ephemeralFor("U_ALICE").filter((m) => m.text === NO_CHANNEL_MESSAGE).length >= 2,
    );
    expect(await harness.store.listRequests()).toEqual([]);

    // A real request, then an Approve without a channel: not approved, nothing executed.
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID, {
      tamper: withoutChannel,
    });
    await harness.idle();
    await until(() => harness.emulator.ephemeralFor("U_BOB").some((m) => m.text === NO_CHANNEL_MESSAGE));
    const [request] = await harness.store.listRequests();
    expect(request!.state).toBe("requested");
    expect(harness.kube.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(buttonOf(approval, APPROVE_ACTION_ID)).toBeDefined();
  });
});
