/** Step 4 (Verify): duration and latency after the fix. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, seriesEvidence } from "../../core/finding.ts";
import { maxOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { secondsText } from "./diagnosis.ts";
import { durationProbe, latencyProbe } from "./probes.ts";
import { correlation } from "./signals.ts";

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const durations = read(results, durationProbe) ?? [];
  const latency = read(results, latencyProbe);
  const ns = config.pipeline.metricsNamespace;
  const findings: Finding[] = [];
  let summary = "Watch the checkpoint duration drop after the fix.";
  if (latency !== undefined && latency.length > 0) {
    const r = correlation(durations, latency);
    const sloMs = config.thresholds.latencyP99Seconds * 1000;
    const follows = r !== undefined && r >= 0.6;
    const worst = maxOf(latency)!;
    findings.push(
      finding(
        follows ? "warning" : "info",
        r === undefined
          ? `LatencyP99: max ${secondsText(worst)} in the hour (no spread to correlate with checkpoints)`
          : follows
            ? `LatencyP99 follows checkpoint duration (r = ${r.toFixed(2)}): checkpoints pause the job`
            : `LatencyP99 does not follow checkpoint duration (r = ${r.toFixed(2)})`,
        {
          detail: `p99 max ${secondsText(worst)} in the hour (SLO ${secondsText(sloMs)}).${follows ? " Customers feel each slow checkpoint: latency should stop spiking once the duration drops." : ""}`,
          evidence: [seriesEvidence("LatencyP99 (Average, 1 min)", latency, "ms")],
        },
      ),
    );
    summary = follows
      ? `Latency follows checkpoint duration (r = ${r!.toFixed(2)}): after the fix both should drop.`
      : summary;
  }
  findings.push(
    finding("info", "After the fix: watch duration and latency (human step)", {
      detail: "Should see duration dropping, and latency no longer spiking every checkpoint.",
      evidence: [
        {
          kind: "code",
          text: `watch -n 60 'aws cloudwatch get-metric-statistics --namespace ${ns} --metric-name checkpoint_duration_ms --start-time $(date -u -d "30 min ago" +%Y-%m-%dT%H:%M:%S) --end-time $(date -u +%Y-%m-%dT%H:%M:%S) --period 60 --statistics Average,Maximum | jq ".Datapoints | sort_by(.Timestamp) | .[-3:]"'`,
        },
        {
          kind: "code",
          text: `aws cloudwatch get-metric-statistics --namespace ${ns} --metric-name LatencyP99 \\\n  --start-time $(date -u -d '30 minutes ago' +%Y-%m-%dT%H:%M:%S) --end-time $(date -u +%Y-%m-%dT%H:%M:%S) \\\n  --period 60 --statistics Average`,
        },
      ],
    }),
  );
  return { status: "info", summary, findings };
}
