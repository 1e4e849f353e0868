/** Pure: probe results -> the signals the window-completeness diagnosis decides on. */
import type { AppConfig } from "../../config/schema.ts";
import { latestOf } from "../../core/metric-math.ts";
import { type ProbeResults, read } from "../../core/runbook.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import { flinkWatermarkLag, flinkWatermarksProbe, missingWatermarks } from "../flink-watermarks.ts";
import { type CompletenessDiagnosis, type CompletenessSignals, diagnoseCompleteness } from "./diagnose.ts";
import {
  completenessProbe,
  type LogQueryRun,
  recordsInProbe,
  type SourceSample,
  sourceNewestProbe,
  stateReadsProbe,
  watermarkLagProbe,
  windowEmitsProbe,
  windowRecordsProbe,
} from "./probes.ts";
import { expectedWindowIds, sumField } from "./windows.ts";

/** The seed: late records above 5% of a window mean a data-freshness issue. */
export const LATE_FRACTION_LIMIT = 0.05;

export { flinkWatermarkLag } from "../flink-watermarks.ts";

export function newestRecordAge(s: SourceSample): number | undefined {
  const times = s.sample.records.map((r) => Date.parse(r.timestamp)).filter((t) => !Number.isNaN(t));
  return times.length === 0 ? undefined : Math.max(0, s.at.getTime() - Math.max(...times));
}

/** Window ids that should have fired in the query's range but have no row; undefined when unsure. */
export function missingWindowsOf(run: LogQueryRun): string[] | undefined {
  if (run.result.outcome !== "complete") return undefined;
  const seen = new Set(run.result.rows.map((r) => r.window_id).filter((w): w is string => w !== undefined));
  return expectedWindowIds(run.start, run.end).filter((id) => !seen.has(id));
}

/** Sums of two per-minute series over the minutes both have (a missing datapoint is not a loss). */
export function pairedSums(
  a: readonly MetricPoint[],
  b: readonly MetricPoint[],
): { a: number; b: number } | undefined {
  const byTime = new Map(b.map((p) => [p.at.getTime(), p.value]));
  let sa = 0;
  let sb = 0;
  let n = 0;
  for (const p of a) {
    const other = byTime.get(p.at.getTime());
    if (other === undefined) continue;
    sa += p.value;
    sb += other;
    n++;
  }
  return n === 0 ? undefined : { a: sa, b: sb };
}

export function completenessSignals(results: ProbeResults, config: AppConfig): CompletenessSignals {
  const view = read(results, completenessProbe);
  const records = read(results, windowRecordsProbe);
  const rows = records?.result.rows ?? [];
  const watermark = read(results, watermarkLagProbe);
  const flink = read(results, flinkWatermarksProbe);
  const source = read(results, sourceNewestProbe);
  const stateReads = read(results, stateReadsProbe);
  const recordsIn = read(results, recordsInProbe);
  const emits = read(results, windowEmitsProbe);

  const inSum = sumField(rows, "records_in");
  const outSum = sumField(rows, "records_out");
  const lateSum = sumField(rows, "records_late");
  const flinkLag = flink === undefined ? undefined : flinkWatermarkLag(flink);
  const noWatermark = flink === undefined ? undefined : missingWatermarks(flink);
  const age = source === undefined ? undefined : newestRecordAge(source);
  const missing = emits === undefined ? undefined : missingWindowsOf(emits);
  const latest = view === undefined ? undefined : latestOf(view.series);
  const wm = watermark === undefined ? undefined : latestOf(watermark);
  const state =
    stateReads === undefined || recordsIn === undefined ? undefined : pairedSums(recordsIn, stateReads);
  return {
    thresholdPercent: config.thresholds.windowCompletenessPercent,
    lateFractionLimit: LATE_FRACTION_LIMIT,
    watermarkStuckMs: config.runbooks.watermarkStuckMs,
    throughputFloor: config.runbooks.throughputRatioFloor,
    ...(latest === undefined ? {} : { latestPercent: latest.value }),
    ...(view?.worst === undefined
      ? {}
      : { worstPercent: view.worst.value, worstWindowId: view.worst.windowId }),
    ...(inSum === undefined ? {} : { windowRecordsIn: inSum }),
    ...(outSum === undefined ? {} : { windowRecordsOut: outSum }),
    ...(lateSum === undefined ? {} : { windowRecordsLate: lateSum }),
    ...(wm === undefined ? {} : { watermarkLagMs: wm.value }),
    ...(flinkLag === undefined ? {} : { flinkWatermarkLagMs: flinkLag }),
    ...(noWatermark === undefined ? {} : { missingWatermarks: noWatermark }),
    ...(age === undefined ? {} : { newestRecordAgeMs: age }),
    ...(state === undefined ? {} : { recordsIn: state.a, stateReads: state.b }),
    ...(missing === undefined ? {} : { missingWindows: missing }),
  };
}

export function completenessDiagnosisOf(results: ProbeResults, config: AppConfig): CompletenessDiagnosis {
  return diagnoseCompleteness(completenessSignals(results, config));
}
