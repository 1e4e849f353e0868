/** Verify (seed Step 5): p99 latency drops within 1-2 minutes. */
import { formatDuration } from "../../core/format-units.ts";
import { metricRecovery } from "../metric-recovery.ts";

export const latencyRecovery = metricRecovery({
  metric: "latencyP99",
  watches: "p99 processing latency",
  direction: "below",
  threshold: (config) => config.thresholds.latencyP99Seconds * 1000,
  format: (v) => formatDuration(v),
  // The seed's 1-2 minutes, plus CloudWatch's delay in publishing the minute.
  withinMinutes: 3,
  everySeconds: 30,
  nextStep:
    "re-run `/runbook latency`: the slowest operator may have moved (enrichment, Firehose, back pressure).",
});
