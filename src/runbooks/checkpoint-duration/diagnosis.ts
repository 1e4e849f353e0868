/** The checkpoint-duration diagnosis read from probe results, and small formatting helpers the steps share. */
import type { AppConfig } from "../../config/schema.ts";
import type { ProbeResults } from "../../core/runbook.ts";
import { type DurationDiagnosis, diagnoseDuration } from "./diagnose.ts";
import { durationSignals } from "./signals.ts";

export function diagnosisOf(results: ProbeResults, config: AppConfig): DurationDiagnosis {
  return diagnoseDuration(durationSignals(results, config));
}

export function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
