/** Verify (seed Step 5): window completeness back above 95% (the seed watches every 5 minutes). */
import { metricRecovery } from "../metric-recovery.ts";

export const windowCompletenessRecovery = metricRecovery({
  metric: "windowCompleteness",
  watches: "window completeness",
  direction: "above",
  threshold: (config) => config.thresholds.windowCompletenessPercent,
  format: (v) => `${v.toFixed(1)}%`,
  // Windows are 5 minutes: three of them after the fix.
  withinMinutes: 15,
  everySeconds: 60,
  nextStep:
    "re-run `/runbook completeness` to see which branch remains (late arrivals, stuck watermark, state loss, windows not firing); reprocess the missing windows if records were lost.",
});
