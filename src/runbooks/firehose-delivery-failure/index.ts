import { findRunbook } from "../../core/catalog.ts";
import type { Conclusion, Runbook } from "../../core/runbook.ts";
import { bufferingProposal } from "./cause-step.ts";
import { CAUSE_TITLE } from "./diagnose.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { firehoseSignals } from "./signals.ts";
import { firehoseDeliveryFailureSteps } from "./steps.ts";
import { firehoseRecovery } from "./verify.ts";

export const firehoseDeliveryFailureRunbook: Runbook = {
  meta: findRunbook("firehose-delivery-failure")!,
  verify: firehoseRecovery,
  steps: firehoseDeliveryFailureSteps,
  conclude(results, _steps, config): Conclusion {
    const d = diagnosisOf(results);
    const s = firehoseSignals(results);
    const proposal = bufferingProposal(results, d.cause);
    const state = [
      s.status === undefined
        ? `${config.pipeline.deliveryStream} not described`
        : `${config.pipeline.deliveryStream} ${s.status}`,
      s.latestSuccess === undefined ? "success rate unknown" : `success rate ${s.latestSuccess.toFixed(2)}`,
    ].join(", ");
    return {
      summary: `${state}. Likely cause: ${CAUSE_TITLE[d.cause]} — ${d.because}.`,
      severity: d.cause === "delivering" ? "ok" : d.cause === "unknown" ? "warning" : "critical",
      suggestedActions: proposal ? [proposal] : [],
      cause: d.cause,
      confidence: d.confidence,
      evidence: d.evidence,
      ...(d.openBranches.length > 0 ? { openBranches: d.openBranches } : {}),
    };
  },
};
