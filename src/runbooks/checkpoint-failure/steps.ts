/** The checkpoint-failure runbook's steps, named as in the seed, each with a pure assess. */

import type { AppConfig } from "../../config/schema.ts";
import { type EvidenceBlock, type Finding, finding, type Proposal } from "../../core/finding.ts";
import { formatBytes, formatDuration, formatUtc, formatUtcClock } from "../../core/format-units.ts";
import {
  type ProbeResults,
  read,
  resultsOf,
  type StepAssessment,
  type StepSpec,
} from "../../core/runbook.ts";
import type { CheckpointRecord } from "../../ports/flink.ts";
import type { PodInfo, PodLog } from "../../ports/kubernetes.ts";
import { reprocessProposal, windowStartAt } from "../reprocess-proposal.ts";
import { WINDOW_MS } from "../window-completeness/windows.ts";
import { CAUSE_TITLE, diagnosisOf } from "./cause.ts";
import { failedText, isJobDown, isRestarting, KIND_TITLE, restartText } from "./diagnose.ts";
import { assessFix, whereToLook } from "./fix-step.ts";
import {
  type CheckpointsRead,
  checkpointConfigProbe,
  checkpointsProbe,
  exceptionsProbe,
  type JobmanagerLogRead,
  type JobState,
  jobmanagerLogProbe,
  jobmanagerLogsProbe,
  jobmanagerPodsProbe,
  jobProbe,
  taskmanagerLogsProbe,
  taskmanagerPodsProbe,
  volumeClaimProbe,
  volumeUsageProbe,
  workloadProbe,
} from "./probes.ts";
import { allPods, checkpointFailureSignals, podTrouble } from "./signals.ts";

export { CAUSE_TITLE, diagnosisOf } from "./cause.ts";
export {
  assessFix,
  deletePodsProposal,
  FIX_LINE,
  growPvcProposal,
  iamPolicyDocument,
  proposedTimeoutMs,
  whereToLook,
} from "./fix-step.ts";

const MAX_LOG_LINES = 12;

function logBlock(logs: readonly PodLog[]): EvidenceBlock | undefined {
  const lines = logs.flatMap((l) => l.lines.map((line) => `${l.pod}: ${line}`));
  if (lines.length === 0) return undefined;
  return { kind: "log", lines: lines.slice(-MAX_LOG_LINES) };
}

function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

// ---------------------------------------------------------------------------------------------
// Step 1: Assess

function jobFinding(job: JobState): Finding {
  if (job.job === null) {
    return finding("critical", "Flink lists no job", {
      detail: `${job.noRunningJob ?? "No RUNNING job matched."} The job is not running: checkpoints cannot happen until it is restarted.`,
      evidence:
        job.otherJobs.length === 0
          ? []
          : [
              {
                kind: "table",
                columns: ["JOB", "ID", "STATE", "STARTED"],
                rows: job.otherJobs.map((j) => [
                  j.name,
                  j.id,
                  j.state,
                  j.startTime ? formatUtc(j.startTime) : "-",
                ]),
              },
            ],
    });
  }
  const j = job.job;
  const running = j.state === "RUNNING";
  const notRunningVertices = job.details?.vertices.filter((v) => v.status !== "RUNNING") ?? [];
  return finding(
    running && notRunningVertices.length === 0 ? "ok" : "critical",
    `Job ${j.name} is ${j.state}${running ? ` (up ${formatDuration(j.durationMs)})` : ""}`,
    {
      detail: running
        ? notRunningVertices.length > 0
          ? `${notRunningVertices.length} vertex/vertices not RUNNING: the job is still alive but not all tasks run.`
          : "The job is still running: it keeps processing, but state written since the last completed checkpoint is lost on a restart."
        : `The job is not running (${j.state}): ${job.noRunningJob ?? "Flink reports it so"}. It restarts from the last completed checkpoint.`,
      evidence: [
        {
          kind: "fields",
          fields: [
            { label: "Job id", value: j.id },
            { label: "State", value: j.state },
            { label: "Started", value: j.startTime ? formatUtc(j.startTime) : "-" },
            ...(job.details
              ? [
                  {
                    label: "Vertices",
                    value: job.details.vertices.map((v) => `${v.name}: ${v.status}`).join("; "),
                  },
                ]
              : job.detailsError
                ? [{ label: "Vertices", value: `could not be read: ${job.detailsError}` }]
                : []),
          ],
        },
      ],
    },
  );
}

function podsFinding(pods: readonly PodInfo[], config: AppConfig, jmRead: boolean, jmCount: number): Finding {
  const broken = pods.filter((p) => podTrouble(p) !== undefined);
  const restarted = pods.filter((p) => p.restarts > 0);
  const severity = broken.length > 0 ? "critical" : restarted.length > 0 ? "warning" : "ok";
  const title =
    broken.length > 0
      ? `${broken.length} of ${pods.length} Flink pod(s) not running: ${[...new Set(broken.map((p) => podTrouble(p)))].join(", ")}`
      : `${pods.length} Flink pod(s) Running${restarted.length > 0 ? `, ${restarted.length} restarted` : ", no restarts"}`;
  const notes: string[] = [];
  if (broken.length > 0) notes.push("CrashLoopBackOff = the job crashed and keeps crashing.");
  if (jmRead && jmCount === 0) {
    notes.push(
      `No pod matches the jobmanager selector \`${config.pipeline.jobmanagerSelector}\` (set pipeline.jobmanagerSelector if it is labelled otherwise).`,
    );
  }
  return finding(severity, title, {
    ...(notes.length > 0 ? { detail: notes.join(" ") } : {}),
    evidence:
      pods.length === 0
        ? []
        : [
            {
              kind: "table",
              columns: ["POD", "PHASE", "READY", "RESTARTS", "PROBLEM"],
              rows: pods.map((p) => [
                p.name,
                p.phase,
                p.ready ? "yes" : "no",
                String(p.restarts),
                podTrouble(p) ?? p.problem ?? "-",
              ]),
            },
          ],
  });
}

export function assessJob(results: ProbeResults, config: AppConfig): StepAssessment {
  const findings: Finding[] = [];
  const job = read(results, jobProbe);
  if (job) findings.push(jobFinding(job));
  const pods = allPods(results);
  const jm = read(results, jobmanagerPodsProbe);
  if (pods) findings.push(podsFinding(pods, config, jm !== undefined, jm?.length ?? 0));
  const logs = read(results, taskmanagerLogsProbe);
  if (logs) {
    const matched = logs.reduce((a, l) => a + l.matched, 0);
    const block = logBlock(logs);
    findings.push(
      finding("info", `Taskmanager log: ${matched} line(s) mention checkpoints`, {
        detail: `\`kubectl logs -n ${config.pipeline.namespace} -l ${config.pipeline.taskmanagerSelector} --tail=500 | grep -i checkpoint\`, the last lines:`,
        evidence: block ? [block] : [],
      }),
    );
  }
  const signals = checkpointFailureSignals(results, config.pipeline.statePvc);
  const down = isJobDown(signals);
  const stateText =
    job === undefined
      ? "job state unknown"
      : job.job === null
        ? "Flink lists no job"
        : `job ${job.job.name} ${job.job.state}${isRestarting(signals) && signals.restarts ? ` but keeps restarting (${restartText(signals.restarts)})` : signals.restarts && signals.restarts.total > 0 ? ` (numRestarts ${signals.restarts.total})` : ""}`;
  const podText =
    pods === undefined
      ? "pods not read"
      : `${pods.length - (signals.brokenPods?.length ?? 0)} of ${pods.length} Flink pod(s) running`;
  return {
    status: down ? "critical" : job === undefined && pods === undefined ? "error" : "ok",
    summary: `${stateText}; ${podText}${down ? ": the job is down or crash-looping" : ": still running, checkpoints are the problem"}.`,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 2: Identify Failure Type

function historyTable(history: readonly CheckpointRecord[]): EvidenceBlock {
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

const JM_SOURCE_TEXT: Record<NonNullable<JobmanagerLogRead["source"]>, string> = {
  kubernetes: "the jobmanager pods' log",
  "flink-rest": "Flink's /jobmanager/log",
  "cloudwatch-logs": "CloudWatch Logs",
};

// ---------------------------------------------------------------------------------------------
// Step 3: Common Fixes

export function triggerProposal(results: ProbeResults): Proposal | undefined {
  const job = read(results, jobProbe)?.job;
  const jobId = job?.id ?? read(results, checkpointsProbe)?.jobId;
  if (jobId === undefined || (job != null && job.state !== "RUNNING")) return undefined;
  return { action: "trigger-checkpoint", label: "Trigger a checkpoint", params: { jobId } };
}

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const diagnosis = diagnosisOf(results, config);
  const checkpoints = read(results, checkpointsProbe);
  const cfg = read(results, checkpointConfigProbe);
  const proposal =
    diagnosis.cause === "recovered" || diagnosis.cause === "job-down" ? undefined : triggerProposal(results);
  const nextId = checkpoints ? Math.max(0, ...checkpoints.stats.history.map((c) => c.id)) + 1 : undefined;
  const jobId = checkpoints?.jobId ?? "<job-id>";
  const interval = cfg ? formatDuration(cfg.intervalMs) : "one checkpoint interval";
  const success = `Success: Flink reports the triggered checkpoint${nextId === undefined ? "" : ` (${nextId} or later)`} COMPLETED and the jobmanager logs "Completed checkpoint ${nextId ?? "N"} for job ${jobId} (... bytes, checkpointDuration=... ms)"; then the next periodic checkpoint, within ${interval}, completes too. Failure: the same message as in Step 2 comes back.`;
  const findings: Finding[] = [];
  if (diagnosis.cause === "recovered") {
    findings.push(finding("ok", "Already verified: the newest checkpoint completed", { detail: success }));
  } else if (diagnosis.cause === "job-down") {
    findings.push(
      finding("info", "Verify once the job runs again", {
        detail: `A checkpoint can only be triggered on a RUNNING job. ${success}`,
      }),
    );
  } else {
    findings.push(
      finding("info", "After the fix: trigger a checkpoint", {
        detail: success,
        evidence: [
          {
            kind: "code",
            text: `# by hand (Flink 1.17+; the REST port is 8081, not 6123 as in the seed)\nkubectl port-forward -n ${config.pipeline.namespace} svc/flink-jobmanager 8081:8081 &\ncurl -X POST http://localhost:8081/jobs/${jobId}/checkpoints`,
          },
        ],
        proposals: proposal ? [proposal] : [],
      }),
    );
  }
  return {
    status: "info",
    summary: proposal ? "Proposed: Trigger a checkpoint once the fix is in." : findings[0]!.title,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 5: Post-Incident

export interface RiskWindow {
  readonly lastCompleted: CheckpointRecord | null;
  /** The first failure after the last completed checkpoint that the history still holds. */
  readonly firstFailure: CheckpointRecord | null;
  /** true when every checkpoint in the retained history failed: failures started no later than firstFailure. */
  readonly failuresOlderThanHistory: boolean;
  /** From the last completed checkpoint to the time of reading, ms; null without a completed checkpoint. */
  readonly atRiskMs: number | null;
}

export function riskWindow(read: CheckpointsRead): RiskWindow {
  const { stats, readAt } = read;
  const lastCompleted = stats.latest.completed;
  const after = stats.history.filter(
    (c) => c.status === "FAILED" && (lastCompleted === null || c.triggerTime > lastCompleted.triggerTime),
  );
  const firstFailure =
    after.sort((a, b) => a.triggerTime.getTime() - b.triggerTime.getTime())[0] ??
    (stats.latest.failed &&
    (lastCompleted === null || stats.latest.failed.triggerTime > lastCompleted.triggerTime)
      ? stats.latest.failed
      : null);
  const finished = stats.history.filter((c) => c.status !== "IN_PROGRESS");
  const failuresOlderThanHistory = finished.length > 0 && finished.every((c) => c.status === "FAILED");
  const savedAt = lastCompleted ? (lastCompleted.latestAckTime ?? lastCompleted.triggerTime) : null;
  return {
    lastCompleted,
    firstFailure,
    failuresOlderThanHistory,
    atRiskMs: savedAt ? Math.max(0, readAt.getTime() - savedAt.getTime()) : null,
  };
}

/** Job states in which the job no longer runs and will not restart by itself. */
const STOPPED = new Set(["FAILED", "CANCELED", "CANCELLING", "SUSPENDED", "FINISHED"]);

export interface StateRisk {
  readonly atRisk: boolean;
  /** One sentence for the conclusion ("" when nothing is at risk). */
  readonly conclusion: string;
  /** Step 5's summary. */
  readonly summary: string;
  /** The job, when it has stopped. */
  readonly stopped: { readonly state: string; readonly at: Date | null } | null;
}

/**
 * What state is at risk, one judgement for the conclusion and Step 5: state is at risk when a
 * checkpoint failed after the last completed one, or the job is down (stopped, crash-looping,
 * pods broken): what it processed since the last completed checkpoint is in no checkpoint.
 */
export function stateRisk(results: ProbeResults, config: AppConfig): StateRisk {
  const checkpoints = read(results, checkpointsProbe);
  const job = read(results, jobProbe)?.job;
  const stoppedJob = job && STOPPED.has(job.state) ? job : null;
  const stopped = stoppedJob
    ? {
        state: stoppedJob.state,
        at: stoppedJob.startTime ? new Date(stoppedJob.startTime.getTime() + stoppedJob.durationMs) : null,
      }
    : null;
  if (!checkpoints) {
    return { atRisk: stopped !== null, conclusion: "", summary: "", stopped };
  }
  const w = riskWindow(checkpoints);
  const last = w.lastCompleted;
  const savedAt = last ? (last.latestAckTime ?? last.triggerTime) : null;
  const down = isJobDown(checkpointFailureSignals(results, config.pipeline.statePvc));
  if (stopped) {
    const cfg = read(results, checkpointConfigProbe);
    const before =
      savedAt && stopped.at
        ? `, ${formatDuration(Math.max(0, stopped.at.getTime() - savedAt.getTime()))} before it stopped`
        : "";
    const discarded =
      cfg?.externalization.enabled === false
        ? " Its checkpoints are not externalized: Flink deleted them when the job stopped, so a restart has only a savepoint or the group's committed offsets to start from."
        : "";
    const text =
      last && savedAt
        ? `The job is ${stopped.state}: what it processed after checkpoint ${last.id} (${formatUtc(savedAt)}${before}) is in no checkpoint, and nothing is processed until it is restarted from that checkpoint.${discarded}`
        : `The job is ${stopped.state} and Flink retains no completed checkpoint: its state since it started is in no checkpoint.${discarded}`;
    return { atRisk: true, conclusion: text, summary: text, stopped };
  }
  if (w.firstFailure !== null || down) {
    return {
      atRisk: true,
      conclusion:
        w.atRiskMs === null
          ? " No completed checkpoint is retained: all state since the job started is at risk on a restart."
          : ` Last completed checkpoint ${formatDuration(w.atRiskMs)} ago: that state is at risk on a restart.`,
      summary: `State since ${savedAt ? formatUtc(savedAt) : "the job started"} (${w.atRiskMs === null ? "all of it" : formatDuration(w.atRiskMs)}) is not in any checkpoint.`,
      stopped,
    };
  }
  return {
    atRisk: false,
    conclusion: "",
    summary: "No state at risk: the last checkpoint completed after the failures.",
    stopped,
  };
}

export function assessPostIncident(results: ProbeResults, config: AppConfig): StepAssessment {
  const checkpoints = read(results, checkpointsProbe);
  if (!checkpoints) {
    return {
      status: "info",
      summary:
        "The checkpoint history could not be read: compare the last checkpoint in S3 with the first failure by hand.",
      findings: [
        finding("info", "Did we lose data? (human step)", {
          evidence: [
            {
              kind: "code",
              text: `aws s3 ls s3://${config.pipeline.checkpointBucket}/ --recursive | grep _metadata | tail -5`,
            },
          ],
        }),
      ],
    };
  }
  const w = riskWindow(checkpoints);
  const last = w.lastCompleted;
  const savedAt = last ? (last.latestAckTime ?? last.triggerTime) : null;
  const fields = [
    {
      label: "Last successful checkpoint",
      value:
        last && savedAt
          ? `${last.id} at ${formatUtc(savedAt)}${last.externalPath ? ` (${last.externalPath})` : ""}`
          : "none retained",
    },
    {
      label: "First failure",
      value: w.firstFailure
        ? `${w.failuresOlderThanHistory ? "at or before " : ""}checkpoint ${w.firstFailure.id} at ${formatUtc(w.firstFailure.triggerTime)}`
        : "none after the last successful checkpoint",
    },
    {
      label: "State at risk",
      value:
        w.atRiskMs === null
          ? "everything since the job started"
          : `${formatDuration(w.atRiskMs)} of processing (since ${savedAt ? formatUtc(savedAt) : "-"})`,
    },
  ];
  const risk = stateRisk(results, config);
  const failing = risk.atRisk;
  const sgroup = config.pipeline.consumerGroup;
  // Flink commits the group's offsets at each completed checkpoint: a job started without state
  // re-reads from there, and the windows open at that checkpoint lost what came before it.
  const reprocessFrom = failing && savedAt ? windowStartAt(savedAt, WINDOW_MS) : undefined;
  const reprocess =
    reprocessFrom === undefined
      ? `Reprocess (reset ${sgroup}'s offsets to the start of the window open at the last checkpoint) only if a restart happened without a checkpoint to restore.`
      : `Reprocess only if a restart happened without a checkpoint to restore: ${sgroup}'s offsets stand where checkpoint ${last?.id ?? ""} left them, and the window open then (from ${formatUtc(reprocessFrom)}) lost the records before it; resetting the offsets to that window's start (only while no consumer is in the group) rebuilds it, with duplicates downstream.`;
  const detail = risk.stopped
    ? `${risk.summary} Restarting from checkpoint ${last?.id ?? "(none)"} re-reads from Kafka everything after it, so nothing is lost while Kafka still holds those records (the seed: 30 days); the Firehose output may get duplicates of that window. ${reprocess}`
    : failing
      ? `The last successful checkpoint is older than the first failure: if the job restarts now it restores checkpoint ${last?.id ?? "(none)"} and re-reads from Kafka everything after it, so nothing is lost while Kafka still holds those records (the seed: 30 days); the Firehose output may get duplicates of that window. Records are lost only if they age out of Kafka before the job checkpoints again. ${reprocess} Then add a regression test: checkpoint with a filled disk / denied bucket and verify the error handling.`
      : "No failure after the last successful checkpoint: nothing is at risk beyond the normal checkpoint interval.";
  return {
    status: failing ? "warning" : "ok",
    summary: risk.summary,
    findings: [
      finding(failing ? "warning" : "ok", "Window of state at risk", {
        detail,
        evidence: [{ kind: "fields", fields }],
        proposals: reprocessFrom === undefined ? [] : [reprocessProposal(config, reprocessFrom)],
      }),
    ],
  };
}

const assessProbes = [jobProbe, taskmanagerPodsProbe, jobmanagerPodsProbe, taskmanagerLogsProbe];
const failureTypeProbes = [checkpointsProbe, exceptionsProbe, jobmanagerLogsProbe, jobmanagerLogProbe];

export const checkpointFailureSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: assessProbes,
    // Its signals are read from this step's probes only: the later steps' have not run yet.
    assess: (results, config) => assessJob(resultsOf(results, assessProbes), config),
  },
  {
    id: "identify-failure-type",
    title: "Step 2: Identify Failure Type",
    budgetSeconds: 120,
    probes: failureTypeProbes,
    // Its signals are read from the probes of Steps 1-2 only: the later steps' have not run yet.
    assess: (results, config) =>
      assessFailureType(resultsOf(results, [...assessProbes, ...failureTypeProbes]), config),
  },
  {
    id: "common-fixes",
    title: "Step 3: Common Fixes",
    probes: [volumeUsageProbe, volumeClaimProbe, checkpointConfigProbe, workloadProbe],
    assess: assessFix,
  },
  { id: "verify-fix", title: "Step 4: Verify Fix", probes: [], assess: assessVerify },
  { id: "post-incident", title: "Step 5: Post-Incident", probes: [], assess: assessPostIncident },
];
