/** Verify (seed Step 3): Firehose delivery success back to 1 (every put succeeds). */
import { formatPercent } from "../../core/metric-math.ts";
import { metricRecovery } from "../metric-recovery.ts";

export const firehoseRecovery = metricRecovery({
  metric: "firehoseDeliverySuccess",
  watches: "Firehose DeliveryToS3.Success",
  direction: "above",
  threshold: () => 1,
  stat: "Average",
  format: (v) => formatPercent(v),
  formatThreshold: () => "100% (no failed puts)",
  // Firehose buffers for 5 minutes before records are lost: that is the window.
  withinMinutes: 5,
  everySeconds: 30,
  dimensions: (config) => ({ DeliveryStreamName: config.pipeline.deliveryStream }),
  nextStep:
    "re-run `/runbook firehose` for the newest delivery error, and check the records Firehose backed up to the S3 error prefix.",
});
