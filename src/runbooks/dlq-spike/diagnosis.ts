/** The dlq-spike diagnosis read from probe results, and the Logs Insights command blocks the steps show. */
import type { AppConfig } from "../../config/schema.ts";
import type { EvidenceBlock } from "../../core/finding.ts";
import {
  type LogQueryId,
  logQueryRange,
  renderLogQuery,
  renderStartQueryCommand,
} from "../../core/log-queries.ts";
import { type ProbeResults, read } from "../../core/runbook.ts";
import { type DlqDiagnosis, diagnoseDlq } from "./diagnose.ts";
import { rolloutHistoryProbe } from "./probes.ts";
import { dlqSignals } from "./signals.ts";

export function diagnosisOf(results: ProbeResults, config: AppConfig): DlqDiagnosis {
  return diagnoseDlq(dlqSignals(results, config));
}

export function hhmm(at: Date): string {
  return `${at.toISOString().slice(11, 16)} UTC`;
}

export function queryBlock(id: LogQueryId, config: AppConfig, now: Date, minutes?: number): EvidenceBlock {
  const range =
    minutes === undefined
      ? logQueryRange(id, now)
      : { start: new Date(now.getTime() - minutes * 60_000), end: now };
  return {
    kind: "code",
    text: renderStartQueryCommand({
      logGroups: [config.pipeline.logGroup],
      query: renderLogQuery(id),
      ...range,
    }),
  };
}

export function queryBlockAtSpike(
  id: LogQueryId,
  results: ProbeResults,
  config: AppConfig,
): EvidenceBlock | undefined {
  const history = read(results, rolloutHistoryProbe);
  return history ? queryBlock(id, config, history.readAt) : { kind: "code", text: renderLogQuery(id) };
}
