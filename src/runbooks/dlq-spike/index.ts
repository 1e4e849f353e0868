import { findRunbook } from "../../core/catalog.ts";
import { formatCount } from "../../core/metric-math.ts";
import type { Conclusion, Runbook } from "../../core/runbook.ts";
import { BRANCH_TITLE } from "./diagnose.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { rollbackProposal } from "./fix-step.ts";
import { dlqSignals } from "./signals.ts";
import { dlqSpikeSteps } from "./steps.ts";
import { dlqSpikeRecovery } from "./verify.ts";

export const dlqSpikeRunbook: Runbook = {
  meta: findRunbook("dlq-spike")!,
  verify: dlqSpikeRecovery,
  steps: dlqSpikeSteps,
  conclude(results, _steps, config): Conclusion {
    const d = diagnosisOf(results, config);
    const signals = dlqSignals(results, config);
    const rate =
      signals.latestRate === undefined ? "DLQ rate unknown" : `DLQ at ${formatCount(signals.latestRate)}/min`;
    const proposal = d.cause === "parse-error-deployment" ? rollbackProposal(results, config) : undefined;
    const severity =
      d.cause === "below-threshold"
        ? "ok"
        : d.cause === "unknown" || d.cause === "mixed"
          ? "warning"
          : "critical";
    return {
      summary: `${rate} (threshold ${signals.threshold}/min). Likely cause: ${BRANCH_TITLE[d.cause]} — ${d.because}.`,
      severity,
      suggestedActions: proposal ? [proposal] : [],
      cause: d.cause,
      confidence: d.confidence,
      evidence: d.evidence,
      ...(d.openBranches.length > 0 ? { openBranches: d.openBranches } : {}),
    };
  },
};
