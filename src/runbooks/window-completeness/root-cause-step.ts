/** Step 3 (Root Cause): late arrivals, watermarks, state and window emits. */
import type { AppConfig } from "../../config/schema.ts";
import { type EvidenceBlock, type Finding, finding, seriesEvidence } from "../../core/finding.ts";
import { formatCount } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { missingWatermarkText } from "../flink-watermarks.ts";
import type { CompletenessDiagnosis } from "./diagnose.ts";
import { diagnosisOf, MAX_ROWS, pct, queryBlock, secs } from "./diagnosis.ts";
import {
  flinkWatermarksProbe,
  lateArrivalsProbe,
  recordsInProbe,
  sourceNewestProbe,
  stateReadsProbe,
  watermarkLagProbe,
  windowEmitsProbe,
} from "./probes.ts";
import {
  completenessSignals,
  flinkWatermarkLag,
  LATE_FRACTION_LIMIT,
  missingWindowsOf,
  newestRecordAge,
} from "./signals.ts";
import { CAUSE_TITLE } from "./texts.ts";
import { numberField } from "./windows.ts";

export function lateFinding(
  results: ProbeResults,
  d: CompletenessDiagnosis,
  config: AppConfig,
): Finding | undefined {
  const run = read(results, lateArrivalsProbe);
  if (run === undefined && d.lateFraction === undefined) return undefined;
  const over = d.lateFraction !== undefined && d.lateFraction > LATE_FRACTION_LIMIT;
  const rows = (run?.result.rows ?? [])
    .map((r) => ({ id: r.window_id ?? "-", late: numberField(r, "total_late") ?? 0 }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return finding(
    over ? "warning" : "ok",
    d.lateFraction === undefined
      ? `A. Late arrivals: ${formatCount(rows.reduce((a, r) => a + r.late, 0))} late records over ${rows.length} window(s)`
      : `A. Late arrivals: ${pct(d.lateFraction * 100)} of the worst window${over ? ` (over ${pct(LATE_FRACTION_LIMIT * 100)}: data freshness issue)` : ""}`,
    {
      ...(over
        ? {
            detail:
              "Records are arriving 5+ minutes late: either the source system delays messages or the watermark is stuck (B).",
          }
        : {}),
      evidence: [
        ...(rows.length > 0
          ? [
              {
                kind: "table" as const,
                columns: ["WINDOW", "TOTAL LATE"],
                rows: rows.slice(-MAX_ROWS).map((r) => [r.id, formatCount(r.late)]),
              },
            ]
          : []),
        ...(run ? [queryBlock(run, config)] : []),
      ],
    },
  );
}

export function watermarkFinding(
  results: ProbeResults,
  d: CompletenessDiagnosis,
  config: AppConfig,
): Finding | undefined {
  const series = read(results, watermarkLagProbe);
  const flink = read(results, flinkWatermarksProbe);
  const source = read(results, sourceNewestProbe);
  if (series === undefined && flink === undefined && source === undefined) return undefined;
  const s = completenessSignals(results, config);
  const lag = s.watermarkLagMs ?? s.flinkWatermarkLagMs;
  const evidence: EvidenceBlock[] = [];
  if (series !== undefined && series.length > 0)
    evidence.push(seriesEvidence("WatermarkLagMs", series, "ms"));
  if (flink !== undefined) {
    evidence.push({
      kind: "table",
      columns: ["VERTEX", "LOWEST WATERMARK", "BEHIND"],
      rows: flink.vertices.map((v) => [
        v.name,
        v.min !== null
          ? v.min.toISOString()
          : v.subtasks === 0
            ? "none (source)"
            : v.withoutWatermark !== undefined
              ? `none: ${v.withoutWatermark} of ${v.subtasks} subtask(s) at Long.MIN_VALUE`
              : "none",
        v.min === null ? "-" : secs(flink.at.getTime() - v.min.getTime()),
      ]),
    });
  }
  if (source !== undefined) {
    evidence.push({
      kind: "table",
      columns: ["PARTITION", "OFFSET", "TIMESTAMP"],
      rows: source.sample.records.map((r) => [String(r.partition), String(r.offset), r.timestamp]),
    });
  }
  const age = source === undefined ? undefined : newestRecordAge(source);
  const flinkLag = flink === undefined ? undefined : flinkWatermarkLag(flink);
  const missing = s.missingWatermarks;
  const parts = [
    missing !== undefined
      ? missing.none
        ? "no watermark at all"
        : "subtasks without a watermark"
      : lag === undefined
        ? "watermark lag unknown"
        : `watermark ${secs(lag)} behind`,
    flinkLag !== undefined && s.watermarkLagMs !== undefined
      ? `Flink's lowest vertex watermark ${secs(flinkLag)} behind`
      : "",
    age === undefined
      ? source !== undefined
        ? `no records on ${config.pipeline.sourceTopic}`
        : ""
      : `newest record on ${config.pipeline.sourceTopic} ${secs(age)} old`,
  ].filter(Boolean);
  const stuck = d.watermarkStuck === true;
  return finding(
    stuck ? "critical" : lag === undefined ? "info" : "ok",
    `B. Watermark: ${parts.join("; ")}`,
    {
      detail:
        missing !== undefined
          ? `${missingWatermarkText(missing).replace(/^./, (c) => c.toUpperCase())}: windows never close. ${d.sourceActive === false ? "Nothing arrives on the source topic to make one: an upstream issue." : "Check the watermark strategy of the source (assigned? idleness for idle partitions?) and whether records carry event times."}`
          : lag === undefined
            ? "Neither WatermarkLagMs nor Flink's watermarks could be read: whether windows close is unknown."
            : stuck
              ? d.sourceActive === false
                ? "The watermark is stuck because nothing arrives: an upstream issue. Restarting Flink will not help."
                : d.sourceActive === true
                  ? "Records exist in Kafka but the watermark does not move: Flink is stalled, so windows never close."
                  : "The watermark is stuck (over the threshold); whether the source still receives records is unknown."
              : `Under the ${secs(config.runbooks.watermarkStuckMs)} threshold: windows close.`,
      evidence,
    },
  );
}

export function stateFinding(results: ProbeResults, config: AppConfig): Finding | undefined {
  const reads = read(results, stateReadsProbe);
  const rin = read(results, recordsInProbe);
  if (reads === undefined || rin === undefined) return undefined;
  const s = completenessSignals(results, config);
  if (s.stateReads === undefined || s.recordsIn === undefined) {
    return finding(
      "info",
      "C. State backend: no StateBackendReadCount / RecordsIn datapoints to compare",
      {},
    );
  }
  const ratio = s.recordsIn === 0 ? 1 : s.stateReads / s.recordsIn;
  const short = ratio < config.runbooks.throughputRatioFloor;
  return finding(
    short ? "critical" : "ok",
    `C. State backend: ${formatCount(s.stateReads)} state reads for ${formatCount(s.recordsIn)} records in (${pct(ratio * 100)})`,
    {
      detail: short
        ? "Fewer state accesses than records in: records are not reaching state (state corruption / loss)."
        : "State reads keep up with records in: the state backend is not losing records.",
      evidence: [
        seriesEvidence("StateBackendReadCount per minute", reads),
        seriesEvidence("RecordsIn per minute", rin),
      ],
    },
  );
}

export function emitsFinding(
  results: ProbeResults,
  d: CompletenessDiagnosis,
  config: AppConfig,
): Finding | undefined {
  const run = read(results, windowEmitsProbe);
  if (run === undefined) return undefined;
  const missing = missingWindowsOf(run);
  const ids = run.result.rows
    .map((r) => r.window_id)
    .filter((w): w is string => w !== undefined)
    .sort();
  return finding(
    missing === undefined
      ? "info"
      : missing.length > 0
        ? d.cause === "window-not-fired"
          ? "critical"
          : "warning"
        : "ok",
    missing === undefined
      ? "D. Window emits: query stopped early, cannot tell which windows are missing"
      : missing.length > 0
        ? `D. ${missing.length} window(s) never emitted: ${missing.join(", ")}`
        : `D. Every window of the last 30 minutes emitted (${ids.length} window ids)`,
    {
      ...(missing !== undefined && missing.length > 0
        ? {
            detail:
              d.watermarkStuck === true
                ? "Missing windows follow from the stuck watermark (B): event-time windows fire only when it passes their end."
                : "The watermark advances but the windows did not fire: the trigger logic is broken.",
          }
        : {}),
      evidence: [queryBlock(run, config)],
    },
  );
}

export function assessRootCause(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const findings = [
    lateFinding(results, d, config),
    watermarkFinding(results, d, config),
    stateFinding(results, config),
    emitsFinding(results, d, config),
  ].filter((f): f is Finding => f !== undefined);
  const conflicting =
    d.matched.length > 1
      ? ` Also present: ${d.matched
          .slice(1)
          .map((c) => CAUSE_TITLE[c])
          .join("; ")}.`
      : "";
  return {
    status: d.cause === "recovered" ? "ok" : d.cause === "unknown" ? "info" : "critical",
    summary: `Likely cause: ${CAUSE_TITLE[d.cause]} — ${d.because}.${conflicting}`,
    findings,
  };
}
