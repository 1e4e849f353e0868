/** Step 1 (Assess): the latency percentiles against the SLO. */
import type { AppConfig } from "../../config/schema.ts";
import { finding, seriesEvidence } from "../../core/finding.ts";
import { breachStart, latestOf, maxOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import { unreadStep } from "../unread-step.ts";
import { ms, seconds } from "./diagnose.ts";
import { hhmm } from "./diagnosis.ts";
import { percentilesProbe } from "./probes.ts";

export function assessPercentiles(results: ProbeResults, config: AppConfig): StepAssessment {
  const p = read(results, percentilesProbe);
  if (p === undefined)
    return unreadStep(
      results,
      [percentilesProbe],
      "CloudWatch metrics",
      "CloudWatch metrics could not be read.",
    );
  const thresholdMs = config.thresholds.latencyP99Seconds * 1000;
  const ns = config.pipeline.metricsNamespace;
  const p99 = latestOf(p.p99);
  if (p99 === undefined) {
    return {
      status: "warning",
      summary: `No LatencyP99 datapoints in ${ns} over the last 10 minutes.`,
      findings: [
        finding("warning", "No LatencyP99 datapoints", {
          detail: `CloudWatch has no LatencyP99 data in namespace \`${ns}\` for the last 10 minutes: the job may not be publishing latency metrics.`,
        }),
      ],
    };
  }
  const over = p99.value > thresholdMs;
  const since = breachStart(p.p99, thresholdMs);
  const row = (name: string, points: readonly MetricPoint[]) => {
    const latest = latestOf(points);
    const max = maxOf(points);
    return [
      name,
      latest === undefined ? "-" : ms(latest.value),
      max === undefined ? "-" : ms(max),
      name === "p99" && over ? "<- over SLO" : "",
    ];
  };
  const f = finding(over ? "critical" : "ok", `p99 latency ${ms(p99.value)} (SLO ${seconds(thresholdMs)})`, {
    detail: over
      ? `p99 has been above ${seconds(thresholdMs)} since ${since ? hhmm(since.at) : "before the window"} UTC: about 1% of orders reach customers late (real-time features stale).`
      : `p99 is at or under ${seconds(thresholdMs)}: the breach has cleared or was brief.`,
    evidence: [
      {
        kind: "table",
        columns: ["PERCENTILE", "LATEST", "MAX (10 MIN)", ""],
        rows: [row("p50", p.p50), row("p95", p.p95), row("p99", p.p99)],
      },
      seriesEvidence("LatencyP99", p.p99, "ms"),
    ],
  });
  const p50 = latestOf(p.p50);
  const tail =
    p50 !== undefined && p50.value > 0 && p99.value / p50.value >= 5
      ? " The tail is far from the median: a few slow calls, not everything slow."
      : "";
  return {
    status: f.severity,
    summary: `p50 ${p50 === undefined ? "?" : ms(p50.value)}, p95 ${latestOf(p.p95) === undefined ? "?" : ms(latestOf(p.p95)!.value)}, p99 ${ms(p99.value)} against the ${seconds(thresholdMs)} SLO.${tail}`,
    findings: [f],
  };
}
