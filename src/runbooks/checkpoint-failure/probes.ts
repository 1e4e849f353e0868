/** Read-only probes of the checkpoint-failure runbook (I/O through ports only). */

import type { ProbeContext } from "../../core/runbook.ts";
import { probe, probeValue } from "../../core/runbook.ts";
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
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const jobProbe = probe<JobState>({
  id: "job",
  title: "read the Flink job's state",
  needs: ["flink"],
  async run({ ports, config }) {
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
    try {
      const details = await flink.jobDetails(job.id);
      return { job, details, detailsError: null, otherJobs, noRunningJob };
    } catch (error) {
      return { job, details: null, detailsError: message(error), otherJobs, noRunningJob };
    }
  },
});

/** The job id of the Step 1 job probe, else Flink's RUNNING job. */
async function jobIdOf(ctx: ProbeContext): Promise<string> {
  const prior = probeValue<JobState>(ctx.prior, "job");
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
}

export const checkpointsProbe = probe<CheckpointsRead>({
  id: "checkpoints",
  title: "read the job's checkpoint history",
  needs: ["flink"],
  async run(ctx) {
    const jobId = await jobIdOf(ctx);
    const stats = await ctx.ports.flink!.checkpoints(jobId);
    return { jobId, stats, readAt: ctx.startedAt };
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
