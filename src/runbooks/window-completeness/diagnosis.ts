/** The window-completeness diagnosis read from probe results, and small formatting helpers the steps share. */
import type { AppConfig } from "../../config/schema.ts";
import type { EvidenceBlock } from "../../core/finding.ts";
import { renderStartQueryCommand } from "../../core/log-queries.ts";
import { formatCount } from "../../core/metric-math.ts";
import type { ProbeResults } from "../../core/runbook.ts";
import type { CompletenessDiagnosis } from "./diagnose.ts";
import type { LogQueryRun } from "./probes.ts";
import { completenessDiagnosisOf } from "./signals.ts";

export const MAX_ROWS = 12;

export function pct(n: number): string {
  return `${Number(n.toFixed(1))}%`;
}

export function hhmm(at: Date): string {
  return at.toISOString().slice(11, 16);
}

export function secs(ms: number): string {
  return `${formatCount(ms / 1000)} s`;
}

export function queryBlock(run: LogQueryRun, config: AppConfig): EvidenceBlock {
  return {
    kind: "code",
    text: renderStartQueryCommand({
      logGroups: [config.pipeline.logGroup],
      query: run.query,
      start: run.start,
      end: run.end,
    }),
  };
}

export function partialNote(run: LogQueryRun): string {
  return run.result.outcome === "complete"
    ? ""
    : ` The query was stopped at its deadline: these rows are not the full answer.${run.result.note ? ` ${run.result.note}` : ""}`;
}

export function diagnosisOf(results: ProbeResults, config: AppConfig): CompletenessDiagnosis {
  return completenessDiagnosisOf(results, config);
}
