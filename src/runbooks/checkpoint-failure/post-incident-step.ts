/** Step 5 (Post-Incident): the window of state at risk and the report. */
import type { AppConfig } from "../../config/schema.ts";
import { finding } from "../../core/finding.ts";
import { formatDuration, formatUtc } from "../../core/format-units.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import type { CheckpointRecord } from "../../ports/flink.ts";
import { reprocessProposal, windowStartAt } from "../reprocess-proposal.ts";
import { WINDOW_MS } from "../window-completeness/windows.ts";
import { isJobDown } from "./diagnose.ts";
import { type CheckpointsRead, checkpointConfigProbe, checkpointsProbe, jobProbe } from "./probes.ts";
import { checkpointFailureSignals } from "./signals.ts";

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
export const STOPPED = new Set(["FAILED", "CANCELED", "CANCELLING", "SUSPENDED", "FINISHED"]);

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
