/**
 * Flink in the sandbox, following the consumer-lag scenario: job "order-processing" RUNNING in
 * reactive mode (parallelism = taskmanager replicas, one slot each) with four vertices
 * (Source: Kafka orders.raw -> enrichment -> window aggregation -> Sink: Firehose). Checkpoints
 * every 60 s take 6.0-6.75 s (as the simulated checkpoint_duration_ms metric) and all succeed;
 * watermarks trail by about 2 s (as WatermarkLagMs); heap is at about 72 % (as
 * memory_usage_percentage). While the taskmanagers are CPU-bound (the scenario's lag phase), the
 * window aggregation is busy and the enrichment vertex, and behind it the source, are highly
 * back-pressured; once scaled so that CPU is no longer saturated, back pressure is ok everywhere.
 * Deterministic for a given clock.
 */
import {
  type BackpressureLevel,
  type CheckpointBreakdown,
  type CheckpointConfig,
  type CheckpointRecord,
  type CheckpointStats,
  type CheckpointTriggerType,
  type FlinkClusterOverview,
  FlinkError,
  type FlinkJobDetails,
  type FlinkJobSummary,
  type FlinkMetricValues,
  type FlinkPort,
  type JobException,
  type JobManagerLog,
  type StatsSummary,
  type TaskManagerMemory,
  type TaskManagerSummary,
  type TriggeredCheckpoint,
  type VertexBackpressure,
  type VertexWatermarks,
} from "../../ports/flink.ts";
import type { ConsumerLagScenario } from "./consumer-lag-scenario.ts";

export interface SimulatedFlinkOptions {
  /** Epoch ms now; default Date.now (pass the sandbox clock's). */
  readonly now?: () => number;
  readonly jobName?: string;
}

const MB = 2 ** 20;
const GB = 2 ** 30;
const INTERVAL_MS = 60_000;
const HISTORY = 10;
const HEAP_MAX = 4 * GB;
const MANAGED_TOTAL = 2 * GB;
/** The scenario's CPU fraction at and above which the taskmanagers are saturated. */
const CPU_BOUND = 0.9;

/** A stable 32-hex id, like Flink's JobID/JobVertexID. */
function hexId(seed: string): string {
  let h = 0x811c9dc5;
  let out = "";
  for (let round = 0; out.length < 32; round++) {
    for (const c of `${seed}#${round}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, 32);
}

interface VertexModel {
  readonly id: string;
  readonly name: string;
  readonly kind: "source" | "enrichment" | "window" | "sink";
}

const VERTICES: readonly VertexModel[] = [
  { kind: "source", name: "Source: Kafka orders.raw" },
  { kind: "enrichment", name: "enrichment -> Timestamps/Watermarks" },
  { kind: "window", name: "Window(TumblingEventTimeWindows(60000), EventTimeTrigger, OrderAggregator)" },
  { kind: "sink", name: "Sink: Firehose order-firehose" },
].map((v) => ({ ...v, id: hexId(`vertex:${v.name}`) })) as readonly VertexModel[];

function levelOf(ratio: number): BackpressureLevel {
  return ratio <= 0.1 ? "ok" : ratio <= 0.5 ? "low" : "high";
}

export class SimulatedFlink implements FlinkPort {
  readonly describeTarget = "simulated Flink REST (sandbox)";
  readonly jobId: string;
  readonly jobName: string;
  /** Every checkpoint the bot triggered, for the sandbox's terminal and tests. */
  readonly triggerRequests: { jobId: string; type: CheckpointTriggerType; checkpointId: number }[] = [];
  private readonly now: () => number;
  private readonly jobStart: number;
  private readonly manualTriggers: number[] = [];

  constructor(
    private readonly scenario: ConsumerLagScenario,
    options: SimulatedFlinkOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.jobName = options.jobName ?? "order-processing";
    this.jobId = hexId(`job:${this.jobName}`);
    // Started three days ago, on a checkpoint-interval boundary.
    this.jobStart = Math.floor((this.now() - 3 * 86_400_000) / INTERVAL_MS) * INTERVAL_MS;
  }

  private get parallelism(): number {
    return this.scenario.taskmanagers;
  }

  private cpuBound(): boolean {
    return this.scenario.cpuFraction() >= CPU_BOUND;
  }

  private checkJob(jobId: string): void {
    if (jobId !== this.jobId)
      throw new FlinkError("not-found", `job ${jobId} not found on ${this.describeTarget}`, 404);
  }

  private vertex(jobId: string, vertexId: string): VertexModel {
    this.checkJob(jobId);
    const vertex = VERTICES.find((v) => v.id === vertexId);
    if (!vertex) {
      throw new FlinkError(
        "not-found",
        `vertex ${vertexId} of job ${jobId} not found on ${this.describeTarget}`,
        404,
      );
    }
    return vertex;
  }

  private summary(): FlinkJobSummary {
    const now = this.now();
    return {
      id: this.jobId,
      name: this.jobName,
      state: "RUNNING",
      startTime: new Date(this.jobStart),
      durationMs: now - this.jobStart,
    };
  }

  async overview(): Promise<FlinkClusterOverview> {
    return {
      taskmanagers: this.scenario.taskmanagers,
      slotsTotal: this.scenario.taskmanagers,
      slotsAvailable: 0,
      jobsRunning: 1,
      jobsFinished: 0,
      jobsCancelled: 0,
      jobsFailed: 0,
      flinkVersion: "1.18.1",
    };
  }

  async jobs(): Promise<FlinkJobSummary[]> {
    return [this.summary()];
  }

  async findJob(name?: string): Promise<FlinkJobSummary> {
    if (name !== undefined && name !== this.jobName) {
      throw new FlinkError(
        "no-job",
        `no job named "${name}" on ${this.describeTarget} (${this.jobName} RUNNING)`,
      );
    }
    return this.summary();
  }

  /** Busy and back-pressured shares of a vertex's time, by the scenario's load. */
  private load(kind: VertexModel["kind"]): { backpressure: number; busy: number } {
    const cpu = this.scenario.cpuFraction();
    if (this.cpuBound()) {
      switch (kind) {
        case "source":
          return { backpressure: 0.64, busy: 0.12 };
        case "enrichment":
          return { backpressure: 0.78, busy: 0.2 };
        case "window":
          return { backpressure: 0.02, busy: Math.min(0.97, cpu) };
        case "sink":
          return { backpressure: 0, busy: 0.18 };
      }
    }
    const busy = { source: 0.1, enrichment: 0.35, window: 0.8, sink: 0.15 }[kind] * cpu;
    return { backpressure: kind === "source" ? 0.04 : 0.02, busy: Math.round(busy * 100) / 100 };
  }

  async jobDetails(jobId: string): Promise<FlinkJobDetails> {
    this.checkJob(jobId);
    const uptime = this.now() - this.jobStart;
    const processed = Math.round((this.scenario.processingPerSecond() * uptime) / 1000);
    const windowsOut = Math.round(uptime / 60_000) * 3_400;
    const records = {
      source: { read: 0, write: processed },
      enrichment: { read: processed, write: processed },
      window: { read: processed, write: windowsOut },
      sink: { read: windowsOut, write: 0 },
    };
    return {
      ...this.summary(),
      maxParallelism: null,
      vertices: VERTICES.map((v) => {
        const { backpressure, busy } = this.load(v.kind);
        return {
          id: v.id,
          name: v.name,
          parallelism: this.parallelism,
          status: "RUNNING",
          metrics: {
            readRecords: records[v.kind].read,
            writeRecords: records[v.kind].write,
            readBytes: records[v.kind].read * 412,
            writeBytes: records[v.kind].write * 412,
            accumulatedBackpressuredMs: Math.round(uptime * backpressure),
            accumulatedBusyMs: Math.round(uptime * busy),
            accumulatedIdleMs: Math.round(uptime * Math.max(0, 1 - busy - backpressure)),
          },
        };
      }),
    };
  }

  /** Periodic checkpoints triggered up to t (the k-th at jobStart + k * interval). */
  private periodicCount(t: number): number {
    return Math.max(0, Math.floor((t - this.jobStart) / INTERVAL_MS));
  }

  private manualBefore(t: number, inclusive: boolean): number {
    return this.manualTriggers.filter((m) => (inclusive ? m <= t : m < t)).length;
  }

  private record(id: number, trigger: number, duration: number, now: number): CheckpointRecord {
    const done = trigger + duration <= now;
    const subtasks = VERTICES.length * this.parallelism;
    const stateSize = 1_200_000_000 + (id % 5) * 2_000_000;
    return {
      id,
      status: done ? "COMPLETED" : "IN_PROGRESS",
      isSavepoint: false,
      triggerTime: new Date(trigger),
      latestAckTime: done
        ? new Date(trigger + duration)
        : new Date(trigger + Math.round((now - trigger) / 2)),
      checkpointedSizeBytes: done ? 118 * MB + (id % 7) * 3 * MB : 0,
      stateSizeBytes: done ? stateSize : 0,
      endToEndDurationMs: done ? duration : now - trigger,
      acknowledgedSubtasks: done ? subtasks : Math.floor(subtasks / 2),
      totalSubtasks: subtasks,
      externalPath: done ? `s3://checkpoint-bucket/state/${this.jobName}/${this.jobId}/chk-${id}` : null,
      failureMessage: null,
      failureTime: null,
    };
  }

  /** The newest checkpoints, periodic and manual, newest first. */
  private timeline(now: number): CheckpointRecord[] {
    const periodic = this.periodicCount(now);
    const entries: CheckpointRecord[] = [];
    for (let k = Math.max(1, periodic - HISTORY - 1); k <= periodic; k++) {
      const trigger = this.jobStart + k * INTERVAL_MS;
      const id = k + this.manualBefore(trigger, false);
      entries.push(this.record(id, trigger, 6000 + ((id * 19) % 6) * 150, now));
    }
    for (const m of this.manualTriggers) {
      const id = this.periodicCount(m) + this.manualBefore(m, true);
      // Completed at once in the sandbox: shown as triggered 5.8 s before it was asked for.
      entries.push(this.record(id, m - 5_800, 5_800, now));
    }
    return entries.sort((a, b) => b.id - a.id).slice(0, HISTORY);
  }

  async checkpoints(jobId: string): Promise<CheckpointStats> {
    this.checkJob(jobId);
    const now = this.now();
    const history = this.timeline(now);
    const completed = history.filter((c) => c.status === "COMPLETED");
    const inProgress = history.filter((c) => c.status === "IN_PROGRESS").length;
    const completedCount = this.periodicCount(now) + this.manualTriggers.length - inProgress;
    const summarize = (values: number[]): StatsSummary | null => {
      if (values.length === 0) return null;
      const sorted = [...values].sort((a, b) => a - b);
      const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
      return {
        min: sorted[0] ?? 0,
        max: sorted[sorted.length - 1] ?? 0,
        avg: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
        p50: pct(0.5),
        p90: pct(0.9),
        p99: pct(0.99),
      };
    };
    return {
      counts: {
        restored: 0,
        total: completedCount + inProgress,
        inProgress,
        completed: completedCount,
        failed: 0,
      },
      summary: {
        checkpointedSizeBytes: summarize(completed.map((c) => c.checkpointedSizeBytes)),
        stateSizeBytes: summarize(completed.map((c) => c.stateSizeBytes)),
        endToEndDurationMs: summarize(completed.map((c) => c.endToEndDurationMs)),
      },
      latest: { completed: completed[0] ?? null, savepoint: null, failed: null, restored: null },
      history,
    };
  }

  async checkpointConfig(jobId: string): Promise<CheckpointConfig> {
    this.checkJob(jobId);
    return {
      mode: "exactly_once",
      intervalMs: INTERVAL_MS,
      timeoutMs: 600_000,
      minPauseMs: 0,
      maxConcurrent: 1,
      externalization: { enabled: true, deleteOnCancellation: false },
      stateBackend: "EmbeddedRocksDBStateBackend",
      checkpointStorage: "FileSystemCheckpointStorage",
      unalignedCheckpoints: false,
      tolerableFailedCheckpoints: 0,
    };
  }

  async exceptions(jobId: string, _max = 10): Promise<JobException[]> {
    this.checkJob(jobId);
    return [];
  }

  async vertexBackpressure(jobId: string, vertexId: string): Promise<VertexBackpressure> {
    const vertex = this.vertex(jobId, vertexId);
    const { backpressure, busy } = this.load(vertex.kind);
    const subtasks = Array.from({ length: this.parallelism }, (_, i) => {
      const ratio = Math.max(0, Math.round((backpressure + (i % 2 === 0 ? 0.01 : -0.01)) * 100) / 100);
      return {
        subtask: i,
        level: levelOf(ratio),
        ratio,
        busyRatio: busy,
        idleRatio: Math.max(0, Math.round((1 - ratio - busy) * 100) / 100),
      };
    });
    return {
      vertexId,
      status: "ok",
      level: levelOf(Math.max(...subtasks.map((s) => s.ratio))),
      measuredAt: new Date(this.now() - 800),
      subtasks,
    };
  }

  async vertexWatermarks(jobId: string, vertexId: string): Promise<VertexWatermarks> {
    const vertex = this.vertex(jobId, vertexId);
    // A source has no input, so no input watermark: Flink lists no watermark metric for it (`[]`).
    if (vertex.kind === "source") return { vertexId, subtasks: [], min: null };
    const now = this.now();
    const minute = Math.floor(now / 60_000);
    const subtasks = Array.from({ length: this.parallelism }, (_, i) => ({
      subtask: i,
      watermark: new Date(now - 1800 - ((minute * 29) % 5) * 100 - i * 100),
    }));
    const min = new Date(Math.min(...subtasks.map((s) => s.watermark.getTime())));
    return { vertexId, subtasks, min };
  }

  async jobMetrics(jobId: string, names: readonly string[]): Promise<FlinkMetricValues> {
    this.checkJob(jobId);
    const now = this.now();
    const stats = await this.checkpoints(jobId);
    const last = stats.latest.completed;
    const all: Record<string, number> = {
      uptime: now - this.jobStart,
      downtime: 0,
      numRestarts: 0,
      lastCheckpointDuration: last?.endToEndDurationMs ?? 0,
      lastCheckpointSize: last?.checkpointedSizeBytes ?? 0,
      lastCheckpointFullSize: last?.stateSizeBytes ?? 0,
      numberOfCompletedCheckpoints: stats.counts.completed,
      numberOfFailedCheckpoints: 0,
      numberOfInProgressCheckpoints: stats.counts.inProgress,
    };
    return Object.fromEntries(names.filter((n) => all[n] !== undefined).map((n) => [n, all[n] as number]));
  }

  private taskmanagerIds(): string[] {
    return Array.from(
      { length: this.scenario.taskmanagers },
      (_, i) => `10.0.1.${11 + i}:6122-${hexId(`tm:${i}`).slice(0, 6)}`,
    );
  }

  async taskmanagers(): Promise<TaskManagerSummary[]> {
    return this.taskmanagerIds().map((id, i) => ({
      id,
      path: `pekko.tcp://flink@${id.split(":")[0]}:6122/user/rpc/taskmanager_0`,
      slotsTotal: 1,
      slotsFree: 0,
      lastHeartbeatMsAgo: 1_500 + i * 200,
    }));
  }

  private tmMetrics(index: number): Record<string, number> {
    const minute = Math.floor(this.now() / 60_000);
    const heapShare = 0.71 + ((minute * 5 + index) % 3) * 0.01;
    return {
      "Status.JVM.Memory.Heap.Used": Math.round(HEAP_MAX * heapShare),
      "Status.JVM.Memory.Heap.Max": HEAP_MAX,
      "Status.JVM.Memory.Heap.Committed": HEAP_MAX,
      "Status.Flink.Memory.Managed.Used": Math.round(MANAGED_TOTAL * 0.8),
      "Status.Flink.Memory.Managed.Total": MANAGED_TOTAL,
      "Status.JVM.Memory.Direct.MemoryUsed": 310 * MB,
      "Status.JVM.GarbageCollector.G1_Young_Generation.Time": 81_000 + index * 1_000,
      "Status.JVM.GarbageCollector.G1_Old_Generation.Time": 1_200,
      "Status.JVM.CPU.Load": Math.round(this.scenario.cpuFraction() * 100) / 100,
    };
  }

  async taskmanagerMetrics(taskmanagerId: string, names: readonly string[]): Promise<FlinkMetricValues> {
    const index = this.taskmanagerIds().indexOf(taskmanagerId);
    if (index < 0) {
      throw new FlinkError(
        "not-found",
        `taskmanager ${taskmanagerId} not found on ${this.describeTarget}`,
        404,
      );
    }
    const all = this.tmMetrics(index);
    return Object.fromEntries(names.filter((n) => all[n] !== undefined).map((n) => [n, all[n] as number]));
  }

  async checkpointDetails(jobId: string, checkpointId: number): Promise<CheckpointBreakdown> {
    this.checkJob(jobId);
    const entry = this.timeline(this.now()).find((c) => c.id === checkpointId);
    if (!entry) {
      throw new FlinkError(
        "not-found",
        `checkpoint ${checkpointId} of job ${jobId} not found on ${this.describeTarget}`,
        404,
      );
    }
    const done = entry.status === "COMPLETED";
    // The window aggregation holds nearly all state: its upload is the checkpoint's async phase.
    const share = { source: 0.001, enrichment: 0.004, window: 0.99, sink: 0.005 };
    return {
      checkpointId,
      status: entry.status,
      endToEndDurationMs: entry.endToEndDurationMs,
      checkpointedSizeBytes: entry.checkpointedSizeBytes,
      vertices: VERTICES.map((v) => {
        const async = Math.round(entry.endToEndDurationMs * (v.kind === "window" ? 0.9 : 0.05));
        return {
          vertexId: v.id,
          status: entry.status,
          checkpointedSizeBytes: Math.round(entry.checkpointedSizeBytes * share[v.kind]),
          endToEndDurationMs: done ? entry.endToEndDurationMs - 150 : 0,
          subtasks: this.parallelism,
          acknowledgedSubtasks: done ? this.parallelism : 0,
          maxSyncMs: done ? (v.kind === "window" ? 180 : 4) : null,
          maxAsyncMs: done ? async : null,
          maxAlignmentMs: done ? 12 : null,
          maxStartDelayMs: done ? 35 : null,
        };
      }),
    };
  }

  /** The sandbox's JobManager logs to stdout, as on Kubernetes: no log file for REST to serve. */
  async jobManagerLog(): Promise<JobManagerLog> {
    throw new FlinkError(
      "not-found",
      `the JobManager log not served by ${this.describeTarget} (404: This file does not exist in JobManager log dir.)`,
      404,
    );
  }

  async taskmanagerMemory(): Promise<TaskManagerMemory[]> {
    return this.taskmanagerIds().map((id, i) => {
      const m = this.tmMetrics(i);
      return {
        id,
        heapUsedBytes: m["Status.JVM.Memory.Heap.Used"] ?? null,
        heapMaxBytes: m["Status.JVM.Memory.Heap.Max"] ?? null,
        managedUsedBytes: m["Status.Flink.Memory.Managed.Used"] ?? null,
        managedTotalBytes: m["Status.Flink.Memory.Managed.Total"] ?? null,
        directUsedBytes: m["Status.JVM.Memory.Direct.MemoryUsed"] ?? null,
        gcTimeMs:
          (m["Status.JVM.GarbageCollector.G1_Young_Generation.Time"] ?? 0) +
          (m["Status.JVM.GarbageCollector.G1_Old_Generation.Time"] ?? 0),
      };
    });
  }

  async triggerCheckpoint(
    jobId: string,
    options: { readonly type?: CheckpointTriggerType; readonly deadlineMs?: number } = {},
  ): Promise<TriggeredCheckpoint> {
    this.checkJob(jobId);
    const now = this.now();
    this.manualTriggers.push(now);
    const checkpointId = this.periodicCount(now) + this.manualBefore(now, true);
    const type = options.type ?? "CONFIGURED";
    this.triggerRequests.push({ jobId, type, checkpointId });
    return { requestId: hexId(`trigger:${this.manualTriggers.length}`), checkpointId, waitedMs: 5_800 };
  }
}
