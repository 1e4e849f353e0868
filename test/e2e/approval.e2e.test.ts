/**
 * Two-person approved fixes end to end: a proposal button -> an approval request in the thread ->
 * Approve by a second approver -> one merge-patch of the scale subresource on the Kubernetes API
 * test server (through the real adapter) -> audit rows; refusals (self-approval, non-approver,
 * expired, stale buttons) are told to the clicker and logged in the thread; a double click or
 * fifty concurrent clicks execute once, and every losing click is told why it did nothing.
 */
import { describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/sandbox/slack-emulator/types.ts";
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from "../../src/slack/render/index.ts";
import {
  buttonOf,
  CHANNEL,
  type Harness,
  harnessPerTest,
  SCALE_PATH,
  scaleButtonId,
  startHarness,
  textOf,
  until,
  WAIT_MS,
} from "./harness.ts";

const start = harnessPerTest(startHarness);

/** Concurrent Approve clicks in the exactly-once test. */
const CLICKS = 50;
/** What a click that lost the race is told: the request moved on (refused, or already past it). */
const LOSING_CLICK_ANSWER =
  /^(Already (approved|executing|succeeded)\.|Refused: request is (not awaiting approval|already final)\.)$/;

const patches = (harness: Harness) => harness.kube.requests.filter((r) => r.method !== "GET");

/** The approval message as it stands now (edits included). */
function current(harness: Harness, message: StoredMessage): StoredMessage {
  const found = harness.emulator.findMessage((m) => m.channel === CHANNEL && m.ts === message.ts);
  if (!found) throw new Error(`approval message ${message.ts} is gone`);
  return found;
}

/** Waits until the approval message's buttons are replaced by an outcome line matching `outcome`. */
async function outcomeOf(harness: Harness, message: StoredMessage, outcome: RegExp): Promise<StoredMessage> {
  return harness.emulator.waitFor(
    (m) =>
      m.channel === CHANNEL &&
      m.ts === message.ts &&
      buttonOf(m, APPROVE_ACTION_ID) === undefined &&
      outcome.test(textOf(m)),
    WAIT_MS,
  );
}

function requestIdOf(approval: StoredMessage): string {
  const value = buttonOf(approval, APPROVE_ACTION_ID)?.value;
  if (typeof value !== "string") throw new Error("no Approve button");
  return value;
}

describe("a proposal approved by a second person", () => {
  it("scales through the Kubernetes API exactly once and audits every transition", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");

    const approval = await harness.requestScale(root.ts, "U_ALICE");
    const requestText = textOf(approval);
    expect(requestText).toContain(":lock: Approval needed: *Scale taskmanagers*");
    // The renderer mentions only well-formed Slack ids (U0123...): the emulator's U_ALICE shows as text.
    expect(requestText).toMatch(/Requested by (<@)?U_ALICE>? at <!date\^/);
    expect(requestText).toContain("flink-taskmanager: 4 -&gt; 8 replicas in namespace flink");
    expect(requestText).toMatch(/Expires <!date\^\d+\^/);
    expect(buttonOf(approval, REJECT_ACTION_ID)).toBeDefined();
    expect(patches(harness)).toEqual([]);

    const requestId = requestIdOf(approval);
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    const done = await outcomeOf(harness, approval, /executed:/);
    await harness.idle();

    // The cluster got exactly one write: a JSON merge patch of the scale subresource.
    const writes = patches(harness);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      method: "PATCH",
      path: SCALE_PATH,
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 8 } },
    });
    expect(harness.kube.state.deployments[0]?.spec.replicas).toBe(8);

    // The request message: buttons replaced by the outcome.
    expect(textOf(done)).toMatch(
      /:white_check_mark: Approved by (<@)?U_BOB>? at <!date\^\d+\^[^>]+>, executed:/,
    );
    expect(textOf(done)).toContain(
      "executed: flink-taskmanager scaled 4 -&gt; 8 replicas in namespace flink",
    );
    expect(buttonOf(done, REJECT_ACTION_ID)).toBeUndefined();

    // The thread says who approved and what happened.
    await harness.waitForReply(root.ts, (m) => m.text.includes("<@U_BOB> approved"));
    await harness.waitForReply(root.ts, (m) =>
      m.text.startsWith(":white_check_mark: Done: flink-taskmanager scaled 4 -> 8 replicas"),
    );

    // The audit log, in order, with the right actors.
    const audit = await harness.store.listAudit({ requestId });
    expect(audit.map((e) => [e.kind, e.actor])).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.approved", "U_BOB"],
      ["action.executing", "bot"],
      ["action.succeeded", "bot"],
    ]);
    const request = await harness.store.getRequest(requestId);
    expect(request).toMatchObject({
      state: "succeeded",
      requesterId: "U_ALICE",
      decidedBy: "U_BOB",
      params: { namespace: "flink", deployment: "flink-taskmanager", replicas: 8, fromReplicas: 4 },
    });
  });

  it("executes once when Approve is clicked fifty times at once; every other click gets a clear answer", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    const requestId = requestIdOf(approval);

    const clicks = await Promise.all(
      Array.from({ length: CLICKS }, () =>
        harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID),
      ),
    );
    expect(clicks.every((c) => c.delivery.acked)).toBe(true);
    await outcomeOf(harness, approval, /executed:/);
    await harness.idle();
    await harness.emulator.idle();

    // The cluster got exactly one write.
    expect(patches(harness)).toEqual([
      expect.objectContaining({ method: "PATCH", path: SCALE_PATH, body: { spec: { replicas: 8 } } }),
    ]);
    const audit = await harness.store.listAudit({ requestId });
    const kinds = audit.map((e) => e.kind);
    expect(kinds.filter((k) => k === "action.approved")).toHaveLength(1);
    expect(kinds.filter((k) => k === "action.executing")).toHaveLength(1);
    expect(kinds.filter((k) => k === "action.succeeded")).toHaveLength(1);
    expect(kinds.filter((k) => k === "action.failed")).toEqual([]);
    // executing and succeeded are one pair, in that order, after the one approval.
    expect(kinds.filter((k) => k !== "action.refused")).toEqual([
      "action.requested",
      "action.approved",
      "action.executing",
      "action.succeeded",
    ]);
    expect(
      harness.botReplies(root.ts).filter((m) => m.text.startsWith(":white_check_mark: Done:")),
    ).toHaveLength(1);
    expect(harness.botReplies(root.ts).filter((m) => m.text.includes("<@U_BOB> approved"))).toHaveLength(1);

    // The 49 other clicks were each told, to the clicker only, why they did nothing: never an error.
    await until(() => harness.emulator.ephemeralFor("U_BOB").length >= CLICKS - 1);
    const answers = harness.emulator.ephemeralFor("U_BOB").map((m) => m.text);
    expect(answers).toHaveLength(CLICKS - 1);
    for (const answer of answers) expect(answer).toMatch(LOSING_CLICK_ANSWER);
    // A refused click is a line in the thread and an audit event, as every refusal is.
    const refused = audit.filter((e) => e.kind === "action.refused");
    expect(refused.every((e) => e.actor === "U_BOB")).toBe(true);
    expect(
      harness.botReplies(root.ts).filter((m) => m.text.includes("<@U_BOB> pressed Approve")),
    ).toHaveLength(refused.length);
    expect(answers.filter((a) => a.startsWith("Refused:"))).toHaveLength(refused.length);
  });

  it("a double click on the fix button makes one request; the second click is told it is already open", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    const actionId = scaleButtonId(step4)!;
    await Promise.all([
      harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, actionId),
      harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, actionId),
    ]);
    await harness.idle();
    const requests = await harness.store.listRequests();
    expect(requests).toHaveLength(1);
    await until(async () => (await harness.store.getRequest(requests[0]!.id))?.messageTs !== null);
    await until(async () =>
      harness.emulator.ephemeralFor("U_ALICE").some((m) => m.text.includes("is already open in this thread")),
    );
    // Pressing it again later (or by someone else) points at the open request too.
    await harness.emulator.clickButton("U_BOB", CHANNEL, step4.ts, actionId);
    await harness.idle();
    expect(await harness.store.listRequests()).toHaveLength(1);
    const open = (await harness.store.getRequest(requests[0]!.id))!;
    await harness.emulator.clickButton("U_BOB", CHANNEL, open.messageTs!, APPROVE_ACTION_ID);
    await until(async () => (await harness.store.getRequest(open.id))?.state === "succeeded");
    await harness.idle();
    expect(patches(harness)).toHaveLength(1);
    // Once done, pressing the same fix again changes nothing: refused with the reason, in the thread.
    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, actionId);
    await harness.idle();
    expect(await harness.store.listRequests()).toHaveLength(1);
    expect(
      harness.emulator
        .thread(CHANNEL, root.ts)
        .some((m) => m.text.includes("already has 8 replicas: nothing to change")),
    ).toBe(true);
  });

  it("executes once when the two approvers click Approve at the same moment", async () => {
    const harness = await start({ approvers: ["U_ALICE", "U_BOB", "U_CAROL"] });
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    await Promise.all([
      harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID),
      harness.emulator.clickButton("U_CAROL", CHANNEL, approval.ts, APPROVE_ACTION_ID),
    ]);
    await outcomeOf(harness, approval, /executed:/);
    await harness.idle();
    expect(patches(harness)).toHaveLength(1);
    const approved = (await harness.store.listAudit({ requestId: requestIdOf(approval) })).filter(
      (e) => e.kind === "action.approved",
    );
    expect(approved).toHaveLength(1);
    expect(["U_BOB", "U_CAROL"]).toContain(approved[0]?.actor);
  });

  it("a replica count chosen in the modal is the one requested and executed", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    const form = await harness.openForm(step4, /^form:scale-taskmanagers/, "U_ALICE");
    const submitted = await harness.emulator.submitView("U_ALICE", form.id, { replicas: "6" });
    expect(submitted.responseAction).toBeUndefined();
    expect(submitted.view).toBeUndefined();
    const approval = await harness.waitForReply(root.ts, (m) => buttonOf(m, APPROVE_ACTION_ID) !== undefined);
    expect(textOf(approval)).toContain("flink-taskmanager: 4 -&gt; 6 replicas");
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await outcomeOf(harness, approval, /executed:/);
    await harness.idle();
    expect(patches(harness).map((r) => r.body)).toEqual([{ spec: { replicas: 6 } }]);
  });
});

describe("refusals", () => {
  it("the requester cannot approve their own request: refused, told, logged in the thread", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    await harness.emulator.clickButton("U_ALICE", CHANNEL, approval.ts, APPROVE_ACTION_ID);

    const note = await harness.waitForReply(root.ts, (m) => m.text.includes("<@U_ALICE> pressed Approve"));
    expect(note.text).toMatch(/refused, .*(own|self)/i);
    const told = await harness.emulator.waitFor(
      (m) => m.ephemeral_for === "U_ALICE" && m.text.startsWith("Refused:"),
      WAIT_MS,
    );
    expect(told.text).toMatch(/own|self/i);
    await harness.idle();
    expect(patches(harness)).toEqual([]);
    expect(buttonOf(current(harness, approval), APPROVE_ACTION_ID)).toBeDefined(); // still pending
    const audit = await harness.store.listAudit({ requestId: requestIdOf(approval) });
    expect(audit.map((e) => [e.kind, e.actor])).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.refused", "U_ALICE"],
    ]);
  });

  it("a non-approver pressing Approve is refused and logged in the thread; an approver still can", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    await harness.emulator.clickButton("U_CAROL", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    const note = await harness.waitForReply(root.ts, (m) => m.text.includes("<@U_CAROL> pressed Approve"));
    expect(note.text).toContain("refused");
    await harness.emulator.waitFor(
      (m) => m.ephemeral_for === "U_CAROL" && m.text.startsWith("Refused:"),
      WAIT_MS,
    );
    expect(patches(harness)).toEqual([]);

    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await outcomeOf(harness, approval, /executed:/);
    await harness.idle();
    expect(patches(harness)).toHaveLength(1);
    const audit = await harness.store.listAudit({ requestId: requestIdOf(approval) });
    expect(audit.map((e) => [e.kind, e.actor])).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.refused", "U_CAROL"],
      ["action.approved", "U_BOB"],
      ["action.executing", "bot"],
      ["action.succeeded", "bot"],
    ]);
  });

  it("a non-approver cannot even request the fix", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    await harness.emulator.clickButton("U_CAROL", CHANNEL, step4.ts, scaleButtonId(step4)!);
    await harness.waitForReply(root.ts, (m) =>
      m.text.includes("<@U_CAROL> asked for *Scale taskmanagers*: refused"),
    );
    await harness.idle();
    expect(await harness.store.listRequests()).toEqual([]);
    expect(harness.botReplies(root.ts).some((m) => buttonOf(m, APPROVE_ACTION_ID) !== undefined)).toBe(false);
  });

  it("Reject by an approver closes the request without touching the cluster", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, REJECT_ACTION_ID);
    const done = await outcomeOf(harness, approval, /Rejected by (<@)?U_BOB/);
    expect(textOf(done)).toMatch(/:no_entry_sign: Rejected by (<@)?U_BOB>?/);
    await harness.waitForReply(root.ts, (m) => m.text.startsWith(":x: <@U_BOB> rejected"));
    await harness.idle();
    expect(patches(harness)).toEqual([]);
    expect((await harness.store.getRequest(requestIdOf(approval)))?.state).toBe("rejected");
  });

  it("a change in the cluster since the request is caught at execution: nothing is written", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    harness.kube.state.deployments[0]!.spec.replicas = 5; // someone ran kubectl scale meanwhile
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    const done = await outcomeOf(harness, approval, /Failed:/);
    expect(textOf(done)).toContain("now has 5 replicas, not the 4 this request was computed from");
    await harness.idle();
    expect(patches(harness)).toEqual([]);
    expect((await harness.store.getRequest(requestIdOf(approval)))?.state).toBe("failed");
  });

  it("the alert resolved since the request: not executed at approval, and a new request is refused", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    await harness.postAlert("consumer-lag", "resolved");
    await harness.waitForReply(root.ts, (m) => m.text.includes("resolved after"));
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    const done = await outcomeOf(harness, approval, /Failed:/);
    expect(textOf(done)).toMatch(
      /not executed, the world changed: the alert kafka-consumer-lag-high resolved at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/,
    );
    await harness.idle();
    expect(patches(harness)).toEqual([]);
    expect((await harness.store.getRequest(requestIdOf(approval)))?.state).toBe("failed");

    // The fix button of the resolved incident's thread asks again: refused, said in the thread.
    const step4 = await harness.waitForReply(root.ts, (m) => /Step 4: Fix/.test(m.text));
    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, scaleButtonId(step4)!);
    const refusal = await harness.waitForReply(root.ts, (m) =>
      m.text.startsWith(":no_entry: <@U_ALICE> asked for"),
    );
    expect(refusal.text).toMatch(
      /refused, the alert kafka-consumer-lag-high resolved at .+ UTC: run `\/runbook consumer-lag` again if a fix is still needed\.$/,
    );
    await harness.idle();
    expect(patches(harness)).toEqual([]);
    expect(await harness.store.listRequests({ state: "requested" })).toEqual([]);
  });

  it("an RBAC refusal from the cluster fails the request with the server's words", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    harness.kube.setFailure({ verb: "patch", resource: "deployments.apps/scale", status: 403 });
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    const done = await outcomeOf(harness, approval, /Failed:/);
    expect(textOf(done)).toContain('cannot patch resource "deployments/scale"');
    await harness.idle();
    expect(patches(harness)).toHaveLength(1); // tried once, refused by the server
    expect(harness.kube.state.deployments[0]?.spec.replicas).toBe(4);
    const kinds = (await harness.store.listAudit({ requestId: requestIdOf(approval) })).map((e) => e.kind);
    expect(kinds).toEqual(["action.requested", "action.approved", "action.executing", "action.failed"]);
  });
});

describe("expiry", () => {
  it("an unapproved request expires after the configured time: message and thread say so", async () => {
    const harness = await start({ config: { approvals: { expiryMinutes: 0.02 } }, expirySweepMs: 100 });
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    const done = await outcomeOf(harness, approval, /Expired at/);
    expect(textOf(done)).toContain(":hourglass: Expired at");
    await harness.waitForReply(root.ts, (m) => m.text.includes("expired unapproved"));
    const requestId = requestIdOf(approval);
    expect((await harness.store.getRequest(requestId))?.state).toBe("expired");
    const audit = await harness.store.listAudit({ requestId });
    expect(audit.map((e) => [e.kind, e.actor])).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.expired", "bot"],
    ]);
    expect(patches(harness)).toEqual([]);
  });

  it("Approve pressed after the deadline (before any sweep) is refused and nothing runs", async () => {
    const harness = await start({
      config: { approvals: { expiryMinutes: 0.02 } },
      expirySweepMs: 3_600_000,
    });
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    const requestId = requestIdOf(approval);
    const request = await harness.store.getRequest(requestId);
    await until(() => Date.now() > request!.expiresAt.getTime());

    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await harness.waitForReply(
      root.ts,
      (m) => m.text.includes("<@U_BOB> pressed Approve") && m.text.includes("expired"),
    );
    await harness.emulator.waitFor((m) => m.ephemeral_for === "U_BOB" && /expired/.test(m.text), WAIT_MS);
    await outcomeOf(harness, approval, /Expired at/);
    await harness.idle();
    expect(patches(harness)).toEqual([]);
    expect((await harness.store.getRequest(requestId))?.state).toBe("expired");
  });
});

describe("buttons that match nothing stored", () => {
  it("an Approve for an unknown request gets a clear answer and does nothing", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    // The same message, its buttons pointing at a request the bot never made (a stale or forged payload).
    const blocks = JSON.parse(
      JSON.stringify(approval.blocks).replaceAll(requestIdOf(approval), "act-doesnotexist"),
    );
    await harness.emulator.editMessage(CHANNEL, approval.ts, { blocks });
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    const told = await harness.emulator.waitFor((m) => m.ephemeral_for === "U_BOB", WAIT_MS);
    expect(told.text).toBe("This approval request is not known to the bot.");
    await harness.idle();
    expect(patches(harness)).toEqual([]);
    expect((await harness.store.listRequests())[0]?.state).toBe("requested");
  });

  it("a proposal for an unknown incident, or with broken data, gets a clear answer and does nothing", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    const actionId = scaleButtonId(step4)!;
    const withValue = (value: string) =>
      (step4.blocks ?? []).map((b) =>
        b.type === "actions"
          ? {
              ...b,
              elements: (b.elements as Record<string, unknown>[]).map((e) =>
                e.action_id === actionId ? { ...e, value } : e,
              ),
            }
          : b,
      );
    const incidentId = (await harness.store.listOpenIncidents())[0]!.id;
    const original = String(buttonOf(step4, actionId)?.value);

    await harness.emulator.editMessage(CHANNEL, step4.ts, {
      blocks: withValue(original.replace(incidentId, "inc-doesnotexist")),
    });
    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, actionId);
    const unknown = await harness.emulator.waitFor((m) => m.ephemeral_for === "U_ALICE", WAIT_MS);
    expect(unknown.text).toBe("This button belongs to an incident the bot does not know.");

    await harness.emulator.editMessage(CHANNEL, step4.ts, { blocks: withValue("{not json") });
    await harness.emulator.clickButton("U_BOB", CHANNEL, step4.ts, actionId);
    const broken = await harness.emulator.waitFor((m) => m.ephemeral_for === "U_BOB", WAIT_MS);
    expect(broken.text).toBe("This button's data is not valid; nothing was done.");

    await harness.emulator.editMessage(CHANNEL, step4.ts, {
      blocks: withValue(original.replace('"replicas":8', '"replicas":500')),
    });
    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, actionId);
    // Not the proposal the bot stored (issue 10): refused to the clicker before any validation.
    await until(() =>
      harness.emulator
        .ephemeralFor("U_ALICE")
        .some((m) => m.text.includes("does not match a fix the bot proposed")),
    );

    await harness.idle();
    expect(await harness.store.listRequests()).toEqual([]);
    expect(patches(harness)).toEqual([]);
  });
});
