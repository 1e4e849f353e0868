import { findRunbook } from "../../core/catalog.ts";
import type { Conclusion, Runbook } from "../../core/runbook.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { checkpointDurationSteps } from "./steps.ts";
import { CAUSE_TITLE, FIX_LINE } from "./texts.ts";
import { checkpointDurationRecovery } from "./verify.ts";

export const checkpointDurationRunbook: Runbook = {
  meta: findRunbook("checkpoint-duration")!,
  verify: checkpointDurationRecovery,
  steps: checkpointDurationSteps,
  conclude(results, _steps, config): Conclusion {
    const d = diagnosisOf(results, config);
    const title = CAUSE_TITLE[d.cause];
    return {
      summary: `${title.charAt(0).toUpperCase()}${title.slice(1)} — ${d.because}. Fix: ${FIX_LINE[d.cause]}`,
      severity: d.cause === "below-threshold" ? "ok" : "warning",
      // Every fix of this runbook is a code or configuration change: human steps, no buttons.
      suggestedActions: [],
      cause: d.cause,
      confidence: d.confidence,
      evidence: [d.because, ...d.notes],
      ...(d.openBranches.length > 0 ? { openBranches: d.openBranches.map((b) => CAUSE_TITLE[b]) } : {}),
    };
  },
};
