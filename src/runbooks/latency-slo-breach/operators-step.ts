/** Step 2 (Identify Slow Component): per-operator latency. */
import type { AppConfig } from "../../config/schema.ts";
import { type EvidenceBlock, finding } from "../../core/finding.ts";
import { formatCount } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { unreadStep } from "../unread-step.ts";
import { ms } from "./diagnose.ts";
import { partialNote } from "./diagnosis.ts";
import { operatorLatencyProbe } from "./probes.ts";
import { parseOperators } from "./signals.ts";

export function assessOperators(results: ProbeResults, config: AppConfig): StepAssessment {
  const answer = read(results, operatorLatencyProbe);
  if (answer === undefined)
    return unreadStep(
      results,
      [operatorLatencyProbe],
      "CloudWatch Logs",
      "CloudWatch Logs could not be read.",
    );
  const operators = parseOperators(answer.result.rows);
  const query: EvidenceBlock = { kind: "code", text: answer.query };
  if (operators.length === 0) {
    return {
      status: "warning",
      summary: `No operator latency in log group ${config.pipeline.logGroup} over the last 10 minutes.`,
      findings: [
        finding("warning", "No per-operator latency in the logs", {
          detail: `The query found no rows with \`operator\` and \`latency_ms\` in \`${config.pipeline.logGroup}\`.${partialNote(answer)}`,
          evidence: [query],
        }),
      ],
    };
  }
  const slowest = operators[0]!;
  const f = finding(
    slowest.p99Ms > config.thresholds.latencyP99Seconds * 1000 * 0.4 ? "warning" : "info",
    `${slowest.operator} is the slowest operator: p99 ${ms(slowest.p99Ms)}`,
    {
      detail: `Latency per operator over the last 10 minutes, slowest first.${partialNote(answer)}`,
      evidence: [
        {
          kind: "table",
          columns: ["OPERATOR", "AVG", "P95", "P99", ""],
          rows: operators.map((o, i) => [
            o.operator,
            formatCount(o.avgMs),
            formatCount(o.p95Ms),
            formatCount(o.p99Ms),
            i === 0 ? "<- SLOW" : "",
          ]),
        },
        query,
      ],
    },
  );
  return {
    status: f.severity,
    summary: `${slowest.operator} takes ${ms(slowest.p99Ms)} at p99 (avg ${ms(slowest.avgMs)}).`,
    findings: [f],
  };
}
