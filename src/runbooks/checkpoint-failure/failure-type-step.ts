/** Step 2 (Identify Failure Type): the checkpoint history, exceptions and jobmanager log. */
import type { AppConfig } from "../../config/schema.ts";
import { type EvidenceBlock, type Finding, finding } from "../../core/finding.ts";
import { formatBytes, formatDuration, formatUtc, formatUtcClock } from "../../core/format-units.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import type { CheckpointRecord } from "../../ports/flink.ts";
import { CAUSE_TITLE, diagnosisOf } from "./cause.ts";
import { failedText, KIND_TITLE } from "./diagnose.ts";
import { whereToLook } from "./fix-step.ts";
import { clip, logBlock } from "./log-blocks.ts";
import {
  checkpointsProbe,
  exceptionsProbe,
  type JobmanagerLogRead,
  jobmanagerLogProbe,
  jobmanagerLogsProbe,
} from "./probes.ts";
import { checkpointFailureSignals } from "./signals.ts";

export function historyTable(history: readonly CheckpointRecord[]): EvidenceBlock {
  return {
    kind: "table",
    columns: ["ID", "STATUS", "TRIGGERED", "DURATION", "SIZE", "FAILURE"],
    rows: history.map((c) => [
      String(c.id),
      c.status,
      formatUtcClock(c.triggerTime),
      c.status === "IN_PROGRESS" ? "running" : formatDuration(c.endToEndDurationMs),
      c.status === "COMPLETED" ? formatBytes(c.checkpointedSizeBytes) : "-",
      c.failureMessage ? clip(c.failureMessage, 90) : "-",
    ]),
  };
}

export function assessFailureType(results: ProbeResults, config: AppConfig): StepAssessment {
  const findings: Finding[] = [];
  const checkpoints = read(results, checkpointsProbe);
  const diagnosis = diagnosisOf(results, config);
  if (checkpoints) {
    const { stats } = checkpoints;
    const signals = checkpointFailureSignals(results, config.pipeline.statePvc);
    const recent = signals.failedInWindow ?? 0;
    const failed = stats.latest.failed;
    findings.push(
      finding(recent > 0 ? "critical" : "ok", `${failedText(signals)} failed in the last 5 minutes`, {
        detail: `Flink counts ${stats.counts.completed} completed and ${stats.counts.failed} failed checkpoint(s) since the job started (${stats.counts.inProgress} in progress).${signals.failedInWindowAtLeast ? ` Flink's history keeps only the newest ${stats.history.length} checkpoints, all inside the window: more may have failed.` : ""}`,
        evidence: [
          ...(failed
            ? [
                {
                  kind: "fields" as const,
                  fields: [
                    {
                      label: "Latest failed",
                      value: `checkpoint ${failed.id}, triggered ${formatUtc(failed.triggerTime)}`,
                    },
                    ...(failed.failureTime
                      ? [{ label: "Failed at", value: formatUtc(failed.failureTime) }]
                      : []),
                    {
                      label: "Failure message",
                      value: failed.failureMessage ? clip(failed.failureMessage, 600) : "(none)",
                    },
                  ],
                },
              ]
            : []),
          ...(stats.history.length > 0 ? [historyTable(stats.history)] : []),
        ],
      }),
    );
  }
  const exceptions = read(results, exceptionsProbe);
  const newest = exceptions?.[0];
  if (newest) {
    // "JobException: Recovery is suppressed by ..." says only that Flink gave up: the cause is the last Caused by.
    const cause = newest.rootCause ?? newest.message;
    findings.push(
      finding("info", `Newest job exception: ${clip(cause, 150)}`, {
        ...(newest.rootCause !== null && newest.rootCause !== newest.message
          ? { detail: `The last "Caused by:" of: ${clip(newest.message, 200)}` }
          : {}),
        evidence: [{ kind: "log", lines: newest.stacktrace.split(/\r?\n/).slice(0, 8) }],
      }),
    );
  }
  const jmFailures = read(results, jobmanagerLogProbe);
  const lastLogged = jmFailures?.failures.at(-1);
  if (jmFailures && lastLogged) {
    findings.push(
      finding(
        "info",
        `Jobmanager log: checkpoint ${lastLogged.checkpointId ?? "(no id)"} failed: ${clip(lastLogged.rootCause ?? "no cause logged", 150)}`,
        {
          detail: `The CheckpointFailureManager warning (${jmFailures.failures.length} in ${JM_SOURCE_TEXT[jmFailures.source ?? "kubernetes"]}), with its exception chain:`,
          evidence: [
            {
              kind: "log",
              lines: [
                lastLogged.header,
                ...(lastLogged.exception ? [lastLogged.exception] : []),
                ...lastLogged.causes.map((c) => `Caused by: ${c}`),
              ].map((l) => clip(l, 400)),
            },
          ],
        },
      ),
    );
  }
  const jmLogs = read(results, jobmanagerLogsProbe);
  const jmBlock = jmLogs ? logBlock(jmLogs) : undefined;
  if (jmLogs) {
    findings.push(
      finding(
        "info",
        `Jobmanager log: ${jmLogs.reduce((a, l) => a + l.matched, 0)} line(s) mention checkpoints`,
        {
          evidence: jmBlock ? [jmBlock] : [],
        },
      ),
    );
  }
  const c = checkpointFailureSignals(results, config.pipeline.statePvc).classification;
  if (c) {
    findings.unshift(
      finding(diagnosis.cause === "recovered" ? "info" : "critical", `Failure type: ${KIND_TITLE[c.kind]}`, {
        detail: `${diagnosis.because}.${diagnosis.notes.length > 0 ? ` ${diagnosis.notes.join(". ")}.` : ""}`,
        evidence: [{ kind: "code", text: c.evidence }],
      }),
    );
  } else {
    findings.unshift(
      finding(diagnosis.cause === "recovered" ? "ok" : "warning", "Failure type: not recognised", {
        detail: `${diagnosis.cause === "unknown" ? `${diagnosis.because}. ` : "No failure message, exception or log line matched a known type. "}The seed's key: "Access Denied" = IAM permission issue, KMS denied = key policy, "Disk full" / "No space left on device" = RocksDB storage full, "Timeout" / "Checkpoint expired before completing" = S3 slow or network issue.`,
        ...(diagnosis.cause === "unknown"
          ? { evidence: [{ kind: "code" as const, text: whereToLook(config) }] }
          : {}),
      }),
    );
  }
  return {
    status:
      diagnosis.cause === "recovered"
        ? "ok"
        : diagnosis.cause === "unknown" && !checkpoints
          ? "error"
          : "critical",
    summary: `${CAUSE_TITLE[diagnosis.cause]}: ${diagnosis.because}.`,
    findings,
  };
}

export const JM_SOURCE_TEXT: Record<NonNullable<JobmanagerLogRead["source"]>, string> = {
  kubernetes: "the jobmanager pods' log",
  "flink-rest": "Flink's /jobmanager/log",
  "cloudwatch-logs": "CloudWatch Logs",
};
