/** Read-only probes of the checkpoint-duration runbook (I/O through ports only). */

import { logQueryRange, renderLogQuery } from "../../core/log-queries.ts";
import type { MetricId } from "../../core/metric-catalog.ts";
import { probe, read } from "../../core/runbook.ts";
import type { CheckpointBreakdown, CheckpointConfig, CheckpointStats } from "../../ports/flink.ts";
import type { PodLog } from "../../ports/kubernetes.ts";
import type { LogQueryResult } from "../../ports/logs.ts";
import { catalogMetricProbe } from "../catalog-metric-probe.ts";

/** The seed reads every metric of this runbook over the last hour, per minute. */
export const HOUR_MINUTES = 60;
/** How far back the compaction log lines count. */
export const COMPACTION_WINDOW_SECONDS = 900;

function hourOf(id: string, metric: MetricId, title: string) {
  return catalogMetricProbe({ id, title, metric, minutes: HOUR_MINUTES });
}

export const durationProbe = hourOf(
  "checkpoint-duration",
  "checkpointDurationMs",
  "read checkpoint_duration_ms over the last hour",
);
export const stateBytesProbe = hourOf(
  "state-backend-bytes",
  "stateBackendUsedBytes",
  "read StateBackendUsedBytes over the last hour",
);
export const latencyProbe = hourOf("latency-p99", "latencyP99", "read LatencyP99 over the last hour");

export interface FlinkCheckpoints {
  readonly jobId: string;
  readonly stats: CheckpointStats;
}

export const flinkCheckpointsProbe = probe<FlinkCheckpoints>({
  id: "checkpoints",
  title: "read the job's checkpoint history from Flink",
  needs: ["flink"],
  async run({ ports, config }) {
    const job = await ports.flink!.findJob(config.flink?.jobName);
    return { jobId: job.id, stats: await ports.flink!.checkpoints(job.id) };
  },
});

export interface SizesQuery {
  readonly query: string;
  readonly result: LogQueryResult;
}

export const checkpointSizesProbe = probe<SizesQuery>({
  id: "checkpoint-sizes-log",
  title: "run the checkpoint sizes Logs Insights query",
  needs: ["logs"],
  async run({ ports, config, startedAt, signal }) {
    const query = renderLogQuery("checkpoint-sizes");
    const result = await ports.logs!.query({
      logGroups: [config.pipeline.logGroup],
      query,
      ...logQueryRange("checkpoint-sizes", startedAt),
      signal,
    });
    return { query, result };
  },
});

export const compactionLogsProbe = probe<PodLog[]>({
  id: "compaction-logs",
  title: "read the taskmanagers' RocksDB compaction log lines",
  needs: ["kubernetes"],
  run: ({ ports, config }) =>
    ports.kubernetes!.podLogs(config.pipeline.namespace, config.pipeline.taskmanagerSelector, {
      grep: "compaction",
      sinceSeconds: COMPACTION_WINDOW_SECONDS,
      tailLines: 5000,
      maxLines: 10,
    }),
});

export const checkpointConfigProbe = probe<CheckpointConfig>({
  id: "checkpoint-config",
  title: "read the job's checkpoint configuration",
  needs: ["flink"],
  async run({ ports, config, prior }) {
    const jobId =
      read(prior, flinkCheckpointsProbe)?.jobId ?? (await ports.flink!.findJob(config.flink?.jobName)).id;
    return ports.flink!.checkpointConfig(jobId);
  },
});

export interface CheckpointPhases {
  readonly breakdown: CheckpointBreakdown;
  /** Vertex id -> name, for the thread. */
  readonly names: Readonly<Record<string, string>>;
}

/**
 * Where the newest completed checkpoint's time went, per vertex: Flink's sync / async / alignment
 * durations (/jobs/:jid/checkpoints/details/:cpid/subtasks/:vid). Decides between a slow upload
 * (async), a slow snapshot (sync) and barriers held up by back pressure (alignment).
 */
export const checkpointPhasesProbe = probe<CheckpointPhases | null>({
  id: "checkpoint-phases",
  title: "read where the newest checkpoint's time went (sync / async / alignment)",
  needs: ["flink"],
  async run({ ports, prior }) {
    const known = read(prior, flinkCheckpointsProbe);
    if (known === undefined) throw new Error("the checkpoint history could not be read");
    const { jobId, stats } = known;
    const newest = stats.latest.completed ?? stats.history.find((c) => c.status === "COMPLETED");
    if (!newest) return null;
    const flink = ports.flink!;
    const [breakdown, details] = await Promise.all([
      flink.checkpointDetails(jobId, newest.id),
      flink.jobDetails(jobId),
    ]);
    return { breakdown, names: Object.fromEntries(details.vertices.map((v) => [v.id, v.name])) };
  },
});
