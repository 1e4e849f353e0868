import type { MetricId } from "../../core/metric-catalog.ts";
import { probe } from "../../core/runbook.ts";
import type { CheckpointRecord, TaskManagerMemory } from "../../ports/flink.ts";
import type { PodInfo, PodLog, PodUsage, VolumeUsage } from "../../ports/kubernetes.ts";
import { catalogMetricProbe } from "../catalog-metric-probe.ts";

function metricProbe(id: string, title: string, metric: MetricId, minutes: number) {
  return catalogMetricProbe({ id, title, metric, minutes });
}

/** Step 1: memory_usage_percentage, Average per minute over the last hour. */
export const memoryTrendProbe = metricProbe(
  "memory-trend",
  "read memory_usage_percentage",
  "memoryUsagePercentage",
  60,
);
/** Step 2: StateBackendUsedBytes over the last hour. */
export const stateSizeProbe = metricProbe(
  "state-size",
  "read StateBackendUsedBytes",
  "stateBackendUsedBytes",
  60,
);
/** Step 3 C: task_buffer_out_pool_usage_percentage over the last 10 minutes. */
export const bufferUsageProbe = metricProbe(
  "buffer-usage",
  "read task_buffer_out_pool_usage_percentage",
  "taskBufferOutPoolUsage",
  10,
);

/** Flink's network (shuffle) memory and non-heap metrics, the parts jmap -heap would show besides the heap. */
export const EXTRA_TM_METRICS = {
  networkUsed: "Status.Shuffle.Netty.UsedMemory",
  networkTotal: "Status.Shuffle.Netty.TotalMemory",
  nonHeapUsed: "Status.JVM.Memory.NonHeap.Used",
} as const;

export interface TaskmanagerBreakdown extends TaskManagerMemory {
  readonly networkUsedBytes: number | null;
  readonly networkTotalBytes: number | null;
  readonly nonHeapUsedBytes: number | null;
}

/** The breakdown the seed gets from `jmap -heap`, from Flink's taskmanager metrics instead. */
export const taskmanagerMemoryProbe = probe<TaskmanagerBreakdown[]>({
  id: "taskmanager-memory",
  title: "read taskmanager heap, managed and network memory (Flink)",
  needs: ["flink"],
  async run({ ports }) {
    const flink = ports.flink!;
    const memory = await flink.taskmanagerMemory();
    return Promise.all(
      memory.map(async (m): Promise<TaskmanagerBreakdown> => {
        const values = await flink
          .taskmanagerMetrics(m.id, Object.values(EXTRA_TM_METRICS))
          .catch(() => ({}) as Record<string, number>);
        return {
          ...m,
          networkUsedBytes: values[EXTRA_TM_METRICS.networkUsed] ?? null,
          networkTotalBytes: values[EXTRA_TM_METRICS.networkTotal] ?? null,
          nonHeapUsedBytes: values[EXTRA_TM_METRICS.nonHeapUsed] ?? null,
        };
      }),
    );
  },
});

export const podUsageProbe = probe<PodUsage[]>({
  id: "pod-usage",
  title: "read taskmanager pod memory against limits",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.podUsage(config.pipeline.namespace, config.pipeline.taskmanagerSelector),
});

export const podsProbe = probe<PodInfo[]>({
  id: "taskmanager-pods",
  title: "list the taskmanager pods",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.listPods(config.pipeline.namespace, config.pipeline.taskmanagerSelector),
});

/** Step 3 B: `du -sh /tmp/flink-state*`, from the kubelet's volume stats. */
export const stateVolumeProbe = probe<VolumeUsage[]>({
  id: "state-volume",
  title: "read the taskmanagers' state volume usage",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.volumeUsage(config.pipeline.namespace, config.pipeline.taskmanagerSelector),
});

/** How far back the "window emitted" log lines are counted. */
export const WINDOW_LOG_SECONDS = 900;

/** Step 3 B: `kubectl logs -l app=flink-taskmanager | grep "window emitted" | wc -l`. */
export const windowEmitsProbe = probe<PodLog[]>({
  id: "window-emits",
  title: 'count "window emitted" lines in the taskmanager logs',
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.podLogs(config.pipeline.namespace, config.pipeline.taskmanagerSelector, {
      grep: "window emitted",
      sinceSeconds: WINDOW_LOG_SECONDS,
      tailLines: 5000,
      maxLines: 3,
    }),
});

export interface LastCheckpoint {
  readonly jobId: string;
  readonly jobName: string;
  readonly completed: CheckpointRecord | null;
  /** When it was read (the run's start), to say how old the checkpoint is. */
  readonly observedAt: Date;
}

/** What a restart costs: the state it reloads and from when. */
export const lastCheckpointProbe = probe<LastCheckpoint>({
  id: "last-checkpoint",
  title: "read the job's latest completed checkpoint",
  needs: ["flink"],
  async run({ ports, config, startedAt }) {
    const flink = ports.flink!;
    const job = await flink.findJob(config.flink?.jobName);
    const stats = await flink.checkpoints(job.id);
    return { jobId: job.id, jobName: job.name, completed: stats.latest.completed, observedAt: startedAt };
  },
});
