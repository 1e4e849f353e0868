/** Step 2 (Root Cause): state growth, upload speed, compaction and where the time went. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, seriesEvidence } from "../../core/finding.ts";
import { formatBytes } from "../../core/format-units.ts";
import { latestOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { type DurationSignals, dominantPhase, mbPerSecond, rateMeaningful, uploadSlow } from "./diagnose.ts";
import { diagnosisOf, secondsText } from "./diagnosis.ts";
import {
  COMPACTION_WINDOW_SECONDS,
  checkpointPhasesProbe,
  compactionLogsProbe,
  stateBytesProbe,
} from "./probes.ts";
import { COMPACTION_BUSY_LINES, durationSignals, maxCompactionLines } from "./signals.ts";
import { CAUSE_TITLE, PHASE_TEXT } from "./texts.ts";

export function phasesFinding(results: ProbeResults, s: DurationSignals): Finding | undefined {
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

/** B. Network: judged only when the upload dominates and, for a rate, the checkpoint is big enough. */
export function networkFinding(s: DurationSignals): Finding | undefined {
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
