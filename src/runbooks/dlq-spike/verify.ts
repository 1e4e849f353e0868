/** Verify (seed Step 5): the DLQ rate returns to normal within 2-3 minutes of the deployment. */
import { formatCount } from "../../core/metric-math.ts";
import { metricRecovery } from "../metric-recovery.ts";

export const dlqSpikeRecovery = metricRecovery({
  metric: "dlqRecordCount",
  watches: "records sent to the DLQ per minute",
  direction: "below",
  threshold: (config) => config.thresholds.dlqRecordsPerMinute,
  format: (v) => `${formatCount(v)} records/min`,
  // The seed allows 2-3 minutes after the deployment finished; CloudWatch adds a minute or two.
  withinMinutes: 5,
  everySeconds: 30,
  nextStep:
    "re-run `/runbook dlq` to see which error type still dominates the DLQ; if it is still parse errors, the rolled-back or fixed parser is not what runs.",
});
