/** The latency-slo-breach diagnosis read from probe results, and small helpers the steps share. */
import type { AppConfig } from "../../config/schema.ts";
import type { ProbeResults } from "../../core/runbook.ts";
import { diagnoseLatency, type LatencyDiagnosis } from "./diagnose.ts";
import type { LogQueryAnswer } from "./probes.ts";
import { latencySignals } from "./signals.ts";

export function diagnosisOf(results: ProbeResults, config: AppConfig): LatencyDiagnosis {
  return diagnoseLatency(latencySignals(results, config));
}

export function hhmm(at: Date): string {
  return at.toISOString().slice(11, 16);
}

export function partialNote(answer: LogQueryAnswer): string {
  return answer.result.outcome === "stopped-at-deadline"
    ? ` The query was stopped at its deadline: these rows are partial.${answer.result.note ? ` ${answer.result.note}` : ""}`
    : "";
}
