/** Step 5 (Verify) and Step 6 (Post-Incident). */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding } from "../../core/finding.ts";
import { formatCount, latestOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { BRANCH_TITLE, VERIFY_RATE_PER_MINUTE } from "./diagnose.ts";
import { diagnosisOf, hhmm } from "./diagnosis.ts";
import { errorCounts } from "./error-counts.ts";
import { watchCommand } from "./fix-step.ts";
import { rolloutHistoryProbe, verifyErrorsProbe } from "./probes.ts";
import { dlqPoints, dlqSinceSpike, sourceDriftOf, spikeStartOf } from "./signals.ts";

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const points = dlqPoints(results);
  const latest = points === undefined ? undefined : latestOf(points);
  const threshold = config.thresholds.dlqRecordsPerMinute;
  const findings: Finding[] = [];
  const under = latest !== undefined && latest.value < VERIFY_RATE_PER_MINUTE;
  findings.push(
    finding(
      under ? "ok" : "info",
      `Expect the DLQ rate back under ${VERIFY_RATE_PER_MINUTE}/min within 2-3 minutes of the fix`,
      {
        detail:
          latest === undefined
            ? "The current rate is unknown (DLQRecordCount not read)."
            : `Now ${formatCount(latest.value)}/min${under ? ": already there." : "."} Re-run \`/runbook dlq\` after the fix to confirm.`,
        evidence: [{ kind: "code", text: watchCommand(config) }],
      },
    ),
  );
  const verify = read(results, verifyErrorsProbe);
  const spikeType = diagnosisOf(results, config).topType?.type;
  if (verify !== undefined) {
    const counts = errorCounts(verify.rows);
    const others = counts.filter((c) => c.type !== spikeType);
    findings.push(
      finding(
        others.length > 0 ? "info" : "ok",
        others.length > 0
          ? `Other errors in the last 3 minutes: ${others.map((o) => `${o.type} ${formatCount(o.count)}`).join(", ")}`
          : "No other error types in the last 3 minutes",
        {
          evidence:
            counts.length === 0
              ? []
              : [
                  {
                    kind: "table",
                    columns: ["ERROR_TYPE", "COUNT"],
                    rows: counts.map((c) => [c.type, formatCount(c.count)]),
                  },
                ],
        },
      ),
    );
  }
  const lost = points === undefined ? undefined : dlqSinceSpike(points, threshold);
  if (lost !== undefined && lost > 1000) {
    findings.push(
      finding("info", `Over 1,000 errors during the incident (${formatCount(lost)}): check for data loss`, {
        detail:
          "Compare the source topic's record count with the records that reached S3 for the incident window (Kafka record count vs. S3 records).",
        evidence: [
          {
            kind: "code",
            text: 'kafka-run-class kafka.tools.JmxTool \\\n  --object-name "kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions" | grep Value',
          },
        ],
      }),
    );
  }
  return {
    status: "info",
    summary:
      latest === undefined
        ? `Expect the DLQ rate back under ${VERIFY_RATE_PER_MINUTE}/min after the fix.`
        : `Now ${formatCount(latest.value)}/min; expect under ${VERIFY_RATE_PER_MINUTE}/min within 2-3 minutes of the fix.`,
    findings,
  };
}

export function assessPostIncident(results: ProbeResults, config: AppConfig): StepAssessment {
  const points = dlqPoints(results);
  const threshold = config.thresholds.dlqRecordsPerMinute;
  const d = diagnosisOf(results, config);
  const start = points === undefined ? undefined : spikeStartOf(points, threshold);
  const sent = points === undefined ? undefined : dlqSinceSpike(points, threshold);
  const findings: Finding[] = [];
  const drift = sourceDriftOf(results);
  const rename = drift?.renamed[0];
  if (sent !== undefined && start !== undefined) {
    findings.push(
      finding("info", `${formatCount(sent)} records sent to the DLQ since ${hhmm(start.at)}`, {
        detail: "They are in the DLQ (S3), not lost: re-ingest them once the fix is deployed.",
      }),
    );
  }
  const incident = [
    "# File: INCIDENTS.md",
    `# Date: ${(start?.at ?? read(results, rolloutHistoryProbe)?.readAt)?.toISOString().slice(0, 10) ?? "<date>"}`,
    `# Issue: ${d.topType ? `${d.topType.type} on ${sent === undefined ? "?" : formatCount(sent)} records` : "DLQ spike"}`,
    `# Root Cause: ${rename ? `Source system changed "${rename.from}" -> "${rename.to}"` : BRANCH_TITLE[d.cause]}`,
    "# Fix: <what was deployed>",
    "# Time to Fix: <minutes>",
    "# Data Loss: 0 (all records in DLQ, can reprocess after fix)",
  ].join("\n");
  findings.push(finding("info", "Document what happened", { evidence: [{ kind: "code", text: incident }] }));
  if (d.cause === "parse-error-schema-change" && rename) {
    findings.push(
      finding("info", "Add a test case to prevent regression", {
        evidence: [
          {
            kind: "code",
            text: [
              "def test_parser_handles_old_schema():",
              `    old_schema_json = '{"order_id": "1", "${rename.from}": "CUST-123"}'`,
              `    assert parse_order(old_schema_json)["${rename.from}"] == "CUST-123"`,
              "",
              "def test_parser_handles_new_schema():",
              `    new_schema_json = '{"order_id": "1", "${rename.to}": "CUST-123"}'`,
              `    assert parse_order(new_schema_json)["${rename.from}"] == "CUST-123"`,
            ].join("\n"),
          },
        ],
      }),
    );
  }
  return {
    status: "info",
    summary:
      sent === undefined
        ? "Document the incident and reprocess the DLQ after the fix."
        : `${formatCount(sent)} records went to the DLQ during the incident; reprocess them after the fix.`,
    findings,
  };
}
