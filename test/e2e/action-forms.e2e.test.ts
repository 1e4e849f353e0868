/**
 * Modals, confirm dialogs and the post-incident button end to end: the real bot on the Slack
 * emulator (Socket Mode), the Kubernetes API test server through the real adapter.
 * - A rollback revision chosen in the modal (choices read from the deployment's rollout history)
 *   is requested, approved by a second person and sent as exactly one rollout-undo JSON patch.
 * - A replica count above actions.scaleTaskmanagers.maxReplicas comes back as
 *   `response_action: "errors"` on its block: the modal stays open and nothing is requested.
 * - High-risk proposal buttons carry a confirm dialog naming the change.
 * - "Write post-incident" on the status message posts the Markdown report into the thread.
 * No runbook of the harness's world proposes a rollback, so the rollback step is posted into the
 * incident's thread with the bot's own client and thread renderer (what a dlq-spike run posts).
 */
import { describe, expect, it } from "vitest";
import { findRunbook } from "../../src/core/catalog.ts";
import type { StepReport } from "../../src/core/runbook.ts";
import { ViewSubmissionRefused } from "../../src/sandbox/slack-emulator/index.ts";
import type { StoredMessage, StoredView } from "../../src/sandbox/slack-emulator/types.ts";
import { ACTION_FORM_CALLBACK_ID } from "../../src/slack/render/action-modal.ts";
import { APPROVE_ACTION_ID, proposalTraits, REPORT_ACTION_ID } from "../../src/slack/render/index.ts";
import { SlackThread } from "../../src/slack/slack-thread.ts";
import {
  buttonOf,
  CHANNEL,
  type Harness,
  harnessPerTest,
  startHarness,
  textOf,
  until,
  WAIT_MS,
} from "./harness.ts";

const DEPLOYMENT_PATH = "/apis/apps/v1/namespaces/flink/deployments/flink-taskmanager";

const start = harnessPerTest(startHarness);

const kubeWrites = (harness: Harness) =>
  harness.kube.requests
    .filter((r) => r.method !== "GET")
    .map(({ method, path, contentType, body }) => ({ method, path, contentType, body }));

type Json = Record<string, unknown>;

function inputBlocks(view: StoredView): Json[] {
  return view.blocks.filter((b) => b.type === "input") as Json[];
}

/** Posts Step 4 of a dlq-spike run proposing the rollback to revision 2 into the incident's thread. */
async function postRollbackStep(harness: Harness, channel: string, threadTs: string): Promise<StoredMessage> {
  const incident = (await harness.store.listOpenIncidents())[0]!;
  const step: StepReport = {
    id: "fix",
    title: "Step 4: Immediate fix",
    status: "warning",
    summary: "A deployment preceded the spike: roll it back.",
    durationMs: 3,
    findings: [
      {
        severity: "warning",
        title: "Option A: code bug — roll back the recent deployment",
        evidence: [],
        proposals: [
          {
            action: "rollback",
            label: "Roll back flink-taskmanager to revision 2 (flink-job:1.4.2)",
            params: { namespace: "flink", deployment: "flink-taskmanager", toRevision: 2, fromRevision: 3 },
          },
        ],
      },
    ],
  };
  const thread = new SlackThread({
    client: harness.bot.app.client,
    traits: proposalTraits(harness.config.approvals.riskTiers),
  });
  const meta = findRunbook("dlq-spike")!;
  await thread.postStep(channel, threadTs, step, {
    incidentId: incident.id,
    runbook: meta,
    alert: meta.alert,
    phase: "diagnosed",
    startedAt: incident.openedAt.toISOString(),
    fireCount: 1,
    progress: { done: 4, total: 5 },
  });
  return harness.emulator.waitFor(
    (m) => m.channel === channel && m.thread_ts === threadTs && m.text.includes("Step 4: Immediate fix"),
    WAIT_MS,
  );
}

describe("a rollback revision chosen in the modal", () => {
  it("is requested, approved, and sent as the rollout undo to that revision", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const step = await postRollbackStep(harness, CHANNEL, root.ts);
    expect(buttonOf(step, /^form:rollback/)?.text).toEqual({
      type: "plain_text",
      text: "Choose revision…",
      emoji: true,
    });

    const form = await harness.openForm(step, /^form:rollback/, "U_ALICE");
    expect(form.callback_id).toBe(ACTION_FORM_CALLBACK_ID);
    expect(textOf({ text: "", blocks: form.blocks } as unknown as StoredMessage)).toContain(
      'flink-taskmanager in namespace flink runs revision 3 (flink-job:1.4.3, "deploy 1.4.3")',
    );
    const [select] = inputBlocks(form);
    const element = select?.element as Json;
    expect(select?.block_id).toBe("toRevision");
    expect(element.type).toBe("static_select");
    // Newest first, the current revision left out, image and change-cause in each option.
    expect(
      (element.options as { text: { text: string }; value: string }[]).map((o) => [o.value, o.text.text]),
    ).toEqual([
      ["2", '2 · flink-job:1.4.2 · "deploy 1.4.2"'],
      ["1", '1 · flink-job:1.4.1 · "deploy 1.4.1"'],
    ]);
    expect((element.initial_option as Json).value).toBe("2");
    expect(JSON.parse(form.private_metadata)).toEqual({
      incidentId: (await harness.store.listOpenIncidents())[0]!.id,
      action: "rollback",
      params: { namespace: "flink", deployment: "flink-taskmanager", toRevision: 2, fromRevision: 3 },
      channel: { channelId: CHANNEL, channelName: "incidents" },
    });
    expect(harness.kube.requests.filter((r) => r.path.endsWith("/replicasets")).length).toBeGreaterThan(0);
    expect(kubeWrites(harness)).toEqual([]);

    const submitted = await harness.emulator.submitView("U_ALICE", form.id, { toRevision: "1" });
    expect(submitted.delivery.acked).toBe(true);
    expect(submitted.responseAction).toBeUndefined();
    expect(submitted.view).toBeUndefined();

    const approval = await harness.waitForReply(root.ts, (m) => buttonOf(m, APPROVE_ACTION_ID) !== undefined);
    expect(textOf(approval)).toContain(
      'rollback flink-taskmanager in flink: revision 3 (flink-job:1.4.3, "deploy 1.4.3") -&gt; revision 1 (flink-job:1.4.1, "deploy 1.4.1")',
    );
    const requestId = String(buttonOf(approval, APPROVE_ACTION_ID)?.value);
    expect(kubeWrites(harness)).toEqual([]);

    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await harness.emulator.waitFor(
      (m) =>
        m.ts === approval.ts && buttonOf(m, APPROVE_ACTION_ID) === undefined && /executed:/.test(textOf(m)),
      WAIT_MS,
    );
    await harness.idle();
    const writes = kubeWrites(harness);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      method: "PATCH",
      path: DEPLOYMENT_PATH,
      contentType: "application/json-patch+json",
    });
    const body = writes[0]?.body as { op: string; path: string; value: unknown }[];
    expect(body.map((op) => [op.op, op.path])).toEqual([
      ["replace", "/spec/template"],
      ["replace", "/metadata/annotations"],
    ]);
    expect(body[0]?.value).toMatchObject({
      spec: { containers: [{ name: "taskmanager", image: "flink-job:1.4.1" }] },
    });
    expect(body[1]?.value).toEqual({
      "deployment.kubernetes.io/revision": "3",
      "kubernetes.io/change-cause": "deploy 1.4.1",
    });
    expect(await harness.store.getRequest(requestId)).toMatchObject({
      state: "succeeded",
      requesterId: "U_ALICE",
      params: { namespace: "flink", deployment: "flink-taskmanager", toRevision: 1, fromRevision: 3 },
    });
    expect((await harness.store.listAudit({ requestId })).map((e) => [e.kind, e.actor])).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.approved", "U_BOB"],
      ["action.executing", "bot"],
      ["action.succeeded", "bot"],
    ]);
  });

  it("pressed outside the allowed channels, the form does not open: refused in the modal and the thread", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const elsewhere = await harness.emulator.postMessageAsUser("U_ALICE", "C_GENERAL", "looking into it");
    const step = await postRollbackStep(harness, "C_GENERAL", elsewhere.message.ts);
    const view = await harness.openForm(step, /^form:rollback/, "U_ALICE");
    expect(view.callback_id).not.toBe(ACTION_FORM_CALLBACK_ID);
    expect(inputBlocks(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain("buttons are not honoured in this channel");
    await harness.waitForReply(root.ts, (m) =>
      m.text.includes("<@U_ALICE> opened the form of *Roll back taskmanagers*: refused"),
    );
    await harness.idle();
    expect(await harness.store.listRequests({})).toEqual([]);
  });
});

describe.each(["socket", "http"] as const)("a replica count in the modal (%s)", (transport) => {
  it("above the configured maximum: errors on the field, the modal stays open, nothing is requested", async () => {
    const harness = await start({
      transport,
      config: { actions: { scaleTaskmanagers: { maxReplicas: 10 } } },
    });
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    const form = await harness.openForm(step4, /^form:scale-taskmanagers/, "U_ALICE");
    const [input] = inputBlocks(form);
    expect(input).toMatchObject({
      block_id: "replicas",
      optional: false,
      element: { type: "number_input", is_decimal_allowed: false, initial_value: "8" },
      hint: { text: "A whole number from 1 to 10 (actions.scaleTaskmanagers)." },
    });

    const tooMany = await harness.emulator.submitView("U_ALICE", form.id, { replicas: "11" });
    expect(tooMany.delivery.acked).toBe(true);
    expect(tooMany.responseAction).toBe("errors");
    expect(tooMany.errors).toEqual({ replicas: "replicas: 11 is outside the allowed 1..10" });
    expect(tooMany.view?.id).toBe(form.id);
    expect(harness.emulator.view(form.id)?.closed).toBe(false);

    // The Slack client itself refuses a decimal in a whole-number input: nothing reaches the bot.
    const deliveries = harness.emulator.deliveries.length;
    await expect(harness.emulator.submitView("U_ALICE", form.id, { replicas: "4.5" })).rejects.toBeInstanceOf(
      ViewSubmissionRefused,
    );
    expect(harness.emulator.deliveries.length).toBe(deliveries);

    await harness.idle();
    expect(await harness.store.listRequests({})).toEqual([]);
    expect(harness.botReplies(root.ts).some((m) => buttonOf(m, APPROVE_ACTION_ID) !== undefined)).toBe(false);
    expect(kubeWrites(harness)).toEqual([]);

    // Corrected in the same modal: it closes and the request is made.
    const fixed = await harness.emulator.submitView("U_ALICE", form.id, { replicas: "10" });
    expect(fixed.responseAction).toBeUndefined();
    expect(fixed.view).toBeUndefined();
    const approval = await harness.waitForReply(root.ts, (m) => buttonOf(m, APPROVE_ACTION_ID) !== undefined);
    expect(textOf(approval)).toContain("flink-taskmanager: 4 -&gt; 10 replicas");
    expect(kubeWrites(harness)).toEqual([]);
  });
});

describe("confirm dialogs", () => {
  it("high-risk proposal buttons ask before requesting; Preview and form buttons do not", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    const scale = buttonOf(step4, /^proposal:scale-taskmanagers/);
    expect(scale?.confirm).toEqual({
      title: { type: "plain_text", text: "Scale taskmanagers?", emoji: true },
      text: {
        type: "plain_text",
        text: "Request: Scale taskmanagers 4 -> 8.\n\nThis posts an approval request (high risk: nothing changes until another authorised person approves it).",
        emoji: true,
      },
      confirm: { type: "plain_text", text: "Request it", emoji: true },
      deny: { type: "plain_text", text: "Cancel", emoji: true },
      style: "danger",
    });
    expect(buttonOf(step4, /^preview:/)?.confirm).toBeUndefined();
    expect(buttonOf(step4, /^form:/)?.confirm).toBeUndefined();

    const step = await postRollbackStep(harness, CHANNEL, root.ts);
    const rollback = buttonOf(step, /^proposal:rollback/);
    const confirm = rollback?.confirm as { style?: string; text?: { text?: string } } | undefined;
    expect(confirm?.style).toBe("danger");
    expect(confirm?.text?.text).toContain(
      "Request: Roll back flink-taskmanager to revision 2 (flink-job:1.4.2).",
    );
  });

  it("a proposal the config lowers to low risk has none", async () => {
    const harness = await start({
      config: { approvals: { riskTiers: { "scale-taskmanagers": "low" } } },
    });
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => m.text.includes("Step 4: Fix"));
    expect(buttonOf(step4, /^proposal:scale-taskmanagers/)).toBeDefined();
    expect(buttonOf(step4, /^proposal:scale-taskmanagers/)?.confirm).toBeUndefined();
  });
});

describe("Write post-incident", () => {
  it("on the status message, posts the Markdown report into the thread as a file", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const status = harness.botReplies(root.ts)[0]!;
    const incident = (await harness.store.listOpenIncidents())[0]!;
    expect(buttonOf(status, REPORT_ACTION_ID)).toMatchObject({
      text: { text: "Write post-incident" },
      value: incident.id,
    });

    await harness.emulator.clickButton("U_BOB", CHANNEL, status.ts, REPORT_ACTION_ID);
    const filename = `incident-${incident.id}.md`;
    const uploadOf = () => {
      const call = harness.emulator
        .callsTo("files.getUploadURLExternal")
        .find((c) => c.body.filename === filename);
      return call ? harness.emulator.state.files.get(String(call.response.file_id)) : undefined;
    };
    await until(() => uploadOf()?.completed === true);
    await harness.idle();
    const stored = uploadOf();
    expect(stored).toMatchObject({ channel: CHANNEL, threadTs: root.ts, completed: true });
    const markdown = stored!.bytes!.toString("utf8");
    expect(markdown).toContain(`# Date: ${incident.openedAt.toISOString().slice(0, 10)}`);
    expect(markdown).toMatch(/^# Issue: kafka-consumer-lag-high \(Consumer Lag High\): lag /m);
    const audit = await harness.store.listAudit({ incidentId: incident.id });
    expect(
      audit.filter((e) => e.kind === "report.written").map((e) => [e.actor, e.details.filename]),
    ).toEqual([["U_BOB", filename]]);
    await harness.emulator.waitFor(
      (m) =>
        m.channel === CHANNEL &&
        m.thread_ts === root.ts &&
        m.subtype === "file_share" &&
        JSON.stringify(m.files ?? []).includes(filename),
      WAIT_MS,
    );
  });
});
