/** Verify (seed Step 5): memory should stabilise or fall after the fix. */
import { metricRecovery } from "../metric-recovery.ts";

export const memoryRecovery = metricRecovery({
  metric: "memoryUsagePercentage",
  watches: "taskmanager memory use",
  direction: "below",
  threshold: (config) => config.thresholds.memoryUsagePercent,
  format: (v) => `${v.toFixed(1)}%`,
  withinMinutes: 5,
  everySeconds: 60,
  nextStep:
    "re-run `/runbook memory`: if memory keeps rising the cause is state growth or a leak, which more memory only postpones; at 95% the taskmanagers are OOMKilled.",
});
