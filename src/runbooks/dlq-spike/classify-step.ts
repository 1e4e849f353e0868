/** Step 2 (Classify): the DLQ breakdown by error type. */
import type { AppConfig } from "../../config/schema.ts";
import { finding } from "../../core/finding.ts";
import { formatCount, formatPercent } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { unreadStep } from "../unread-step.ts";
import { ERROR_TYPE_MEANING, totalOf } from "./diagnose.ts";
import { queryBlock } from "./diagnosis.ts";
import { breakdownOf, breakdownProbe, rolloutHistoryProbe } from "./probes.ts";

export function assessClassify(results: ProbeResults, config: AppConfig): StepAssessment {
  const rows = breakdownOf(results);
  if (rows === undefined)
    return unreadStep(
      results,
      [breakdownProbe],
      "The DLQ breakdown by error_type",
      "The DLQ breakdown by error_type could not be read.",
    );
  const total = totalOf(rows);
  const query = read(results, breakdownProbe)!;
  const history = read(results, rolloutHistoryProbe);
  const now = history?.readAt;
  if (total === 0) {
    return {
      status: "warning",
      summary: "The logs show no DLQ records (dlq = true) by error_type in the last 10 minutes.",
      findings: [
        finding("warning", "No DLQ records in the logs", {
          detail: `The query found nothing in log group \`${config.pipeline.logGroup}\`: the job may log DLQ records elsewhere or without \`dlq = true\`.`,
        }),
      ],
    };
  }
  const top = rows[0]!;
  const f = finding(
    top.count / total > 0.5 ? "warning" : "info",
    `DLQ by error type: ${top.type} ${formatPercent(top.count / total)}`,
    {
      detail: `${formatCount(total)} DLQ records in the last 10 minutes${query.outcome === "stopped-at-deadline" ? " (partial: the query was stopped at its deadline)" : ""}.`,
      evidence: [
        {
          kind: "table",
          columns: ["ERROR_TYPE", "COUNT", "SHARE", "WHAT IT INDICATES"],
          rows: rows.map((r) => [
            r.type,
            formatCount(r.count),
            formatPercent(r.count / total),
            ERROR_TYPE_MEANING[r.type] ?? "not in the runbook's list",
          ]),
        },
        ...(now ? [queryBlock("dlq-by-error-type", config, now)] : []),
      ],
    },
  );
  return {
    status: "info",
    summary: `${rows.map((r) => `${r.type} ${formatPercent(r.count / total)}`).join(", ")} of ${formatCount(total)} DLQ records in 10 minutes.`,
    findings: [f],
  };
}
