/**
 * The approval policy end to end, on the real bot and the Slack emulator: risk tiers (low executes
 * on the requester's click; critical needs two distinct approvers, a person counts once), the
 * kill switch (`/runbook freeze` / `unfreeze`, kept across a restart; the config's actions.frozen),
 * the channel allow-list, approvers from Slack user groups (looked up, cached for a minute), the
 * Preview button, and stale buttons.
 */
import { describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/sandbox/slack-emulator/types.ts";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
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

const writes = (harness: Harness) => harness.kube.requests.filter((r) => r.method !== "GET");
const tier = (t: "low" | "high" | "critical") => ({ approvals: { riskTiers: { "scale-taskmanagers": t } } });

function requestIdOf(approval: StoredMessage): string {
  const value = buttonOf(approval, APPROVE_ACTION_ID)?.value;
  if (typeof value !== "string") throw new Error("no Approve button");
  return value;
}

/** Waits until the message `ts` (edits included) satisfies `predicate`. */
function messageNow(harness: Harness, ts: string, predicate: (m: StoredMessage) => boolean) {
  return harness.emulator.waitFor((m) => m.channel === CHANNEL && m.ts === ts && predicate(m), WAIT_MS);
}

async function auditKinds(harness: Harness, requestId: string) {
  return (await harness.store.listAudit({ requestId })).map((e) => [e.kind, e.actor]);
}

describe("risk tiers", () => {
  it("critical: one approval is recorded and shown (1 of 2), the second distinct approver executes it once", async () => {
    const harness = await start({ config: tier("critical"), approvers: ["U_ALICE", "U_BOB", "U_CAROL"] });
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    const requestId = requestIdOf(approval);
    expect(textOf(approval)).toContain("Risk: :red_circle: critical");
    expect(textOf(approval)).toContain("Approvals: 0 of 2");

    // The same approver twice at once: counted once, nothing runs.
    await Promise.all([
      harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID),
      harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID),
    ]);
    await messageNow(harness, approval.ts, (m) => textOf(m).includes("Approvals: 1 of 2"));
    await harness.idle();
    const partial = await harness.store.getRequest(requestId);
    expect(partial?.state).toBe("requested");
    expect(partial?.approvals.map((a) => a.by)).toEqual(["U_BOB"]);
    expect(writes(harness)).toEqual([]);
    await harness.waitForReply(
      root.ts,
      (m) => m.text.includes("<@U_BOB> approved") && m.text.includes("(1 of 2)"),
    );
    await harness.emulator.waitFor(
      (m) => m.ephemeral_for === "U_BOB" && /already approved/.test(m.text),
      WAIT_MS,
    );
    // The requester cannot be the second approver of a critical request.
    await harness.emulator.clickButton("U_ALICE", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await harness.waitForReply(
      root.ts,
      (m) => m.text.includes("<@U_ALICE> pressed Approve") && /own request/.test(m.text),
    );
    expect(writes(harness)).toEqual([]);

    await harness.emulator.clickButton("U_CAROL", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    const done = await messageNow(
      harness,
      approval.ts,
      (m) => buttonOf(m, APPROVE_ACTION_ID) === undefined && /executed:/.test(textOf(m)),
    );
    await harness.idle();
    expect(textOf(done)).toMatch(/Approved by (<@)?U_BOB>?, (<@)?U_CAROL>?/);
    expect(writes(harness)).toHaveLength(1);
    expect(writes(harness)[0]).toMatchObject({
      method: "PATCH",
      path: SCALE_PATH,
      body: { spec: { replicas: 8 } },
    });
    const kinds = await auditKinds(harness, requestId);
    expect(kinds.filter(([k]) => k !== "action.refused")).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.approval-recorded", "U_BOB"],
      ["action.approved", "U_CAROL"],
      ["action.executing", "bot"],
      ["action.succeeded", "bot"],
    ]);
    expect(kinds.filter(([k]) => k === "action.refused").map(([, a]) => a)).toContain("U_ALICE");
  });

  it("critical: two distinct approvers clicking at the same moment execute it once", async () => {
    const harness = await start({ config: tier("critical"), approvers: ["U_ALICE", "U_BOB", "U_CAROL"] });
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    await Promise.all(
      ["U_BOB", "U_CAROL", "U_BOB", "U_CAROL"].map((u) =>
        harness.emulator.clickButton(u, CHANNEL, approval.ts, APPROVE_ACTION_ID),
      ),
    );
    await messageNow(harness, approval.ts, (m) => /executed:/.test(textOf(m)));
    await harness.idle();
    expect(writes(harness)).toHaveLength(1);
    const kinds = (await auditKinds(harness, requestIdOf(approval))).map(([k]) => k);
    expect(kinds.filter((k) => k === "action.approval-recorded")).toHaveLength(1);
    expect(kinds.filter((k) => k === "action.approved")).toHaveLength(1);
    expect(kinds.filter((k) => k === "action.executing")).toHaveLength(1);
  });

  it("critical: a request nobody could approve twice is refused up front", async () => {
    const harness = await start({ config: tier("critical") }); // U_ALICE and U_BOB only
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, scaleButtonId(step4)!);
    await harness.waitForReply(root.ts, (m) =>
      m.text.includes("refused, fewer than two other approvers are configured"),
    );
    await harness.idle();
    expect(await harness.store.listRequests()).toEqual([]);
  });

  it("critical: a partial approval still expires; the message says it lacked enough approvals", async () => {
    const harness = await start({
      config: {
        ...tier("critical"),
        approvals: { riskTiers: { "scale-taskmanagers": "critical" }, expiryMinutes: 0.1 },
      },
      approvers: ["U_ALICE", "U_BOB", "U_CAROL"],
      expirySweepMs: 100,
    });
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    const done = await messageNow(harness, approval.ts, (m) => /Expired at/.test(textOf(m)));
    expect(textOf(done)).toContain("without enough approvals");
    await harness.idle();
    expect(writes(harness)).toEqual([]);
    const kinds = await auditKinds(harness, requestIdOf(approval));
    expect(kinds.at(-1)).toEqual(["action.expired", "bot"]);
  });

  it("low: the requester's own click executes it, once, and every step is in the thread and the audit", async () => {
    const harness = await start({ config: tier("low") });
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    await Promise.all([
      harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, scaleButtonId(step4)!),
      harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, scaleButtonId(step4)!),
    ]);
    const done = await harness.waitForReply(root.ts, (m) => /executed:/.test(textOf(m)));
    await harness.idle();
    expect(buttonOf(done, APPROVE_ACTION_ID)).toBeUndefined();
    expect(textOf(done)).toContain("Risk: :large_green_circle: low");
    expect(writes(harness)).toHaveLength(1);
    const requests = await harness.store.listRequests();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ state: "succeeded", requesterId: "U_ALICE", decidedBy: "U_ALICE" });
    expect(await auditKinds(harness, requests[0]!.id)).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.approved", "U_ALICE"],
      ["action.executing", "bot"],
      ["action.succeeded", "bot"],
    ]);
    await harness.waitForReply(root.ts, (m) => m.text.includes("<@U_ALICE> requested and approved"));
    await harness.waitForReply(root.ts, (m) => m.text.startsWith(":white_check_mark: Done:"));
  });

  it("low: a person who is not authorised cannot execute it with one click", async () => {
    const harness = await start({ config: tier("low") });
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    await harness.emulator.clickButton("U_CAROL", CHANNEL, step4.ts, scaleButtonId(step4)!);
    await harness.waitForReply(
      root.ts,
      (m) => m.text.includes("<@U_CAROL> asked for") && m.text.includes("refused"),
    );
    await harness.idle();
    expect(writes(harness)).toEqual([]);
    expect(await harness.store.listRequests()).toEqual([]);
  });
});

describe("the kill switch", () => {
  it("/runbook freeze makes requests preview-only and Approve refused; it survives a restart; /runbook unfreeze restores", async () => {
    const harness = await start();
    // Only authorised people may freeze: refused, said in the channel, audited.
    const stranger = await harness.emulator.slashCommand("U_CAROL", CHANNEL, "/runbook freeze");
    expect(stranger.acked).toBe(true);
    await harness.emulator.waitFor(
      (m) => m.channel === CHANNEL && m.text.includes("<@U_CAROL> typed `/runbook freeze`: refused"),
      WAIT_MS,
    );
    expect((await harness.store.getSetting("actions.frozen"))?.value).toBeUndefined();

    await harness.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook freeze broker maintenance");
    await harness.emulator.waitFor(
      (m) =>
        m.channel === CHANNEL &&
        m.text.includes("<@U_ALICE> froze all actions") &&
        m.text.includes("broker maintenance"),
      WAIT_MS,
    );
    await harness.restartBot(); // kept in the store

    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    expect(textOf(approval)).toContain("Frozen: preview only.");
    expect(textOf(approval)).toContain("flink-taskmanager: 4 -&gt; 8 replicas");
    await harness.waitForReply(root.ts, (m) => m.text.includes("shown as a preview only"));

    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await harness.waitForReply(
      root.ts,
      (m) => m.text.includes("<@U_BOB> pressed Approve") && m.text.includes("frozen"),
    );
    await harness.emulator.waitFor((m) => m.ephemeral_for === "U_BOB" && /frozen/.test(m.text), WAIT_MS);
    await harness.idle();
    expect(writes(harness)).toEqual([]);
    const requestId = requestIdOf(approval);
    expect((await harness.store.getRequest(requestId))?.state).toBe("requested");

    await harness.emulator.slashCommand("U_BOB", CHANNEL, "/runbook unfreeze");
    await harness.emulator.waitFor(
      (m) => m.channel === CHANNEL && m.text.includes("<@U_BOB> unfroze actions"),
      WAIT_MS,
    );
    // The pending request's message is redrawn without the banner.
    await messageNow(
      harness,
      approval.ts,
      (m) => !textOf(m).includes("Frozen") && buttonOf(m, APPROVE_ACTION_ID) !== undefined,
    );
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await messageNow(harness, approval.ts, (m) => /executed:/.test(textOf(m)));
    await harness.idle();
    expect(writes(harness)).toHaveLength(1);

    const audit = await harness.store.listAudit();
    expect(
      audit.filter((e) => e.kind.startsWith("actions.")).map((e) => [e.kind, e.actor, e.details.reason]),
    ).toEqual([
      ["actions.frozen", "U_ALICE", "broker maintenance"],
      ["actions.unfrozen", "U_BOB", undefined],
    ]);
    expect(
      audit.some(
        (e) => e.kind === "action.refused" && e.actor === "U_CAROL" && e.details.attempted === "freeze",
      ),
    ).toBe(true);
    expect(
      audit.some(
        (e) => e.kind === "action.refused" && e.actor === "U_BOB" && /frozen/.test(String(e.details.reason)),
      ),
    ).toBe(true);
  });

  it("the config's actions.frozen cannot be lifted with /runbook unfreeze; a low-risk click does not execute", async () => {
    const harness = await start({ config: { ...tier("low"), actions: { frozen: true } } });
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    expect(textOf(approval)).toContain("Frozen: preview only.");
    const unfreeze = await harness.emulator.slashCommand("U_BOB", CHANNEL, "/runbook unfreeze");
    expect(unfreeze.acked).toBe(true);
    await harness.emulator.waitFor(
      (m) => m.ephemeral_for === "U_BOB" && m.text.includes("stay frozen by the config"),
      WAIT_MS,
    );
    await harness.emulator.clickButton("U_ALICE", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await harness.waitForReply(
      root.ts,
      (m) => m.text.includes("<@U_ALICE> pressed Approve") && m.text.includes("frozen by the config"),
    );
    await harness.idle();
    expect(writes(harness)).toEqual([]);
    expect((await harness.store.getRequest(requestIdOf(approval)))?.state).toBe("requested");
  });
});

describe("where buttons are honoured", () => {
  it("a fix button pressed in a channel that is not allowed is refused, told, logged in the thread and audited", async () => {
    const harness = await start();
    // An on-demand run in #general: its diagnosis is posted there, but fixes are not honoured there.
    await harness.emulator.slashCommand("U_ALICE", "C_GENERAL", "/runbook lag");
    const step4 = await harness.emulator.waitFor(
      (m) =>
        m.channel === "C_GENERAL" &&
        m.thread_ts !== undefined &&
        m.ts !== m.thread_ts &&
        m.text.includes("Step 4: Fix"),
      WAIT_MS,
    );
    await harness.idle();
    await harness.emulator.clickButton("U_ALICE", "C_GENERAL", step4.ts, scaleButtonId(step4)!);
    await harness.emulator.waitFor(
      (m) => m.ephemeral_for === "U_ALICE" && m.text.includes("not honoured in this channel"),
      WAIT_MS,
    );
    await harness.emulator.waitFor(
      (m) =>
        m.channel === "C_GENERAL" &&
        m.thread_ts === step4.thread_ts &&
        m.text.includes("<@U_ALICE> asked for *Scale taskmanagers*: refused, buttons are not honoured"),
      WAIT_MS,
    );
    await harness.idle();
    expect(await harness.store.listRequests()).toEqual([]);
    expect(writes(harness)).toEqual([]);
    const refused = (await harness.store.listAudit()).filter((e) => e.kind === "action.refused");
    expect(refused.map((e) => [e.actor, e.details.channel, e.details.channelName])).toEqual([
      ["U_ALICE", "C_GENERAL", "general"],
    ]);
  });

  it("approvals.channels narrows the allow-list: Approve in the incident channel is refused when it is not listed", async () => {
    const harness = await start({ config: { approvals: { channels: ["general"] } } });
    const root = await harness.runAlert("consumer-lag");
    const incident = (await harness.store.listOpenIncidents())[0]!;
    const outcome = await harness.bot.service.requestAction({
      incidentId: incident.id,
      proposal: {
        action: "scale-taskmanagers",
        params: { namespace: "flink", deployment: "flink-taskmanager", replicas: 8 },
      },
      userId: "U_ALICE",
    });
    expect(outcome.ok).toBe(true);
    const approval = await harness.waitForReply(root.ts, (m) => buttonOf(m, APPROVE_ACTION_ID) !== undefined);
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await harness.waitForReply(
      root.ts,
      (m) => m.text.includes("<@U_BOB> pressed Approve") && m.text.includes("not honoured"),
    );
    await harness.idle();
    expect(writes(harness)).toEqual([]);
    expect((await harness.store.getRequest(requestIdOf(approval)))?.state).toBe("requested");
  });
});

describe("approvers from Slack user groups", () => {
  it("members of approvals.usergroups approve (usergroups.users.list), and membership is cached briefly", async () => {
    // Nobody is listed by id: S_ONCALL (alice, bob) decides who may ask and approve.
    const harness = await start({ approvers: [], usergroups: ["S_ONCALL"] });
    const lookups = () => harness.emulator.callsTo("usergroups.users.list");
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE"); // a member may ask
    expect(lookups().map((c) => [c.body.usergroup, c.response.users])).toEqual([
      ["S_ONCALL", ["U_ALICE", "U_BOB"]],
    ]);

    // Carol is not a member: refused, said in the thread, told, nothing runs; the cached members
    // are used (no second lookup).
    await harness.emulator.clickButton("U_CAROL", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await harness.waitForReply(
      root.ts,
      (m) => m.text.includes("<@U_CAROL> pressed Approve") && m.text.includes("not an authorised approver"),
    );
    await harness.emulator.waitFor(
      (m) => m.ephemeral_for === "U_CAROL" && m.text === "Refused: not an authorised approver.",
      WAIT_MS,
    );
    expect(lookups()).toHaveLength(1);

    // Carol joins the group in Slack. Within the cache's minute the bot still uses what it read.
    harness.emulator.state.usergroups.get("S_ONCALL")?.users.push("U_CAROL");
    await harness.emulator.clickButton("U_CAROL", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await until(async () => {
      const refused = (await auditKinds(harness, requestIdOf(approval))).filter(
        ([k, a]) => k === "action.refused" && a === "U_CAROL",
      );
      return refused.length === 2;
    });
    expect(lookups()).toHaveLength(1);
    expect(writes(harness)).toEqual([]);

    // A minute later the membership is read again: Carol's approval counts and the scale runs once.
    // (The bot's clock moves on; the system clock is not stepped back and forth under the bot.)
    harness.clock.advance(61_000);
    await harness.emulator.clickButton("U_CAROL", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await until(() => lookups().length === 2, WAIT_MS);
    expect(lookups()[1]?.response.users).toEqual(["U_ALICE", "U_BOB", "U_CAROL"]);
    await messageNow(harness, approval.ts, (m) => /executed:/.test(textOf(m)));
    await harness.idle();
    expect(writes(harness)).toEqual([
      expect.objectContaining({ method: "PATCH", path: SCALE_PATH, body: { spec: { replicas: 8 } } }),
    ]);
    const kinds = await auditKinds(harness, requestIdOf(approval));
    expect(kinds.filter(([k]) => k !== "action.refused")).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.approved", "U_CAROL"],
      ["action.executing", "bot"],
      ["action.succeeded", "bot"],
    ]);
  });
});

describe("the Preview button", () => {
  it("shows the exact change to the clicker only, creates no request and writes nothing", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    const preview = buttonOf(step4, /^preview:scale-taskmanagers/);
    expect(preview?.text).toEqual({ type: "plain_text", text: "Preview", emoji: true });
    expect(preview?.value).toBe(buttonOf(step4, /^proposal:scale-taskmanagers/)?.value);
    const before = harness.botReplies(root.ts).length;

    await harness.emulator.clickButton("U_CAROL", CHANNEL, step4.ts, String(preview?.action_id));
    const shown = await harness.emulator.waitFor((m) => m.ephemeral_for === "U_CAROL", WAIT_MS);
    expect(shown.text).toContain(
      "*Preview* of *Scale taskmanagers* (nothing was executed and no request was made)",
    );
    expect(shown.text).toContain("flink-taskmanager: 4 -> 8 replicas in namespace flink");
    expect(shown.text).toContain("Risk: high risk: a second person approves.");
    await harness.idle();
    expect(await harness.store.listRequests()).toEqual([]);
    expect(writes(harness)).toEqual([]);
    expect(harness.botReplies(root.ts)).toHaveLength(before);
    const previewed = (await harness.store.listAudit()).filter((e) => e.kind === "action.previewed");
    expect(previewed.map((e) => [e.actor, e.details.action, e.details.preview])).toEqual([
      ["U_CAROL", "scale-taskmanagers", "flink-taskmanager: 4 -> 8 replicas in namespace flink"],
    ]);
  });
});

describe("stale buttons", () => {
  it("an Approve button shown again after execution (an old client) is refused and executes nothing", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    const done = await messageNow(harness, approval.ts, (m) => /executed:/.test(textOf(m)));
    await harness.idle();
    // Used buttons were replaced by the outcome: nobody can press them in Slack any more.
    expect(buttonOf(done, APPROVE_ACTION_ID)).toBeUndefined();
    // A stale copy of the old message, pressed anyway.
    await harness.emulator.editMessage(CHANNEL, approval.ts, { blocks: approval.blocks ?? [] });
    await harness.emulator.clickButton("U_CAROL", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await until(() =>
      harness.emulator.ephemeralFor("U_BOB").some((m) => m.text.includes("request is already final")),
    );
    await harness.idle();
    expect(writes(harness)).toHaveLength(1);
    const kinds = (await auditKinds(harness, requestIdOf(approval))).map(([k]) => k);
    expect(kinds.filter((k) => k === "action.executing")).toHaveLength(1);
  });
});
