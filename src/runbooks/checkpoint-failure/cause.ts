/** What the checkpoint-failure runbook concludes from its probe results, and each cause's title. */
import type { AppConfig } from "../../config/schema.ts";
import type { ProbeResults } from "../../core/runbook.ts";
import {
  type CheckpointFailureCause,
  type CheckpointFailureDiagnosis,
  diagnoseCheckpointFailure,
  KIND_TITLE,
} from "./diagnose.ts";
import { checkpointFailureSignals } from "./signals.ts";
export const CAUSE_TITLE: Record<CheckpointFailureCause, string> = {
  ...KIND_TITLE,
  "job-down": "the job or its pods are down",
  recovered: "checkpoints complete again",
  unknown: "not determined",
};

export function diagnosisOf(results: ProbeResults, config: AppConfig): CheckpointFailureDiagnosis {
  return diagnoseCheckpointFailure(checkpointFailureSignals(results, config.pipeline.statePvc));
}
