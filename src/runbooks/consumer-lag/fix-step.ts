/** Step 4 (Fix): the fix for the cause found, with the scale-taskmanagers proposal. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, type Proposal } from "../../core/finding.ts";
import type { ProbeResults, StepAssessment } from "../../core/runbook.ts";
import { cannotScaleText, scaleProposal } from "../scale-proposal.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { CAUSE_TITLE, FIX_TEXT } from "./texts.ts";

export function assessFix(results: ProbeResults, config: AppConfig): StepAssessment {
  const diagnosis = diagnosisOf(results, config);
  const proposals: Proposal[] = [];
  const findings: Finding[] = [];
  if (diagnosis.cause === "resource") {
    const p = scaleProposal(results, config);
    if (p) proposals.push(p);
    else {
      findings.push(
        finding("warning", "Cannot propose scaling", {
          detail: cannotScaleText(config),
        }),
      );
    }
  }
  findings.unshift(
    finding(
      diagnosis.cause === "resource" && proposals.length > 0 ? "warning" : "info",
      CAUSE_TITLE[diagnosis.cause],
      {
        detail: FIX_TEXT[diagnosis.cause],
        proposals,
      },
    ),
  );
  return {
    status: "info",
    summary:
      proposals.length > 0
        ? `Proposed: ${proposals.map((p) => p.label).join(", ")}.`
        : FIX_TEXT[diagnosis.cause],
    findings,
  };
}
