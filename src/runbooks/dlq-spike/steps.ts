/** The dlq-spike runbook's steps, named as in the seed, each with a pure assess. */
import type { AppConfig } from "../../config/schema.ts";
import {
  type EvidenceBlock,
  type Finding,
  finding,
  type Proposal,
  seriesEvidence,
} from "../../core/finding.ts";
import {
  type LogQueryId,
  logQueryRange,
  renderLogQuery,
  renderStartQueryCommand,
} from "../../core/log-queries.ts";
import { metricOptionsFor, resolveMetric } from "../../core/metric-catalog.ts";
import { formatCount, formatPercent, latestOf, maxOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment, type StepSpec } from "../../core/runbook.ts";
import { unreadStep } from "../unread-step.ts";
import {
  BRANCH_TITLE,
  type DlqCause,
  type DlqDiagnosis,
  deployedShortlyBefore,
  diagnoseDlq,
  ERROR_TYPE_MEANING,
  RECENT_DEPLOY_MINUTES,
  type RolloutHistory,
  totalOf,
  VERIFY_RATE_PER_MINUTE,
} from "./diagnose.ts";
import {
  breakdownProbe,
  dlqRateProbe,
  parseErrorsDominate,
  parseSamplesProbe,
  RECENT_ERRORS_MINUTES,
  recentErrorsProbe,
  rolloutHistoryProbe,
  sourceSampleProbe,
  validationSamplesProbe,
  verifyErrorsProbe,
} from "./probes.ts";
import { describeDrift, EXPECTED_ORDER_FIELDS, expectedFields, sourceDrifted } from "./schema-drift.ts";
import {
  breakdownOf,
  dlqPoints,
  dlqSignals,
  dlqSinceSpike,
  errorCounts,
  parseMessages,
  revisionsOf,
  sourceDriftOf,
  spikeStartOf,
} from "./signals.ts";

export function diagnosisOf(results: ProbeResults, config: AppConfig): DlqDiagnosis {
  return diagnoseDlq(dlqSignals(results, config));
}

function hhmm(at: Date): string {
  return `${at.toISOString().slice(11, 16)} UTC`;
}

function queryBlock(id: LogQueryId, config: AppConfig, now: Date, minutes?: number): EvidenceBlock {
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

// ---------------------------------------------------------------------------------------------
// Step 1: Assess

function revisionRows(history: RolloutHistory): string[][] {
  return [...history.revisions]
    .sort((a, b) => b.revision - a.revision)
    .slice(0, 3)
    .map((r) => [
      `${r.revision}${r.current ? " (current)" : ""}`,
      r.images.join(", "),
      r.changeCause ?? "<none>",
      r.createdAt,
    ]);
}

export function assessRate(results: ProbeResults, config: AppConfig): StepAssessment {
  const points = dlqPoints(results);
  const threshold = config.thresholds.dlqRecordsPerMinute;
  const findings: Finding[] = [];
  let summary: string;
  let status: StepAssessment["status"] = "info";
  if (points === undefined) {
    const r = unreadStep(results, [dlqRateProbe], "DLQRecordCount", "DLQRecordCount could not be read.");
    summary = r.summary;
    status = r.status;
  } else if (points.length === 0) {
    const ns = resolveMetric("dlqRecordCount", metricOptionsFor(config)).namespace;
    summary = `No DLQRecordCount datapoints in ${ns} over the last 10 minutes.`;
    status = "warning";
    findings.push(
      finding("warning", "No DLQRecordCount datapoints", {
        detail: `CloudWatch has no DLQRecordCount data in namespace \`${ns}\`: the job may not be publishing it.`,
      }),
    );
  } else {
    const latest = latestOf(points)!;
    const lastTen = points.slice(-10);
    const start = spikeStartOf(points, threshold);
    const over = latest.value > threshold;
    status = over ? "critical" : "ok";
    const since = start
      ? over
        ? ` Above ${threshold}/min since ${hhmm(start.at)}.`
        : ` It was above ${threshold}/min from ${hhmm(start.at)}.`
      : "";
    summary = `DLQ at ${formatCount(latest.value)}/min (threshold ${threshold}/min), peak ${formatCount(maxOf(lastTen) ?? 0)}/min in 10 min.${since}`;
    findings.push(
      finding(status, `DLQ rate ${formatCount(latest.value)} records/min`, {
        detail: `DLQRecordCount per minute over the last 10 minutes against the ${threshold}/min alert.${since}${over ? " Records that cannot be processed are being set aside: data is missing downstream until they are reprocessed." : ""}`,
        evidence: [seriesEvidence("DLQRecordCount per minute", lastTen)],
      }),
    );
  }

  const recent = read(results, recentErrorsProbe);
  if (recent !== undefined) {
    const counts = errorCounts(recent.rows);
    findings.push(
      finding(
        "info",
        `Errors in the last ${RECENT_ERRORS_MINUTES} minutes: ${formatCount(totalOf(counts))}`,
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

  const history = read(results, rolloutHistoryProbe);
  const revisions = revisionsOf(results);
  if (history !== undefined) {
    const { namespace, taskmanagerDeployment } = config.pipeline;
    const current = revisions?.current;
    const reference = (points && spikeStartOf(points, threshold)?.at) ?? history.readAt;
    const recentDeploy =
      current !== undefined &&
      deployedShortlyBefore(
        {
          revision: current.revision,
          createdAt: new Date(current.createdAt),
          images: current.images,
          changeCause: current.changeCause,
        },
        reference,
      );
    findings.push(
      finding(
        recentDeploy ? "warning" : "info",
        current === undefined
          ? `Recent deployments: ${taskmanagerDeployment} has no revisions`
          : recentDeploy
            ? `Recent deployment: revision ${current.revision} rolled out ${hhmm(new Date(current.createdAt))}, shortly before the spike`
            : `Recent deployments: none in the ${RECENT_DEPLOY_MINUTES} minutes before the spike (revision ${current.revision} since ${current.createdAt})`,
        {
          detail: `kubectl rollout history deployment/${taskmanagerDeployment} -n ${namespace}`,
          evidence:
            history.revisions.length === 0
              ? []
              : [
                  {
                    kind: "table",
                    columns: ["REVISION", "IMAGE", "CHANGE-CAUSE", "CREATED"],
                    rows: revisionRows(history),
                  },
                ],
        },
      ),
    );
  }
  return { status, summary, findings };
}

// ---------------------------------------------------------------------------------------------
// Step 2: Classify

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

// ---------------------------------------------------------------------------------------------
// Step 3: Root cause

function rootCauseParse(results: ProbeResults, config: AppConfig, d: DlqDiagnosis): Finding[] {
  const findings: Finding[] = [];
  const messages = parseMessages(results);
  const samples = read(results, parseSamplesProbe);
  if (samples) {
    findings.push(
      finding("info", `Sample of ${samples.rows.length} records that failed to parse`, {
        evidence: [
          { kind: "log", lines: samples.rows.map((r) => `${r.order_id ?? "-"}  ${r["@message"] ?? ""}`) },
        ],
      }),
    );
  }
  const revisions = revisionsOf(results);
  const { namespace, taskmanagerDeployment, sourceTopic } = config.pipeline;
  const cause = d.cause;
  if (revisions !== undefined) {
    const current = revisions?.current;
    findings.push(
      finding(
        cause === "parse-error-deployment" ? "critical" : "ok",
        cause === "parse-error-deployment" && current
          ? `(a) Recent deployment: revision ${current.revision} (${current.images.join(", ")}) rolled out ${hhmm(new Date(current.createdAt))}`
          : "(a) Recent deployment: none shortly before the spike",
        {
          detail:
            cause === "parse-error-deployment"
              ? `Change cause: ${current?.changeCause ?? "<none>"}. A code change in the parser is the likely bug: roll back to revision ${revisions?.previous?.revision ?? "(none)"}.`
              : `No rollout of ${namespace}/${taskmanagerDeployment} in the ${RECENT_DEPLOY_MINUTES} minutes before the spike.`,
        },
      ),
    );
  }
  const drift = sourceDriftOf(results);
  if (drift !== undefined) {
    const expected = expectedFields(messages ?? []);
    const drifted = sourceDrifted(drift);
    findings.push(
      finding(
        drifted ? "critical" : "ok",
        drifted
          ? `(b) Source schema changed: ${describeDrift(drift)}`
          : `(b) Source schema: the newest ${drift.sampled} records of ${sourceTopic} carry the expected fields`,
        {
          detail: `Compared the newest ${drift.sampled} records of \`${sourceTopic}\` with the fields the parser expects (${Object.keys(expected).join(", ")}).${drift.unexpected.length > 0 ? ` Fields not in that list: ${drift.unexpected.join(", ")}.` : ""}`,
          evidence: [
            {
              kind: "table",
              columns: ["FIELD", "EXPECTED", "NEWEST RECORDS"],
              rows: Object.entries(expected).map(([field, type]) => {
                const renamed = drift.renamed.find((r) => r.from === field);
                const retyped = drift.retyped.find((r) => r.field === field);
                return [
                  field,
                  type,
                  renamed
                    ? `missing: now \`${renamed.to}\``
                    : drift.missing.includes(field)
                      ? "missing"
                      : retyped
                        ? `${retyped.got}  <- CHANGED`
                        : "present",
                ];
              }),
            },
          ],
        },
      ),
    );
  }
  if (revisions !== undefined && drift !== undefined && sourceDrifted(drift)) {
    findings.push(
      finding("info", "(c) New traffic pattern: no — the change affects every sender", {
        detail: `${drift.nonConforming} of ${drift.sampled} newest source records have the new shape, not a subset of senders.`,
      }),
    );
  } else if (revisions !== undefined && drift !== undefined) {
    const senders = drift.nonConformingBySender.slice(0, 5);
    findings.push(
      finding(
        cause === "parse-error-traffic-pattern" ? "critical" : "info",
        cause === "parse-error-traffic-pattern"
          ? "(c) New traffic pattern: a subset of senders sends data the parser cannot read"
          : "(c) New traffic pattern: not needed to explain the spike",
        {
          detail: `${drift.nonConforming} of ${drift.sampled} newest source records do not fit the expected schema.`,
          evidence:
            senders.length === 0
              ? []
              : [
                  {
                    kind: "table",
                    columns: ["SENDER", "RECORDS THAT DO NOT FIT"],
                    rows: senders.map((s) => [s.sender, String(s.count)]),
                  },
                ],
        },
      ),
    );
  }
  return findings;
}

function rootCauseValidation(results: ProbeResults): Finding[] {
  const samples = read(results, validationSamplesProbe);
  if (!samples) return [];
  const byRule = new Map<string, string[]>();
  for (const r of samples.rows) {
    const rule = r.validation_error ?? "(no validation_error)";
    byRule.set(rule, [...(byRule.get(rule) ?? []), r.order_id ?? "-"]);
  }
  const rows = [...byRule.entries()].sort((a, b) => b[1].length - a[1].length);
  return [
    finding(
      "info",
      `Validation failures: ${samples.rows.length} sampled orders break ${rows.length} rule(s)`,
      {
        detail:
          "Is the rule too strict (e.g. test or promo orders), or is the data wrong? Check with the product team before relaxing it.",
        evidence: [
          {
            kind: "table",
            columns: ["RULE BROKEN", "ORDERS", "EXAMPLES"],
            rows: rows.map(([rule, ids]) => [rule, String(ids.length), ids.slice(0, 3).join(", ")]),
          },
        ],
      },
    ),
  ];
}

export function assessRootCause(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const findings: Finding[] = [];
  if (parseErrorsDominate(results) && breakdownOf(results) !== undefined) {
    findings.push(...rootCauseParse(results, config, d));
  }
  findings.push(...rootCauseValidation(results));
  if (d.openBranches.length > 0) {
    findings.push(
      finding("info", "Still possible", {
        detail: d.openBranches.map((b) => `• ${b}`).join("\n"),
      }),
    );
  }
  const status =
    d.cause === "below-threshold"
      ? "ok"
      : d.cause === "unknown" || d.cause === "mixed"
        ? "warning"
        : "critical";
  return {
    status,
    summary: `Likely cause: ${BRANCH_TITLE[d.cause]} — ${d.because}. Confidence ${d.confidence}.`,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 4: Immediate fix

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

function watchCommand(config: AppConfig): string {
  const m = resolveMetric("dlqRecordCount", metricOptionsFor(config));
  return `watch -n 5 'aws cloudwatch get-metric-statistics --namespace ${m.namespace} --metric-name ${m.metric} --start-time $(date -u -d "5 minutes ago" +%Y-%m-%dT%H:%M:%S) --end-time $(date -u +%Y-%m-%dT%H:%M:%S) --period 60 --statistics Sum | jq ".Datapoints[-1].Sum"'`;
}

function parserFix(results: ProbeResults): string {
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
          finding("info", "A rollout also landed shortly before the spike", {
            detail:
              "If the parser fix does not explain every sample, roll back the recent deployment as well.",
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
        finding("warning", "Timeouts — check the enrichment service", {
          detail:
            "The enrichment API does not answer in time. Check its health and latency; `/runbook latency` reads the enrichment latency per minute.",
          evidence: [code(renderLogQuery("enrichment-latency-per-minute"))],
        }),
      );
      break;
    case "external-api-error":
      findings.push(
        finding("warning", "External API errors — check the downstream service's logs", {
          detail:
            "The API answers with errors: look at the downstream service's logs and status page; escalate to its owners if it is down.",
        }),
      );
      break;
    case "below-threshold":
      findings.push(
        finding("ok", "No fix needed now", {
          detail: "The DLQ rate is under the threshold: watch it; the alert should clear.",
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

function queryBlockAtSpike(
  id: LogQueryId,
  results: ProbeResults,
  config: AppConfig,
): EvidenceBlock | undefined {
  const history = read(results, rolloutHistoryProbe);
  return history ? queryBlock(id, config, history.readAt) : { kind: "code", text: renderLogQuery(id) };
}

// ---------------------------------------------------------------------------------------------
// Step 5: Verify

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

// ---------------------------------------------------------------------------------------------
// Step 6: Post-incident

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

export const CAUSE_TITLE: Record<DlqCause, string> = BRANCH_TITLE;

export const dlqSpikeSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: [dlqRateProbe, recentErrorsProbe, rolloutHistoryProbe],
    assess: assessRate,
  },
  {
    id: "classify",
    title: "Step 2: Classify",
    budgetSeconds: 120,
    probes: [breakdownProbe],
    assess: assessClassify,
  },
  {
    id: "root-cause",
    title: "Step 3: Root Cause",
    budgetSeconds: 300,
    probes: [parseSamplesProbe, sourceSampleProbe, validationSamplesProbe],
    assess: assessRootCause,
  },
  { id: "fix", title: "Step 4: Immediate Fix", budgetSeconds: 120, probes: [], assess: assessFix },
  {
    id: "verify",
    title: "Step 5: Verify",
    budgetSeconds: 120,
    probes: [verifyErrorsProbe],
    assess: assessVerify,
  },
  {
    id: "post-incident",
    title: "Step 6: Post-Incident",
    budgetSeconds: 300,
    probes: [],
    assess: assessPostIncident,
  },
];
