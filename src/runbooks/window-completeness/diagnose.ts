/**
 * The deciding logic of the window-completeness runbook, pure: signals in, likely cause out.
 * The causes are the seed's Step 3 branches (A late arrivals, B watermark stuck, C state backend
 * loss, D window never triggered), plus what the seed implies around them: a watermark stuck
 * because the source topic stopped receiving records (an upstream issue, not a stalled Flink), and
 * completeness already back over the threshold.
 */

import { type MissingWatermarks, missingWatermarkText } from "../flink-watermarks.ts";

export type CompletenessCause =
  | "recovered"
  | "watermark-stuck"
  | "source-idle"
  | "window-not-fired"
  | "state-backend-loss"
  | "late-arrivals"
  | "unknown";

export interface CompletenessSignals {
  /** thresholds.windowCompletenessPercent (95). */
  readonly thresholdPercent: number;
  /** The seed: late records above 5% of a window = an issue with data freshness. */
  readonly lateFractionLimit: number;
  readonly watermarkStuckMs: number;
  /** RecordsOut / state reads below this fraction of RecordsIn = records lost (runbooks.throughputRatioFloor). */
  readonly throughputFloor: number;

  /** WindowCompleteness (Average, 5-min periods) of the most recent window, in percent. */
  readonly latestPercent?: number;
  /** The lowest 5-min completeness over the last 30 minutes, and its window. */
  readonly worstPercent?: number;
  readonly worstWindowId?: string;

  /** Records in / out / late of the worst window (Logs Insights). */
  readonly windowRecordsIn?: number;
  readonly windowRecordsOut?: number;
  readonly windowRecordsLate?: number;

  /** Latest WatermarkLagMs. */
  readonly watermarkLagMs?: number;
  /** How far the lowest vertex watermark in Flink trails now (corroboration). */
  readonly flinkWatermarkLagMs?: number;
  /** Flink vertices whose subtasks have no watermark at all (Long.MIN_VALUE): their windows never fire. */
  readonly missingWatermarks?: MissingWatermarks;
  /** Age of the newest record on the source topic. */
  readonly newestRecordAgeMs?: number;

  /** StateBackendReadCount and RecordsIn over the same minutes. */
  readonly stateReads?: number;
  readonly recordsIn?: number;

  /** Windows that should have fired in the last 30 minutes but have no log line. */
  readonly missingWindows?: readonly string[];
}

export interface CompletenessDiagnosis {
  readonly cause: CompletenessCause;
  /** Every branch whose signal is present (the chosen one first): more than one = conflicting. */
  readonly matched: readonly CompletenessCause[];
  /** in - out - late of the worst window. */
  readonly gap: number | undefined;
  readonly lateFraction: number | undefined;
  readonly watermarkStuck: boolean | undefined;
  readonly sourceActive: boolean | undefined;
  readonly because: string;
}

export function gapOf(s: CompletenessSignals): number | undefined {
  if (s.windowRecordsIn === undefined || s.windowRecordsOut === undefined) return undefined;
  return s.windowRecordsIn - s.windowRecordsOut - (s.windowRecordsLate ?? 0);
}

export function lateFractionOf(s: CompletenessSignals): number | undefined {
  if (s.windowRecordsIn === undefined || s.windowRecordsLate === undefined || s.windowRecordsIn === 0) {
    return undefined;
  }
  return s.windowRecordsLate / s.windowRecordsIn;
}

/**
 * The metric says so; Flink's own watermarks decide when the metric is missing. A subtask without
 * any watermark (Long.MIN_VALUE) is stuck whatever the metric says: its windows never fire.
 */
export function isWatermarkStuck(s: CompletenessSignals): boolean | undefined {
  if (s.missingWatermarks !== undefined) return true;
  const lag = s.watermarkLagMs ?? s.flinkWatermarkLagMs;
  return lag === undefined ? undefined : lag > s.watermarkStuckMs;
}

/** The source topic still receives records: its newest one is younger than the stuck threshold. */
export function isSourceActive(s: CompletenessSignals): boolean | undefined {
  return s.newestRecordAgeMs === undefined ? undefined : s.newestRecordAgeMs <= s.watermarkStuckMs;
}

export function isStateShort(s: CompletenessSignals): boolean | undefined {
  if (s.stateReads === undefined || s.recordsIn === undefined || s.recordsIn === 0) return undefined;
  return s.stateReads < s.throughputFloor * s.recordsIn;
}

function pct(n: number): string {
  return `${Number(n.toFixed(1))}%`;
}

function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function secs(ms: number): string {
  return `${count(ms / 1000)} s`;
}

export function diagnoseCompleteness(s: CompletenessSignals): CompletenessDiagnosis {
  const gap = gapOf(s);
  const lateFraction = lateFractionOf(s);
  const watermarkStuck = isWatermarkStuck(s);
  const sourceActive = isSourceActive(s);
  const stateShort = isStateShort(s);
  const missing = s.missingWindows ?? [];
  const below = s.worstPercent !== undefined && s.worstPercent < s.thresholdPercent;
  const lag = s.watermarkLagMs ?? s.flinkWatermarkLagMs;

  const matched: CompletenessCause[] = [];
  if (watermarkStuck === true) matched.push(sourceActive === false ? "source-idle" : "watermark-stuck");
  if (missing.length > 0 && watermarkStuck !== true) matched.push("window-not-fired");
  if (stateShort === true) matched.push("state-backend-loss");
  if (lateFraction !== undefined && lateFraction > s.lateFractionLimit) matched.push("late-arrivals");

  const d = (cause: CompletenessCause, because: string): CompletenessDiagnosis => ({
    cause,
    matched: [cause, ...matched.filter((m) => m !== cause)],
    gap,
    lateFraction,
    watermarkStuck,
    sourceActive,
    because,
  });

  if (!below && missing.length === 0 && watermarkStuck !== true && s.worstPercent !== undefined) {
    return d(
      "recovered",
      `every window of the last 30 minutes is at or over ${pct(s.thresholdPercent)} (lowest ${pct(s.worstPercent)})`,
    );
  }
  const first = matched[0];
  const worst =
    s.worstPercent === undefined ? "" : ` (${s.worstWindowId ?? "worst window"} at ${pct(s.worstPercent)})`;
  switch (first) {
    case "source-idle":
      return d(
        "source-idle",
        s.missingWatermarks !== undefined
          ? `${missingWatermarkText(s.missingWatermarks)}, and the newest record on the source topic is ${secs(s.newestRecordAgeMs ?? 0)} old: the source sends nothing to make one`
          : `the watermark trails by ${secs(lag ?? 0)} and the newest record on the source topic is ${secs(s.newestRecordAgeMs ?? 0)} old: the source stopped sending, Flink is not stalled`,
      );
    case "watermark-stuck":
      if (s.missingWatermarks !== undefined) {
        return d(
          "watermark-stuck",
          `${missingWatermarkText(s.missingWatermarks)}${
            sourceActive === true
              ? ` while the source topic still receives records (newest ${secs(s.newestRecordAgeMs ?? 0)} old)`
              : ""
          }${worst}`,
        );
      }
      return d(
        "watermark-stuck",
        `the watermark trails by ${secs(lag ?? 0)} (stuck over ${secs(s.watermarkStuckMs)})${
          sourceActive === true
            ? ` while the source topic still receives records (newest ${secs(s.newestRecordAgeMs ?? 0)} old): Flink is stalled`
            : ""
        }, so windows do not close${worst}`,
      );
    case "window-not-fired":
      return d(
        "window-not-fired",
        `${missing.join(", ")} never emitted while the watermark advances: the trigger did not fire`,
      );
    case "state-backend-loss":
      return d(
        "state-backend-loss",
        `the state backend saw ${count(s.stateReads ?? 0)} reads for ${count(s.recordsIn ?? 0)} records in (${pct(((s.stateReads ?? 0) / (s.recordsIn ?? 1)) * 100)}): records are lost in state${worst}`,
      );
    case "late-arrivals":
      return d(
        "late-arrivals",
        `${count(s.windowRecordsLate ?? 0)} of ${count(s.windowRecordsIn ?? 0)} records of ${s.worstWindowId ?? "the window"} arrived late (${pct((lateFraction ?? 0) * 100)}, over ${pct(s.lateFractionLimit * 100)}): records arrive after the allowed lateness`,
      );
    default:
      return d(
        "unknown",
        s.worstPercent === undefined
          ? "no WindowCompleteness datapoints and no branch signal"
          : `completeness fell to ${pct(s.worstPercent)}${s.worstWindowId ? ` in ${s.worstWindowId}` : ""}${
              gap !== undefined ? `, ${count(gap)} records unaccounted` : ""
            } but no branch's signal is present`,
      );
  }
}
