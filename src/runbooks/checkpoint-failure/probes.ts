/** Read-only probes of the checkpoint-failure runbook (I/O through ports only). */

import { checkpointFailuresInLog, type LoggedCheckpointFailure } from "../../core/flink-log.ts";
import type { ProbeContext } from "../../core/runbook.ts";
import { probe, read } from "../../core/runbook.ts";
import {
  type CheckpointConfig,
  type CheckpointStats,
  type FlinkJobDetails,
  type FlinkJobSummary,
  isFlinkError,
  type JobException,
} from "../../ports/flink.ts";
import type {
  PodInfo,
  PodLog,
  TaskmanagerWorkload,
  VolumeClaimInfo,
  VolumeUsage,
} from "../../ports/kubernetes.ts";

/** The job the runbook works on, and what Flink lists when no job is RUNNING. */
export interface JobState {
  /** The job (the configured one, else the single RUNNING one, else the newest one Flink lists). */
  readonly job: FlinkJobSummary | null;
  readonly details: FlinkJobDetails | null;
  /** Why the details could not be read, when they could not. */
  readonly detailsError: string | null;
  /** Every job Flink lists, when no RUNNING job matched (a crashed job shows up here). */
  readonly otherJobs: readonly FlinkJobSummary[];
  /** Why findJob found no RUNNING job, when it did not. */
  readonly noRunningJob: string | null;
  /** Flink's numRestarts job metric when read, and when it was read. */
  readonly restarts?: RestartsRead;
  /** When the job failed recently (its exception history, newest first; at most 5). */
  readonly failureTimes?: readonly Date[];
}

export interface RestartsRead {
  readonly count: number;
  readonly at: Date;
}

/** numRestarts of the job now; undefined when Flink does not report it. */
export async function readRestarts(ctx: ProbeContext, jobId: string): Promise<RestartsRead | undefined> {
  try {
    const m = await ctx.ports.flink!.jobMetrics(jobId, ["numRestarts"]);
    const count = m.numRestarts;
    return count === undefined ? undefined : { count, at: ctx.ports.clock.now() };
  } catch {
    return undefined;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const jobProbe = probe<JobState>({
  id: "job",
  title: "read the Flink job's state",
  needs: ["flink"],
  async run(ctx) {
    const { ports, config } = ctx;
    const flink = ports.flink!;
    let job: FlinkJobSummary | null = null;
    let otherJobs: FlinkJobSummary[] = [];
    let noRunningJob: string | null = null;
    try {
      job = await flink.findJob(config.flink?.jobName);
    } catch (error) {
      if (!isFlinkError(error) || error.kind !== "no-job") throw error;
      noRunningJob = error.message;
      // A crashed job is no longer RUNNING: take the newest job of that name Flink still lists.
      otherJobs = await flink.jobs();
      const name = config.flink?.jobName;
      const candidates = otherJobs
        .filter((j) => name === undefined || j.name === name)
        .sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0));
      job = candidates[0] ?? null;
    }
    if (job === null) return { job, details: null, detailsError: null, otherJobs, noRunningJob };
    const restarts = await readRestarts(ctx, job.id);
    const failureTimes = await flink
      .exceptions(job.id, 5)
      .then((list) => list.flatMap((e) => (e.time === null ? [] : [e.time])))
      .catch(() => undefined);
    const extra = {
      ...(restarts === undefined ? {} : { restarts }),
      ...(failureTimes === undefined ? {} : { failureTimes }),
    };
    try {
      const details = await flink.jobDetails(job.id);
      return { job, details, detailsError: null, otherJobs, noRunningJob, ...extra };
    } catch (error) {
      return { job, details: null, detailsError: message(error), otherJobs, noRunningJob, ...extra };
    }
  },
});

/** The job id of the Step 1 job probe, else Flink's RUNNING job. */
async function jobIdOf(ctx: ProbeContext): Promise<string> {
  const prior = read(ctx.prior, jobProbe);
  if (prior?.job) return prior.job.id;
  if (prior && prior.job === null) throw new Error("Flink lists no job to read checkpoints of");
  return (await ctx.ports.flink!.findJob(ctx.config.flink?.jobName)).id;
}

export const taskmanagerPodsProbe = probe<PodInfo[]>({
  id: "taskmanager-pods",
  title: "list the taskmanager pods",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.listPods(config.pipeline.namespace, config.pipeline.taskmanagerSelector),
});

export const jobmanagerPodsProbe = probe<PodInfo[]>({
  id: "jobmanager-pods",
  title: "list the jobmanager pods",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.listPods(config.pipeline.namespace, config.pipeline.jobmanagerSelector),
});

/** `kubectl logs -l <selector> --tail=500 | grep -i checkpoint`, the last 20 matching lines per pod. */
const CHECKPOINT_LOG_QUERY = { tailLines: 500, grep: "checkpoint", maxLines: 20 } as const;

export const taskmanagerLogsProbe = probe<PodLog[]>({
  id: "taskmanager-checkpoint-logs",
  title: "read the taskmanagers' checkpoint log lines",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.podLogs(
      config.pipeline.namespace,
      config.pipeline.taskmanagerSelector,
      CHECKPOINT_LOG_QUERY,
    ),
});

export const jobmanagerLogsProbe = probe<PodLog[]>({
  id: "jobmanager-checkpoint-logs",
  title: "read the jobmanager's checkpoint log lines",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.podLogs(
      config.pipeline.namespace,
      config.pipeline.jobmanagerSelector,
      CHECKPOINT_LOG_QUERY,
    ),
});

/** Flink's checkpoint statistics, with the time they were read (the alert's 5-minute window ends there). */
export interface CheckpointsRead {
  readonly jobId: string;
  readonly stats: CheckpointStats;
  readonly readAt: Date;
  /** numRestarts read again with the checkpoints (a climb since Step 1 = restarting now). */
  readonly restarts?: RestartsRead;
}

export const checkpointsProbe = probe<CheckpointsRead>({
  id: "checkpoints",
  title: "read the job's checkpoint history",
  needs: ["flink"],
  async run(ctx) {
    const jobId = await jobIdOf(ctx);
    const stats = await ctx.ports.flink!.checkpoints(jobId);
    const restarts = await readRestarts(ctx, jobId);
    return { jobId, stats, readAt: ctx.startedAt, ...(restarts === undefined ? {} : { restarts }) };
  },
});

export const exceptionsProbe = probe<JobException[]>({
  id: "job-exceptions",
  title: "read the job's recent exceptions",
  needs: ["flink"],
  async run(ctx) {
    return ctx.ports.flink!.exceptions(await jobIdOf(ctx), 5);
  },
});

export const checkpointConfigProbe = probe<CheckpointConfig>({
  id: "checkpoint-config",
  title: "read the job's checkpoint configuration",
  needs: ["flink"],
  async run(ctx) {
    return ctx.ports.flink!.checkpointConfig(await jobIdOf(ctx));
  },
});

export const volumeUsageProbe = probe<VolumeUsage[]>({
  id: "state-volume-usage",
  title: "read the taskmanagers' volume usage",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.volumeUsage(config.pipeline.namespace, config.pipeline.taskmanagerSelector),
});

export const volumeClaimProbe = probe<VolumeClaimInfo>({
  id: "state-volume-claim",
  title: "read the RocksDB state volume claim",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.volumeClaim(config.pipeline.namespace, config.pipeline.statePvc),
});

export const workloadProbe = probe<TaskmanagerWorkload>({
  id: "taskmanager-workload",
  title: "find out whether the job is operator-managed",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.taskmanagerWorkload(
      config.pipeline.namespace,
      config.pipeline.taskmanagerDeployment,
      config.pipeline.taskmanagerSelector,
    ),
});

/** Where the jobmanager log was read, or could have been. */
export type JobmanagerLogSource = "kubernetes" | "flink-rest" | "cloudwatch-logs";

export interface JobmanagerLogRead {
  /** The source the failures below came from; null when no source had any. */
  readonly source: JobmanagerLogSource | null;
  /** CheckpointFailureManager warnings found, oldest first. */
  readonly failures: readonly LoggedCheckpointFailure[];
  /** Every source tried, in order, with what it gave. */
  readonly tried: readonly { readonly source: JobmanagerLogSource; readonly outcome: string }[];
}

/** Lines of the jobmanager log to scan: enough for a few stack traces of a failing checkpoint. */
const JM_LOG_LINES = 5000;
const JM_LOG_BYTES = 1024 * 1024;

/**
 * Flink REST says only "Asynchronous task checkpoint failed.": the cause is in the jobmanager log,
 * under the CheckpointFailureManager warning. The seed's sources, in order: the jobmanager pods'
 * log (Kubernetes), Flink's own /jobmanager/log, CloudWatch Logs. The first with a warning wins.
 */
export const jobmanagerLogProbe = probe<JobmanagerLogRead>({
  id: "jobmanager-log",
  title: "read the checkpoint failures in the jobmanager log",
  needs: [],
  async run(ctx) {
    const { ports, config } = ctx;
    const tried: { source: JobmanagerLogSource; outcome: string }[] = [];
    const found = (source: JobmanagerLogSource, lines: readonly string[], what: string) => {
      const failures = checkpointFailuresInLog(lines);
      tried.push({
        source,
        outcome:
          failures.length > 0
            ? `${failures.length} CheckpointFailureManager warning(s) in ${what}`
            : lines.length === 0
              ? "nothing logged"
              : `no CheckpointFailureManager warning in ${what}`,
      });
      return failures.length > 0 ? { source, failures, tried } : undefined;
    };
    const failed = (source: JobmanagerLogSource, error: unknown) =>
      tried.push({
        source,
        outcome:
          isFlinkError(error) && error.status !== undefined
            ? `not served (HTTP ${error.status})`
            : `not readable: ${message(error).slice(0, 120)}`,
      });

    if (ports.kubernetes) {
      try {
        const logs = await ports.kubernetes.podLogs(
          config.pipeline.namespace,
          config.pipeline.jobmanagerSelector,
          {
            tailLines: JM_LOG_LINES,
            maxLines: JM_LOG_LINES,
            maxBytes: JM_LOG_BYTES,
          },
        );
        const lines = logs.flatMap((l) => l.lines);
        const hit = found(
          "kubernetes",
          lines,
          `the last ${lines.length} line(s) of ${logs.length} jobmanager pod(s)`,
        );
        if (hit) return hit;
      } catch (error) {
        failed("kubernetes", error);
      }
    }
    if (ports.flink) {
      try {
        const log = await ports.flink.jobManagerLog({ maxBytes: JM_LOG_BYTES });
        const hit = found("flink-rest", log.lines, `the last ${log.lines.length} line(s) of /jobmanager/log`);
        if (hit) return hit;
      } catch (error) {
        failed("flink-rest", error);
      }
    }
    if (ports.logs) {
      try {
        const end = ctx.startedAt;
        const start = new Date(end.getTime() - 30 * 60_000);
        const result = await ports.logs.query({
          logGroups: [config.pipeline.logGroup],
          query: JM_LOG_QUERY,
          start,
          end,
          signal: ctx.signal,
        });
        const lines = result.rows
          .map((r) => r["@message"] ?? "")
          .reverse()
          .flatMap((m) => m.split(/\r?\n/));
        const hit = found(
          "cloudwatch-logs",
          lines,
          `${lines.length} event(s) of ${config.pipeline.logGroup}`,
        );
        if (hit) return hit;
      } catch (error) {
        failed("cloudwatch-logs", error);
      }
    }
    return { source: null, failures: [], tried };
  },
});

/** Logs Insights: the jobmanager's checkpoint failure warnings and the exception lines under them. */
export const JM_LOG_QUERY =
  "fields @timestamp, @message\n| filter @message like /CheckpointFailureManager|Caused by:|Exception/\n| sort @timestamp desc\n| limit 500";
