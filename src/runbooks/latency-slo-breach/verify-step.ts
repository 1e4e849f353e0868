/** Step 5 (Verify). */
import type { AppConfig } from "../../config/schema.ts";
import { finding } from "../../core/finding.ts";
import { metricOptionsFor, resolveMetric } from "../../core/metric-catalog.ts";
import { latestOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { ms, seconds } from "./diagnose.ts";
import { percentilesProbe } from "./probes.ts";

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const p = read(results, percentilesProbe);
  const p99 = p === undefined ? undefined : latestOf(p.p99);
  const thresholdMs = config.thresholds.latencyP99Seconds * 1000;
  const metric = resolveMetric("latencyP99", metricOptionsFor(config));
  const watch = `watch -n 30 'aws cloudwatch get-metric-statistics --namespace ${metric.namespace} --metric-name ${metric.metric} --start-time $(date -u -d "5 min ago" +%Y-%m-%dT%H:%M:%S) --end-time $(date -u +%Y-%m-%dT%H:%M:%S) --period 60 --statistics ${metric.stat} | jq ".Datapoints[-1].${metric.stat}"'`;
  const under = p99 !== undefined && p99.value <= thresholdMs;
  return {
    status: p99 === undefined ? "info" : under ? "ok" : "warning",
    summary:
      p99 === undefined
        ? `p99 unknown: confirm it falls under ${seconds(thresholdMs)} after the fix.`
        : under
          ? `p99 ${ms(p99.value)} is under ${seconds(thresholdMs)}: the alert should clear; watch the trend for 30 minutes.`
          : `p99 ${ms(p99.value)} is not yet under ${seconds(thresholdMs)}: after the fix it should drop within 1-2 minutes.`,
    findings: [
      finding("info", `Done when p99 < ${seconds(thresholdMs)} and stays there for 30 minutes`, {
        detail:
          "Re-run `/runbook latency` after the fix, or watch the metric (it should drop within 1-2 minutes; the alert clears by itself):",
        evidence: [{ kind: "code", text: watch }],
      }),
    ],
  };
}
