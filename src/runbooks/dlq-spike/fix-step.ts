/** Step 4 (Fix): rollback, parser fix or reprocessing, by cause. */
import type { AppConfig } from "../../config/schema.ts";
import { type EvidenceBlock, type Finding, finding, type Proposal } from "../../core/finding.ts";
import { renderLogQuery } from "../../core/log-queries.ts";
import { metricOptionsFor, resolveMetric } from "../../core/metric-catalog.ts";
import type { ProbeResults, StepAssessment } from "../../core/runbook.ts";
import { diagnosisOf, queryBlockAtSpike } from "./diagnosis.ts";
import { describeDrift, EXPECTED_ORDER_FIELDS } from "./schema-drift.ts";
import { revisionsOf, sourceDriftOf } from "./signals.ts";
import { FIX_TEXT } from "./texts.ts";

export function rollbackProposal(results: ProbeResults, config: AppConfig): Proposal | undefined {
  const revisions = revisionsOf(results);
  const previous = revisions?.previous;
  if (!revisions || previous === undefined) return undefined;
  const { namespace, taskmanagerDeployment } = config.pipeline;
  return {
    action: "rollback",
    label: `Roll back ${taskmanagerDeployment} to revision ${previous.revision} (${previous.images.join(", ")})`,
    params: {
      namespace,
      deployment: taskmanagerDeployment,
      toRevision: previous.revision,
      fromRevision: revisions.current.revision,
    },
  };
}

export function watchCommand(config: AppConfig): string {
  const m = resolveMetric("dlqRecordCount", metricOptionsFor(config));
  return `watch -n 5 'aws cloudwatch get-metric-statistics --namespace ${m.namespace} --metric-name ${m.metric} --start-time $(date -u -d "5 minutes ago" +%Y-%m-%dT%H:%M:%S) --end-time $(date -u +%Y-%m-%dT%H:%M:%S) --period 60 --statistics Sum | jq ".Datapoints[-1].Sum"'`;
}

export function parserFix(results: ProbeResults): string {
  const drift = sourceDriftOf(results);
  const lines = [
    "def parse_order(json_str: str) -> Dict:",
    "    data = json.loads(json_str)",
    "    return {",
  ];
  const fields = Object.keys(EXPECTED_ORDER_FIELDS);
  for (const field of fields) {
    const renamed = drift?.renamed.find((r) => r.from === field);
    lines.push(
      renamed
        ? `        "${field}": data.get("${renamed.to}") or data.get("${field}"),  # source now sends "${renamed.to}"`
        : `        "${field}": data["${field}"],`,
    );
  }
  lines.push("    }");
  return lines.join("\n");
}

export function assessFix(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const { sourceTopic } = config.pipeline;
  const findings: Finding[] = [];
  const proposals: Proposal[] = [];
  const code = (text: string): EvidenceBlock => ({ kind: "code", text });
  switch (d.cause) {
    case "parse-error-deployment": {
      const p = rollbackProposal(results, config);
      if (p) proposals.push(p);
      findings.push(
        finding("warning", "Option A: code bug — roll back the recent deployment", {
          detail: p
            ? `${p.label}, then watch the DLQ rate fall while it rolls out. Find the commit to revert in the job's repository.`
            : "There is no earlier revision to roll back to: revert the commit in the job's repository and redeploy.",
          evidence: [code(`git log --oneline -10\n${watchCommand(config)}`)],
          proposals,
        }),
      );
      break;
    }
    case "parse-error-schema-change": {
      const drift = sourceDriftOf(results);
      const rename = drift?.renamed[0];
      findings.push(
        finding("warning", "Option B: source data schema changed — update the parser", {
          detail: `${drift ? describeDrift(drift) : "The source changed shape"}. Make the parser accept both forms, test it, deploy it; then reprocess the DLQ.`,
          evidence: [
            code(
              `kafka-console-consumer --bootstrap-server $KAFKA_BROKER --topic ${sourceTopic} --max-messages 10 | head -3`,
            ),
            code(parserFix(results)),
            code(
              `git commit -am "Handle schema change: ${rename ? `${rename.to} -> ${rename.from}` : "source format"}"\ngit push origin main`,
            ),
          ],
        }),
      );
      if (d.openBranches.length > 0) {
        const p = rollbackProposal(results, config);
        findings.push(
          finding("info", FIX_TEXT["parse-error-schema-change"].title, {
            detail: FIX_TEXT["parse-error-schema-change"].detail,
            ...(p ? { proposals: [p] } : {}),
          }),
        );
      }
      break;
    }
    case "parse-error-traffic-pattern": {
      const drift = sourceDriftOf(results);
      const sender = drift?.nonConformingBySender[0]?.sender;
      findings.push(
        finding("warning", "New traffic pattern — add validation for the new data", {
          detail: `${sender ? `Contact the owner of \`${sender}\` about the records they send, and ` : ""}add validation that rejects (or maps) their format before parsing, so one sender cannot fill the DLQ.`,
        }),
      );
      break;
    }
    case "validation-error":
      findings.push(
        finding("warning", "Option C: validation rule changed — check which orders fail", {
          detail:
            "See the rules broken in Step 3. If a rule is too strict (e.g. $0-1 promo or test orders), relax it with the product team, e.g.:",
          evidence: [
            code(
              `if not (0 <= order.total <= 999999):\n    raise ValidationError(f"Order amount out of range: $\{order.total}")`,
            ),
            queryBlockAtSpike("validation-failures", results, config),
          ].filter((b): b is EvidenceBlock => b !== undefined),
        }),
      );
      break;
    case "duplicate":
      findings.push(
        finding("warning", "Duplicates — check the dedup window", {
          detail: `Orders whose order_id was already seen. Check whether the producer is resending (a retry storm, an offset reset of ${sourceTopic}) or the dedup window shrank in the last deployment.`,
        }),
      );
      break;
    case "timeout":
      findings.push(
        finding("warning", FIX_TEXT.timeout.title, {
          detail: FIX_TEXT.timeout.detail,
          evidence: [code(renderLogQuery("enrichment-latency-per-minute"))],
        }),
      );
      break;
    case "external-api-error":
      findings.push(
        finding("warning", FIX_TEXT["external-api-error"].title, {
          detail: FIX_TEXT["external-api-error"].detail,
        }),
      );
      break;
    case "below-threshold":
      findings.push(
        finding("ok", FIX_TEXT["below-threshold"].title, {
          detail: FIX_TEXT["below-threshold"].detail,
        }),
      );
      break;
    default:
      findings.push(
        finding("info", "Work the branches by hand", {
          detail: `The bot could not single out a cause. Check recent commits, the source data, and the samples:`,
          evidence: [
            code(
              `git log --oneline -10\nkafka-console-consumer --bootstrap-server $KAFKA_BROKER --topic ${sourceTopic} --max-messages 10 | head -3`,
            ),
          ],
        }),
      );
  }
  return {
    status: "info",
    summary:
      proposals.length > 0
        ? `Proposed: ${proposals.map((p) => p.label).join(", ")}.`
        : (findings[0]?.title ?? ""),
    findings,
  };
}
