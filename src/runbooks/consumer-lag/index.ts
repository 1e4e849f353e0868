import { findRunbook } from "../../core/catalog.ts";
import { formatCount } from "../../core/metric-math.ts";
import type { Conclusion, Runbook } from "../../core/runbook.ts";
import { scaleProposal } from "../scale-proposal.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { lagSignals } from "./signals.ts";
import { consumerLagSteps } from "./steps.ts";
import { CAUSE_TITLE } from "./texts.ts";
import { consumerLagRecovery } from "./verify.ts";

export const consumerLagRunbook: Runbook = {
  meta: findRunbook("consumer-lag")!,
  verify: consumerLagRecovery,
  steps: consumerLagSteps,
  conclude(results, _steps, config): Conclusion {
    const diagnosis = diagnosisOf(results, config);
    const signals = lagSignals(results, config);
    const lagText = signals.totalLag === undefined ? "lag unknown" : `lag ${formatCount(signals.totalLag)}`;
    const growth = diagnosis.growing === undefined ? "" : diagnosis.growing ? ", growing" : ", stable";
    const proposal = diagnosis.cause === "resource" ? scaleProposal(results, config) : undefined;
    const severity =
      diagnosis.cause === "below-threshold" || diagnosis.cause === "transient"
        ? "ok"
        : diagnosis.cause === "unknown"
          ? "warning"
          : diagnosis.growing === false
            ? "warning"
            : "critical";
    const known = [
      signals.totalLag !== undefined,
      signals.recordsIn !== undefined && signals.recordsOut !== undefined,
      signals.maxPodPressure !== undefined,
      signals.watermarkLagMs !== undefined ||
        signals.flinkWatermarkLagMs !== undefined ||
        signals.missingWatermarks !== undefined,
      signals.recentFirehoseDeliveries !== undefined,
    ].filter(Boolean).length;
    // Enrichment is decided by elimination; unknown means nothing singled a branch out.
    const confidence =
      diagnosis.cause === "unknown" || known <= 2
        ? "low"
        : diagnosis.cause === "enrichment" || known < 5
          ? "medium"
          : "high";
    const open: string[] = [];
    if (diagnosis.cause === "unknown" || confidence === "low") {
      if (signals.maxPodPressure === undefined) open.push(CAUSE_TITLE.resource);
      if (
        signals.watermarkLagMs === undefined &&
        signals.flinkWatermarkLagMs === undefined &&
        signals.missingWatermarks === undefined
      )
        open.push(CAUSE_TITLE.windowing);
      if (signals.recentFirehoseDeliveries === undefined) open.push(CAUSE_TITLE.backpressure);
      open.push(CAUSE_TITLE.enrichment);
    }
    return {
      summary: `${lagText}${growth}. Likely cause: ${CAUSE_TITLE[diagnosis.cause]} — ${diagnosis.because}.`,
      severity,
      suggestedActions: proposal ? [proposal] : [],
      cause: diagnosis.cause,
      confidence,
      evidence: [diagnosis.because],
      ...(open.length > 0 ? { openBranches: open } : {}),
    };
  },
};
