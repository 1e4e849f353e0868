/** The checkpoint-duration runbook's steps, named as in the seed, each with a pure assess. */
import type { AppConfig } from "../../config/schema.ts";
import { type EvidenceBlock, type Finding, finding, seriesEvidence } from "../../core/finding.ts";
import { formatBytes, formatDuration, formatUtcClock } from "../../core/format-units.ts";
import { averageOf, latestOf, maxOf, trendOf } from "../../core/metric-math.ts";
import {
  type ProbeResults,
  read,
  resultsOf,
  type StepAssessment,
  type StepSpec,
} from "../../core/runbook.ts";
import type { CheckpointConfig } from "../../ports/flink.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import {
  type DominantPhase,
  type DurationCause,
  type DurationDiagnosis,
  type DurationSignals,
  diagnoseDuration,
  dominantPhase,
  mbPerSecond,
  rateMeaningful,
  uploadSlow,
} from "./diagnose.ts";
import {
  COMPACTION_WINDOW_SECONDS,
  checkpointConfigProbe,
  checkpointPhasesProbe,
  checkpointSizesProbe,
  compactionLogsProbe,
  durationProbe,
  flinkCheckpointsProbe,
  latencyProbe,
  stateBytesProbe,
} from "./probes.ts";
import {
  COMPACTION_BUSY_LINES,
  correlation,
  durationSignals,
  impliedThroughput,
  logSizes,
  maxCompactionLines,
  RATE_MIN_BYTES,
  THROUGHPUT_FLOOR_BYTES_PER_SECOND,
} from "./signals.ts";

export const CAUSE_TITLE: Record<DurationCause, string> = {
  "below-threshold": "checkpoint duration is back under the threshold",
  "state-leak": "A. checkpoint size growing (state leak)",
  "sync-phase": "slow synchronous snapshot (snapshotState / RocksDB flush)",
  "network-slow": "B. network slow (S3 upload slow)",
  compaction: "C. RocksDB compaction pause",
  unknown: "not determined",
};

export function diagnosisOf(results: ProbeResults, config: AppConfig): DurationDiagnosis {
  return diagnoseDuration(durationSignals(results, config));
}

function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

// ---------------------------------------------------------------------------------------------
// Step 1: Assess

/** Every 10th minute of the hour, as the seed's example lists them ("10:20 | 15000 ms (15 sec - slow)"). */
function tenMinuteTable(points: readonly MetricPoint[], thresholdMs: number): EvidenceBlock {
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

function durationFinding(points: readonly MetricPoint[], thresholdMs: number): Finding {
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

function sizesFinding(results: ProbeResults): Finding | undefined {
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

// ---------------------------------------------------------------------------------------------
// Step 2: Root Cause

function phasesFinding(results: ProbeResults, s: DurationSignals): Finding | undefined {
  const phases = read(results, checkpointPhasesProbe);
  const p = s.phases;
  if (!phases || p === undefined) return undefined;
  const phase = dominantPhase(s);
  const ms = (v: number | null) => (v === null ? "-" : `${Math.round(v)} ms`);
  return finding(
    phase === "sync" ? "warning" : "info",
    `Checkpoint ${p.checkpointId} (${secondsText(p.endToEndMs)}): ${phase === undefined ? "no phase dominates" : `mostly ${PHASE_TEXT[phase]}`}; slowest subtask sync ${secondsText(p.syncMs)}, async ${secondsText(p.asyncMs)}, alignment ${secondsText(p.alignmentMs)}`,
    {
      detail:
        "Flink's own timing of each subtask: sync = the snapshot taken while the task waits (snapshotState, RocksDB flush); async = writing it to the checkpoint storage (the upload); alignment = waiting for the barriers of all inputs (back pressure).",
      evidence: [
        {
          kind: "table",
          columns: ["VERTEX", "SIZE", "SYNC", "ASYNC", "ALIGNMENT", "START DELAY"],
          rows: phases.breakdown.vertices.map((v) => [
            phases.names[v.vertexId] ?? v.vertexId,
            formatBytes(v.checkpointedSizeBytes),
            ms(v.maxSyncMs),
            ms(v.maxAsyncMs),
            ms(v.maxAlignmentMs),
            ms(v.maxStartDelayMs),
          ]),
        },
      ],
    },
  );
}

const PHASE_TEXT: Record<DominantPhase, string> = {
  sync: "the synchronous snapshot",
  async: "the upload (async)",
  alignment: "barrier alignment",
};

/** B. Network: judged only when the upload dominates and, for a rate, the checkpoint is big enough. */
function networkFinding(s: DurationSignals): Finding | undefined {
  const p = s.phases;
  const slow = uploadSlow(s);
  const bytes = p?.bytes ?? s.checkpointBytes;
  if (p !== undefined) {
    const phase = dominantPhase(s);
    if (phase !== "async") {
      return finding(
        "ok",
        `B. Network: not the bottleneck: the upload took ${secondsText(p.asyncMs)} of ${secondsText(p.endToEndMs)}${phase === undefined ? "" : `, ${PHASE_TEXT[phase]} ${secondsText(phase === "sync" ? p.syncMs : p.alignmentMs)}`}`,
      );
    }
    const rate = rateMeaningful(s)
      ? ` at ${mbPerSecond(p.bytes / (p.asyncMs / 1000))}`
      : ` for ${formatBytes(p.bytes)}`;
    return finding(
      slow ? "warning" : "ok",
      `B. Network: the upload took ${secondsText(p.asyncMs)} of ${secondsText(p.endToEndMs)}${rate}${slow ? " (slow)" : ""}`,
      {
        detail: slow
          ? `${rateMeaningful(s) ? "" : "Too little data for a rate: the time is S3's latency per request. "}The bot cannot time S3 itself: the upload test in Step 3 confirms it.`
          : "Fast enough: the network is not the bottleneck.",
      },
    );
  }
  if (s.throughputBytesPerSecond === undefined) return undefined;
  if (!rateMeaningful(s)) {
    return finding(
      "info",
      `B. Network: not judged: checkpoints write ${bytes === undefined ? "an unknown size" : formatBytes(bytes)}, too little for an upload rate to mean anything`,
      {
        detail: `A rate says something about the network from ${formatBytes(s.rateMinBytes)} per checkpoint (the seed's yardstick is 500 MB in 30 s); below, it measures request latency.`,
      },
    );
  }
  return finding(
    slow ? "warning" : "ok",
    `B. Network: checkpoints upload at ${mbPerSecond(s.throughputBytesPerSecond)}${slow ? ` (slow: under ${mbPerSecond(s.throughputFloorBytesPerSecond)})` : ""}`,
    {
      detail: slow
        ? `${s.stateTrend === "rising" ? "" : "Sizes flat but duration up -> low throughput. "}The bot cannot time S3 itself: the upload test in Step 3 confirms it.`
        : "Fast enough: the network is not the bottleneck.",
    },
  );
}

export function assessRootCause(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const s = durationSignals(results, config);
  const findings: Finding[] = [];
  const state = read(results, stateBytesProbe);
  if (state !== undefined) {
    const first = state[0];
    const last = latestOf(state);
    const growth = first && last && first.value > 0 ? (last.value - first.value) / first.value : undefined;
    findings.push(
      finding(
        s.stateTrend === "rising" ? "critical" : state.length === 0 ? "info" : "ok",
        state.length === 0
          ? "A. State size: no StateBackendUsedBytes datapoints"
          : `A. State size ${s.stateTrend === "rising" ? "growing" : s.stateTrend === "falling" ? "shrinking" : "flat"}: ${formatBytes(first!.value)} -> ${formatBytes(last!.value)} in the hour${growth === undefined ? "" : ` (${growth >= 0 ? "+" : ""}${Math.round(growth * 100)}%)`}`,
        {
          ...(s.stateTrend === "rising"
            ? { detail: "Trending up = state not clearing (a state leak)." }
            : {}),
          evidence:
            state.length === 0
              ? []
              : [seriesEvidence("StateBackendUsedBytes (Average, 1 min)", state, "bytes")],
        },
      ),
    );
  }
  if (s.checkpointSizeTrend !== undefined) {
    findings.push(
      finding(
        s.checkpointSizeTrend === "rising" ? "warning" : "info",
        `Flink's retained checkpoints: state size ${s.checkpointSizeTrend}`,
      ),
    );
  }
  const phases = phasesFinding(results, s);
  if (phases) findings.push(phases);
  const network = networkFinding(s);
  if (network) findings.push(network);
  const logs = read(results, compactionLogsProbe);
  if (logs !== undefined) {
    const max = maxCompactionLines(logs);
    const busy = max !== undefined && max >= COMPACTION_BUSY_LINES;
    const lines = logs.flatMap((l) => l.lines.map((line) => `${l.pod}: ${line}`)).slice(-10);
    findings.push(
      finding(
        busy ? "warning" : "ok",
        `C. RocksDB compaction: ${logs.reduce((a, l) => a + l.matched, 0)} log line(s) in the last ${COMPACTION_WINDOW_SECONDS / 60} minutes on ${logs.length} taskmanager(s)${max === undefined ? "" : `, at most ${max} on one`}`,
        {
          detail: busy
            ? "RocksDB may be compacting during checkpoint = pause."
            : `Under ${COMPACTION_BUSY_LINES} lines per taskmanager: compaction is not unusually busy.`,
          evidence: lines.length > 0 ? [{ kind: "log", lines }] : [],
        },
      ),
    );
  }
  return {
    status: d.cause === "below-threshold" ? "ok" : d.cause === "unknown" ? "info" : "warning",
    summary: `Likely cause: ${CAUSE_TITLE[d.cause]} — ${d.because}.`,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 3: Fix

function stateLeakFix(): Finding {
  return finding("warning", "If state growing: clear old state (human step, code change)", {
    detail:
      "Clear old state with an evictor, reduce state TTL, or emit windows more often. The seed's evictor, for the windowed operator (the class is TumblingEventTimeWindows). Note that an evictor makes Flink keep every element of the window instead of a running aggregate: for keyed state outside windows (ValueState/MapState in process functions), a TTL is the cleanup that stops a leak.",
    evidence: [
      {
        kind: "code",
        text: "// File: KafkaStreamingJob.java\n.window(TumblingEventTimeWindows.of(Time.minutes(5)))\n.evictor(TimeEvictor.of(Time.minutes(5)))  // Discard old records",
      },
      {
        kind: "code",
        text: "// Reduce TTL: expire keyed state not written for an hour\nStateTtlConfig ttl = StateTtlConfig.newBuilder(Time.hours(1))\n    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)\n    .cleanupInRocksdbCompactFilter(1000)\n    .build();\ndescriptor.enableTimeToLive(ttl);",
      },
    ],
  });
}

function networkFix(config: AppConfig, cfg: CheckpointConfig | undefined): Finding {
  const bucket = config.pipeline.checkpointBucket;
  const timeout = cfg?.timeoutMs;
  return finding(
    "warning",
    "If network slow: measure S3, then upload in parallel or accept slower checkpoints (human step)",
    {
      detail: `1) Time a 500 MB upload from the cluster (over 30 s = network slow). 2) Upload with more threads. The seed's \`state.backend.rocksdb.thread.num\` sets RocksDB's background (flush/compaction) threads; the threads that upload checkpoint files to S3 are \`state.backend.rocksdb.checkpoint.transfer.thread.num\`. 3) Or accept slow checkpoints with a longer timeout${timeout === undefined ? "" : ` (now ${timeout} ms, ${formatDuration(timeout)})`}. S3 Transfer Acceleration helps across regions only, and Flink's S3 filesystem must then use the accelerate endpoint.`,
      evidence: [
        {
          kind: "code",
          text: `time (dd if=/dev/zero bs=1M count=500 | aws s3 cp - s3://${bucket}/runbook-bot-speed-test)\naws s3 rm s3://${bucket}/runbook-bot-speed-test`,
        },
        {
          kind: "code",
          text: "# File: flink-config.yaml\nstate.backend.rocksdb.checkpoint.transfer.thread.num: 8  # parallel uploads to S3\nstate.backend.rocksdb.thread.num: 4                     # the seed's setting: background threads",
        },
        {
          kind: "code",
          text: "// File: KafkaStreamingJob.java\nenv.enableExternalizedCheckpoints(CheckpointConfig.ExternalizedCheckpointCleanup.RETAIN_ON_CANCELLATION);\nenv.getCheckpointConfig().setCheckpointTimeout(600000);  // 10 minutes",
        },
      ],
    },
  );
}

function compactionFix(): Finding {
  return finding(
    "warning",
    "If RocksDB compacting: tune compaction or accept slower checkpoints (human step)",
    {
      detail:
        "The seed's snippet sets two styles at once; pick one. LEVEL (the default) with dynamic level sizes keeps compactions small; UNIVERSAL writes less but compacts in big bursts. More background threads let compaction keep up between checkpoints.",
      evidence: [
        {
          kind: "code",
          text: "# File: flink-config.yaml\nstate.backend.rocksdb.compaction.style: LEVEL\nstate.backend.rocksdb.compaction.level.use-dynamic-size: true\nstate.backend.rocksdb.thread.num: 4",
        },
      ],
    },
  );
}

function syncFix(d: DurationDiagnosis): Finding {
  return finding(
    "warning",
    "Make the synchronous snapshot short (human step, code or configuration change)",
    {
      detail: `${d.because.charAt(0).toUpperCase()}${d.because.slice(1)}. The synchronous phase blocks the task: records wait while it runs. Usual causes: a CheckpointedFunction.snapshotState that does blocking I/O or copies a big structure; with RocksDB, flushing a large memtable. Faster S3 would not help.`,
      evidence: [
        {
          kind: "code",
          text: "// snapshotState: only hand state to Flink, no remote calls, no deep copies\n@Override\npublic void snapshotState(FunctionSnapshotContext ctx) throws Exception {\n    pending.update(buffer);   // ListState, written asynchronously by the backend\n}",
        },
        {
          kind: "code",
          text: "# File: flink-config.yaml (RocksDB)\nexecution.checkpointing.incremental: true\nstate.backend.rocksdb.writebuffer.size: 32mb   # smaller memtables flush faster",
        },
      ],
    },
  );
}

export function assessFix(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const cfg = read(results, checkpointConfigProbe);
  const findings: Finding[] = [];
  switch (d.cause) {
    case "below-threshold":
      findings.push(
        finding("ok", "No fix needed now", {
          detail: "The duration is back under the threshold and not rising. Keep watching (Step 4).",
        }),
      );
      break;
    case "state-leak":
      findings.push(stateLeakFix());
      break;
    case "network-slow":
      findings.push(networkFix(config, cfg));
      break;
    case "compaction":
      findings.push(compactionFix());
      break;
    case "sync-phase":
      findings.push(syncFix(d));
      break;
    case "unknown":
      findings.push(stateLeakFix(), networkFix(config, cfg), compactionFix());
      break;
  }
  return {
    status: d.cause === "below-threshold" ? "ok" : "info",
    summary: `${CAUSE_TITLE[d.cause]}: ${FIX_LINE[d.cause]}`,
    findings,
  };
}

export const FIX_LINE: Record<DurationCause, string> = {
  "below-threshold": "no fix needed now.",
  "state-leak": "clear old state (evictor), reduce TTL, or emit windows more often (code change).",
  "sync-phase":
    "make the operator's snapshot cheap: no blocking I/O or big copies in snapshotState; with RocksDB, incremental checkpoints and smaller write buffers (code or configuration change).",
  "network-slow": "increase upload parallelism or accept slower checkpoints (configuration change).",
  compaction: "tune the compaction style or accept slower checkpoints (configuration change).",
  unknown: "work the three branches by hand.",
};

// ---------------------------------------------------------------------------------------------
// Step 4: Verify

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

const assessProbes = [durationProbe, flinkCheckpointsProbe, checkpointSizesProbe];

export const checkpointDurationSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: assessProbes,
    // Its signals are read from this step's probes only: the later steps' have not run yet.
    assess: (results, config) => assessDuration(resultsOf(results, assessProbes), config),
  },
  {
    id: "root-cause",
    title: "Step 2: Root Cause",
    budgetSeconds: 120,
    probes: [stateBytesProbe, compactionLogsProbe, checkpointPhasesProbe],
    assess: assessRootCause,
  },
  { id: "fix", title: "Step 3: Fix", probes: [checkpointConfigProbe], assess: assessFix },
  { id: "verify", title: "Step 4: Verify", probes: [latencyProbe], assess: assessVerify },
];
