/**
 * Proposal buttons with the actions' traits: a confirm dialog naming the change on high and
 * critical risk proposals (the tier from the registry, or the config's approvals.riskTiers), a
 * form button next to actions that take a value, and the proposal's own button opening the form
 * when the runbook could not compute the value.
 */
import { describe, expect, it } from "vitest";
import type { Proposal } from "../../../src/core/finding.ts";
import { proposalTraits, renderStepMessage } from "../../../src/slack/render/index.ts";
import { proposalButtons, proposalConfirm } from "../../../src/slack/render/proposal-buttons.ts";
import { validateBlockKit } from "./block-kit-check.ts";

const ROLLBACK: Proposal = {
  action: "rollback",
  label: "Roll back flink-taskmanager to revision 2 (flink-job:1.4.2)",
  params: { namespace: "flink", deployment: "flink-taskmanager", toRevision: 2, fromRevision: 3 },
};
const CHECKPOINT: Proposal = {
  action: "trigger-checkpoint",
  label: "Trigger a checkpoint",
  params: { jobId: "j" },
};
const RESTART: Proposal = {
  action: "restart-taskmanagers",
  label: "Restart taskmanagers",
  params: { namespace: "flink", deployment: "flink-taskmanager" },
};
const REBOOT: Proposal = {
  action: "reboot-broker",
  label: "Reboot broker 2",
  params: { clusterArn: "arn", brokerId: 2 },
};

const ids = (proposals: Proposal[], traits = proposalTraits()) =>
  proposalButtons(proposals, "inc-1", traits).buttons.map((b) => [
    b.action_id,
    b.text.text,
    b.confirm?.style ?? null,
  ]);

describe("proposal buttons", () => {
  it("high and critical risk proposals ask for confirmation; low risk, Preview and form buttons do not", () => {
    expect(ids([ROLLBACK])).toEqual([
      ["proposal:rollback:0", ROLLBACK.label, "danger"],
      ["preview:rollback:0", "Preview", null],
      ["form:rollback:0", "Choose revision…", null],
    ]);
    expect(ids([CHECKPOINT])).toEqual([
      ["proposal:trigger-checkpoint:0", "Trigger a checkpoint", null],
      ["preview:trigger-checkpoint:0", "Preview", null],
    ]);
    expect(ids([RESTART, REBOOT])).toEqual([
      ["proposal:restart-taskmanagers:0", "Restart taskmanagers", "danger"],
      ["preview:restart-taskmanagers:0", "Preview: Restart taskmanagers", null],
      ["proposal:reboot-broker:1", "Reboot broker 2", "danger"],
      ["preview:reboot-broker:1", "Preview: Reboot broker 2", null],
      ["form:reboot-broker:1", "Choose broker: Reboot broker 2", null],
    ]);
  });

  it("the config's tiers decide: restart lowered to low has no dialog, trigger-checkpoint raised has one", () => {
    const traits = proposalTraits({ "restart-taskmanagers": "low", "trigger-checkpoint": "critical" });
    expect(ids([RESTART], traits)[0]?.[2]).toBeNull();
    expect(ids([CHECKPOINT], traits)[0]?.[2]).toBe("danger");
  });

  it("the dialog names the change and the approvals it needs, within Slack's limits", () => {
    const [button] = proposalButtons([REBOOT], "inc-1").buttons;
    expect(button?.confirm).toEqual({
      title: { type: "plain_text", text: "Reboot MSK broker?", emoji: true },
      text: {
        type: "plain_text",
        text: "Request: Reboot broker 2.\n\nThis posts an approval request (critical risk: nothing changes until two other authorised people approve it).",
        emoji: true,
      },
      confirm: { type: "plain_text", text: "Request it", emoji: true },
      deny: { type: "plain_text", text: "Cancel", emoji: true },
      style: "danger",
    });
    const long = proposalConfirm("x".repeat(400), { title: "T".repeat(150), risk: "high" });
    expect(long?.title.text.length).toBeLessThanOrEqual(100);
    expect(long?.text.text.length).toBeLessThanOrEqual(300);
    expect(proposalConfirm("x", { risk: "low" })).toBeUndefined();
    expect(proposalConfirm("x", {})).toBeUndefined();
  });

  it("without the value, the proposal's own button opens the form and there is nothing to preview", () => {
    const scale: Proposal = {
      action: "scale-taskmanagers",
      label: "Scale taskmanagers",
      params: { namespace: "flink", deployment: "flink-taskmanager" },
    };
    expect(ids([scale])).toEqual([["form:scale-taskmanagers:0", "Scale taskmanagers", null]]);
  });

  it("a step message with dialogs and form buttons stays within Block Kit's limits", () => {
    const msg = renderStepMessage(
      {
        id: "fix",
        title: "Step 4",
        status: "warning",
        summary: "fix",
        durationMs: 1,
        findings: [
          { severity: "warning", title: "fix", evidence: [], proposals: [ROLLBACK, RESTART, REBOOT] },
        ],
      },
      { runbookTitle: "DLQ Spike", incidentId: "inc-1" },
    );
    expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
  });
});
