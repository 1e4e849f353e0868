import { findRunbook } from "../../core/catalog.ts";
import type { Proposal } from "../../core/finding.ts";
import { type Conclusion, type Runbook, read } from "../../core/runbook.ts";
import { stateRisk } from "./post-incident-step.ts";
import { checkpointsProbe } from "./probes.ts";
import {
  CAUSE_TITLE,
  checkpointFailureSteps,
  deletePodsProposal,
  diagnosisOf,
  FIX_LINE,
  growPvcProposal,
} from "./steps.ts";
import { checkpointFailureRecovery } from "./verify.ts";
import { triggerProposal } from "./verify-step.ts";

export const checkpointFailureRunbook: Runbook = {
  meta: findRunbook("checkpoint-failure")!,
  verify: checkpointFailureRecovery,
  steps: checkpointFailureSteps,
  conclude(results, _steps, config): Conclusion {
    const d = diagnosisOf(results, config);
    const actions: Proposal[] = [];
    if (d.cause === "disk-full") {
      const grow = growPvcProposal(results, config);
      if (grow) actions.push(grow);
      actions.push(deletePodsProposal(config));
    }
    if (d.cause !== "recovered" && d.cause !== "job-down") {
      const trigger = triggerProposal(results);
      if (trigger) actions.push(trigger);
    }
    const checkpoints = read(results, checkpointsProbe);
    // The same judgement as Step 5's, so the two never disagree.
    const r = stateRisk(results, config);
    const risk = d.cause !== "recovered" && r.atRisk && r.conclusion !== "" ? ` ${r.conclusion.trim()}` : "";
    const severity =
      d.cause === "recovered"
        ? "ok"
        : d.cause === "unknown" && checkpoints === undefined
          ? "warning"
          : "critical";
    return {
      summary: `${capitalise(CAUSE_TITLE[d.cause])} — ${d.because}. Fix: ${FIX_LINE[d.cause]}${risk}`,
      severity,
      suggestedActions: actions,
      cause: d.cause,
      confidence: d.confidence,
      evidence: [d.because, ...d.notes],
      ...(d.openBranches.length > 0 ? { openBranches: d.openBranches.map((b) => CAUSE_TITLE[b]) } : {}),
    };
  },
};

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
