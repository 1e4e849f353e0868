/** Verify (seed Step 4): checkpoint duration dropping below the alert's 30 s. */
import { formatDuration } from "../../core/format-units.ts";
import { metricRecovery } from "../metric-recovery.ts";

export const checkpointDurationRecovery = metricRecovery({
  metric: "checkpointDurationMs",
  watches: "checkpoint duration",
  direction: "below",
  threshold: (config) => config.thresholds.checkpointDurationSeconds * 1000,
  format: (v) => formatDuration(v),
  // A few checkpoint intervals after the fix.
  withinMinutes: 10,
  everySeconds: 60,
  nextStep:
    "re-run `/runbook ckpt-duration`: if state is still growing, look at state TTL; if uploads are slow, at the S3 network path.",
});
