/** The consumer-lag diagnosis read from probe results (diagnose.ts decides on the signals). */
import type { AppConfig } from "../../config/schema.ts";
import type { ProbeResults } from "../../core/runbook.ts";
import { diagnoseLag, type LagDiagnosis } from "./diagnose.ts";
import { lagSignals } from "./signals.ts";

export function diagnosisOf(results: ProbeResults, config: AppConfig): LagDiagnosis {
  return diagnoseLag(lagSignals(results, config));
}
