/** Step 3 (Root Cause): parse errors (schema drift) and validation errors. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding } from "../../core/finding.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { BRANCH_TITLE, type DlqDiagnosis, RECENT_DEPLOY_MINUTES } from "./diagnose.ts";
import { diagnosisOf, hhmm } from "./diagnosis.ts";
import { breakdownOf, parseErrorsDominate, parseSamplesProbe, validationSamplesProbe } from "./probes.ts";
import { describeDrift, expectedFields, sourceDrifted } from "./schema-drift.ts";
import { parseMessages, revisionsOf, sourceDriftOf } from "./signals.ts";

export function rootCauseParse(results: ProbeResults, config: AppConfig, d: DlqDiagnosis): Finding[] {
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

export function rootCauseValidation(results: ProbeResults): Finding[] {
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
