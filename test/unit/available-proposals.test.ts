import { describe, expect, it } from "vitest";
import type { StepReport } from "../../src/core/runbook.ts";
import {
  conclusionWithAvailableProposals,
  stepWithAvailableProposals,
} from "../../src/slack/available-proposals.ts";

const scale = {
  action: "scale-taskmanagers",
  label: "Scale taskmanagers 4 -> 8",
  params: { namespace: "flink", deployment: "flink-taskmanager", replicas: 8 },
};
// An action id the registry does not have.
const reboot = {
  action: "not-an-action",
  label: "Reboot broker 2",
  params: { clusterArn: "arn:x", brokerId: 2 },
};

describe("proposals without a runnable action", () => {
  it("stay buttons when the action exists, and become a line of text otherwise", () => {
    const step: StepReport = {
      id: "fix",
      title: "Step 2: Action",
      status: "info",
      summary: "",
      durationMs: 0,
      findings: [{ severity: "warning", title: "One broker down", evidence: [], proposals: [scale, reboot] }],
    };
    const out = stepWithAvailableProposals(step);
    expect(out.findings[0]!.proposals).toEqual([scale]);
    expect(out.findings[0]!.evidence).toEqual([
      {
        kind: "markdown",
        text: "Fix to run by hand (no button for it yet): Reboot broker 2 (clusterArn=arn:x, brokerId=2)",
      },
    ]);
  });

  it("are split the same way in the conclusion", () => {
    const { conclusion, manual } = conclusionWithAvailableProposals({
      summary: "s",
      severity: "warning",
      suggestedActions: [reboot, scale],
    });
    expect(conclusion.suggestedActions).toEqual([scale]);
    expect(manual).toEqual(["Reboot broker 2 (clusterArn=arn:x, brokerId=2)"]);
  });
});
