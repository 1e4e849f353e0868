/** Step 1 (Assess): the checkpoint duration, its trend and the checkpoint sizes. */
import type { AppConfig } from "../../config/schema.ts";
import { type EvidenceBlock, type Finding, finding, seriesEvidence } from "../../core/finding.ts";
import { formatBytes, formatDuration, formatUtcClock } from "../../core/format-units.ts";
import { averageOf, latestOf, maxOf, trendOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import { mbPerSecond, rateMeaningful } from "./diagnose.ts";
import { secondsText } from "./diagnosis.ts";
import { checkpointSizesProbe, durationProbe, flinkCheckpointsProbe } from "./probes.ts";
import {
  durationSignals,
  impliedThroughput,
  logSizes,
  RATE_MIN_BYTES,
  THROUGHPUT_FLOOR_BYTES_PER_SECOND,
} from "./signals.ts";

/** Every 10th minute of the hour, as the seed's example lists them ("10:20 | 15000 ms (15 sec - slow)"). */
export function tenMinuteTable(points: readonly MetricPoint[], thresholdMs: number): EvidenceBlock {
  const picked = points.filter((_, i) => (points.length - 1 - i) % 10 === 0);
  return {
    kind: "table",
    columns: ["TIME", "DURATION", ""],
    rows: picked.map((p) => [
      formatUtcClock(p.at).slice(0, 5),
      `${Math.round(p.value)} ms`,
      p.value > thresholdMs ? "ALERT" : p.value > thresholdMs / 2 ? "slow" : "normal",
    ]),
  };
}

export function durationFinding(points: readonly MetricPoint[], thresholdMs: number): Finding {
  const latest = latestOf(points);
  if (latest === undefined) {
    return finding("warning", "No checkpoint_duration_ms datapoints in the last hour", {
      detail:
        "The job may not publish the metric: the duration below comes from Flink's own checkpoint history.",
    });
  }
  const trend = trendOf(points);
  const over = latest.value > thresholdMs;
  const rising = trend?.direction === "rising";
  const first = points[0]!;
  return finding(
    over ? (rising ? "critical" : "warning") : "ok",
    `Checkpoint duration ${secondsText(latest.value)} (threshold ${secondsText(thresholdMs)}), ${trend?.direction ?? "one datapoint"} over the hour`,
    {
      detail: `${secondsText(first.value)} at ${formatUtcClock(first.at).slice(0, 5)} -> ${secondsText(latest.value)} at ${formatUtcClock(latest.at).slice(0, 5)}; hour max ${secondsText(maxOf(points)!)}, average ${secondsText(averageOf(points)!)}.${rising ? " Growing trend = checkpoints have more to write (size) or write it slower (network, compaction)." : ""}`,
      evidence: [
        tenMinuteTable(points, thresholdMs),
        seriesEvidence("checkpoint_duration_ms (Average, 1 min)", points, "ms"),
      ],
    },
  );
}

export function sizesFinding(results: ProbeResults): Finding | undefined {
  const flink = read(results, flinkCheckpointsProbe);
  const logs = read(results, checkpointSizesProbe);
  const sizes = logSizes(results);
  const throughput = impliedThroughput(results);
  if (!flink && !logs) return undefined;
  const fields: { label: string; value: string }[] = [];
  const s = flink?.stats.summary;
  if (s?.stateSizeBytes) {
    fields.push({
      label: "State size (Flink)",
      value: `avg ${formatBytes(s.stateSizeBytes.avg)}, max ${formatBytes(s.stateSizeBytes.max)}`,
    });
  }
  if (s?.checkpointedSizeBytes) {
    fields.push({
      label: "Written per checkpoint (Flink)",
      value: `avg ${formatBytes(s.checkpointedSizeBytes.avg)}, max ${formatBytes(s.checkpointedSizeBytes.max)}`,
    });
  }
  if (s?.endToEndDurationMs) {
    fields.push({
      label: "Duration (Flink, retained)",
      value: `avg ${formatDuration(s.endToEndDurationMs.avg)}, max ${formatDuration(s.endToEndDurationMs.max)}`,
    });
  }
  if (sizes) {
    fields.push({
      label: "checkpoint_size_bytes (Logs Insights, 1 h)",
      value: `avg ${formatBytes(sizes.avg)}, max ${formatBytes(sizes.max)}`,
    });
  } else if (logs) {
    fields.push({
      label: "checkpoint_size_bytes (Logs Insights, 1 h)",
      value: "no rows: the job does not log checkpoint_size_bytes",
    });
  }
  if (throughput) {
    fields.push({
      label: "Implied upload throughput",
      value:
        throughput.bytes >= RATE_MIN_BYTES
          ? `${mbPerSecond(throughput.bytesPerSecond)} (${formatBytes(throughput.bytes)} in ${formatDuration(throughput.durationMs)}${throughput.source === "logs" ? ", logged size over the latest duration" : ", last completed checkpoints"})`
          : `not meaningful: ${formatBytes(throughput.bytes)} per checkpoint is too little for a rate (from ${formatBytes(RATE_MIN_BYTES)})`,
    });
  }
  const slow =
    throughput !== undefined &&
    throughput.bytes >= RATE_MIN_BYTES &&
    throughput.bytesPerSecond < THROUGHPUT_FLOOR_BYTES_PER_SECOND;
  // The largest upload of the same source the throughput was measured on.
  const maxBytes = throughput?.source === "flink" ? s?.checkpointedSizeBytes?.max : sizes?.max;
  const arithmetic =
    throughput && maxBytes !== undefined && throughput.bytes >= RATE_MIN_BYTES
      ? ` At ${mbPerSecond(throughput.bytesPerSecond)}, the largest checkpoint (${formatBytes(maxBytes)}) takes about ${formatDuration((maxBytes / throughput.bytesPerSecond) * 1000)} to upload.`
      : "";
  return finding(
    slow ? "warning" : "info",
    `Checkpoint sizes${throughput && throughput.bytes >= RATE_MIN_BYTES ? ` and upload throughput ${mbPerSecond(throughput.bytesPerSecond)}` : ""}`,
    {
      detail: `Sizes from Flink's retained checkpoints${logs ? ", corroborated by the seed's Logs Insights query" : ""}.${arithmetic}${slow ? ` Under ${mbPerSecond(THROUGHPUT_FLOOR_BYTES_PER_SECOND)} (the seed's 500 MB in 30 s) is slow.` : ""}`,
      evidence: [{ kind: "fields", fields }, ...(logs ? [{ kind: "code" as const, text: logs.query }] : [])],
    },
  );
}

export function assessDuration(results: ProbeResults, config: AppConfig): StepAssessment {
  const thresholdMs = config.thresholds.checkpointDurationSeconds * 1000;
  const points = read(results, durationProbe);
  const findings: Finding[] = [];
  if (points) findings.push(durationFinding(points, thresholdMs));
  const sizes = sizesFinding(results);
  if (sizes) findings.push(sizes);
  const s = durationSignals(results, config);
  const over = s.latestDurationMs !== undefined && s.latestDurationMs > thresholdMs;
  return {
    status:
      s.latestDurationMs === undefined
        ? "error"
        : over
          ? s.durationTrend === "rising"
            ? "critical"
            : "warning"
          : "ok",
    summary:
      s.latestDurationMs === undefined
        ? "The checkpoint duration could not be read."
        : `Latest checkpoint ${secondsText(s.latestDurationMs)} (threshold ${secondsText(thresholdMs)}), ${s.durationTrend ?? "trend unknown"} over the hour${s.throughputBytesPerSecond === undefined || !rateMeaningful(s) ? "" : `; uploads at ${mbPerSecond(s.throughputBytesPerSecond)}`}.`,
    findings,
  };
}
