import { findRunbook } from "../../core/catalog.ts";
import { formatCount } from "../../core/metric-math.ts";
import type { Conclusion, Runbook } from "../../core/runbook.ts";
import { lagSignals } from "./signals.ts";
import { CAUSE_TITLE, consumerLagSteps, diagnosisOf, scaleProposal } from "./steps.ts";

export const consumerLagRunbook: Runbook = {
  meta: findRunbook("consumer-lag")!,
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
    return {
      summary: `${lagText}${growth}. Likely cause: ${CAUSE_TITLE[diagnosis.cause]} — ${diagnosis.because}.`,
      severity,
      suggestedActions: proposal ? [proposal] : [],
    };
  },
};
