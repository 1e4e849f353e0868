/** The memory-usage runbook's steps, named as in the seed, each with a pure assess. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, type Proposal, seriesEvidence } from "../../core/finding.ts";
import { latestOf, trendOf } from "../../core/metric-math.ts";
import {
  type ProbeResults,
  read,
  resultOf,
  resultsOf,
  type StepAssessment,
  type StepSpec,
} from "../../core/runbook.ts";
import type { PodInfo, PodUsage } from "../../ports/kubernetes.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import {
  diagnoseMemory,
  fmtBytes,
  fmtPct,
  MEMORY_RULES,
  type MemoryCause,
  type MemoryDiagnosis,
  perHour,
} from "./diagnose.ts";
import {
  bufferUsageProbe,
  lastCheckpointProbe,
  memoryTrendProbe,
  podsProbe,
  podUsageProbe,
  stateSizeProbe,
  stateVolumeProbe,
  type TaskmanagerBreakdown,
  taskmanagerMemoryProbe,
  WINDOW_LOG_SECONDS,
  windowEmitsProbe,
} from "./probes.ts";
import {
  formatQuantity,
  fullestPod,
  heapFraction,
  memorySignals,
  oomKilledPods,
  podMemoryFraction,
  resourcePlan,
  taskmanagerContainer,
} from "./signals.ts";

export function diagnosisOf(results: ProbeResults, config: AppConfig): MemoryDiagnosis {
  return diagnoseMemory(memorySignals(results, config));
}

export const CAUSE_TITLE: Record<MemoryCause, string> = {
  "below-threshold": "memory is back under the threshold",
  "state-growth": "state backend growing (B: state not cleared)",
  "backpressure-buffers": "buffers full (C: backpressure)",
  "heap-leak": "memory leak (A: JVM heap growing)",
  spike: "temporary spike (stable level)",
  unknown: "not determined",
};

function hhmm(at: Date): string {
  return at.toISOString().slice(11, 16);
}

function mib(bytes: number | null): string {
  return bytes === null ? "-" : fmtBytes(bytes);
}

function ratio(used: number | null, total: number | null): string {
  if (used === null) return "-";
  if (!total) return fmtBytes(used);
  return `${fmtBytes(used)} / ${fmtBytes(total)} (${fmtPct((used / total) * 100)})`;
}

// ---------------------------------------------------------------------------------------------
// Step 1: Assess

function trendFinding(points: readonly MetricPoint[], config: AppConfig): Finding {
  const threshold = config.thresholds.memoryUsagePercent;
  const latest = latestOf(points)!;
  const first = points[0]!;
  const trend = trendOf(points);
  const over = latest.value > threshold;
  const rising = trend?.direction === "rising";
  // Five samples across the hour, as the seed's example trend shows them.
  const step = Math.max(1, Math.floor((points.length - 1) / 4));
  const samples = points.filter((_, i) => i % step === 0 || i === points.length - 1).slice(-6);
  return finding(
    rising ? "critical" : over ? "warning" : "ok",
    `Memory ${fmtPct(latest.value)} (threshold ${fmtPct(threshold)}), ${rising ? "growing" : trend?.direction === "falling" ? "falling" : "stable"} over the hour`,
    {
      detail: `${hhmm(first.at)} ${fmtPct(first.value)} -> ${hhmm(latest.at)} ${fmtPct(latest.value)}${trend ? ` (${perHour(trend.slopePerMinute * 60)} points/hour)` : ""}. ${
        rising
          ? "Growing trend = MEMORY LEAK (serious): at 95% the taskmanager is OOMKilled and the restart loses in-flight state."
          : "Stable = temporary spike (OK, but monitor)."
      }`,
      evidence: [
        {
          kind: "table",
          columns: ["TIME (UTC)", "MEMORY"],
          rows: samples.map((p) => [hhmm(p.at), fmtPct(p.value)]),
        },
        seriesEvidence("memory_usage_percentage", points, "%"),
      ],
    },
  );
}

function breakdownFinding(tms: readonly TaskmanagerBreakdown[]): Finding {
  const fullest = Math.max(0, ...tms.map((m) => heapFraction(m) ?? 0));
  const network = tms.some((m) => m.networkUsedBytes !== null);
  return finding(
    fullest >= MEMORY_RULES.heapHighFraction ? "warning" : "info",
    tms.length === 0
      ? "Flink reports no taskmanagers"
      : `JVM heap up to ${fmtPct(fullest * 100)} used across ${tms.length} taskmanager(s)`,
    {
      detail: `Flink Memory = JVM heap + managed (RocksDB) + network buffers. From Flink's taskmanager metrics (what \`jmap -heap\` shows, without exec into a pod).${network ? "" : " Network buffer metrics (Status.Shuffle.Netty.*) are not reported by this Flink."}`,
      evidence:
        tms.length === 0
          ? []
          : [
              {
                kind: "table",
                columns: ["TASKMANAGER", "HEAP USED / MAX", "MANAGED", "NETWORK", "DIRECT", "NON-HEAP"],
                rows: tms.map((m) => [
                  m.id,
                  ratio(m.heapUsedBytes, m.heapMaxBytes),
                  ratio(m.managedUsedBytes, m.managedTotalBytes),
                  ratio(m.networkUsedBytes, m.networkTotalBytes),
                  mib(m.directUsedBytes),
                  mib(m.nonHeapUsedBytes),
                ]),
              },
            ],
    },
  );
}

function podFinding(pods: readonly PodUsage[], infos: readonly PodInfo[] | undefined): Finding {
  const fullest = Math.max(0, ...pods.map((p) => podMemoryFraction(p) ?? 0));
  const oom = oomKilledPods(infos);
  const restarts = new Map((infos ?? []).map((p) => [p.name, p]));
  return finding(
    oom.length > 0 || fullest * 100 >= MEMORY_RULES.nearOomPercent ? "warning" : "info",
    `Pod memory up to ${fmtPct(fullest * 100)} of its limit${oom.length > 0 ? `; OOMKilled before: ${oom.join(", ")}` : ""}`,
    {
      evidence: [
        {
          kind: "table",
          columns: ["POD", "MEMORY", "LIMIT", "USE", "RESTARTS"],
          rows: pods.map((p) => {
            const info = restarts.get(p.pod);
            const last = info?.containers.find((c) => c.lastTerminationReason)?.lastTerminationReason;
            return [
              p.pod,
              fmtBytes(p.memoryBytes),
              p.memoryLimitBytes === null ? "none" : fmtBytes(p.memoryLimitBytes),
              p.memoryLimitBytes === null ? "-" : fmtPct((podMemoryFraction(p) ?? 0) * 100),
              info === undefined ? "-" : `${info.restarts}${last ? ` (last: ${last})` : ""}`,
            ];
          }),
        },
      ],
    },
  );
}

export function assessAssess(results: ProbeResults, config: AppConfig): StepAssessment {
  const findings: Finding[] = [];
  const memory = read(results, memoryTrendProbe);
  const ns = config.pipeline.metricsNamespace;
  if (memory !== undefined && memory.length > 0) findings.push(trendFinding(memory, config));
  else if (memory !== undefined) {
    findings.push(
      finding("warning", "No memory_usage_percentage datapoints", {
        detail: `CloudWatch has no memory_usage_percentage data in \`${ns}\` for the last hour: the trend cannot be judged.`,
      }),
    );
  }
  const tms = read(results, taskmanagerMemoryProbe);
  if (tms !== undefined) findings.push(breakdownFinding(tms));
  const pods = read(results, podUsageProbe);
  if (pods !== undefined && pods.length > 0) findings.push(podFinding(pods, read(results, podsProbe)));

  const s = memorySignals(results, config);
  const level = s.latestPercent === undefined ? "unknown" : fmtPct(s.latestPercent);
  const trend =
    s.memoryDirection === undefined
      ? "trend unknown"
      : s.memoryDirection === "rising"
        ? `growing ${perHour(s.memoryPointsPerHour ?? 0)} points/hour`
        : s.memoryDirection === "flat"
          ? "stable"
          : "falling";
  const status =
    findings.length === 0
      ? memory === undefined
        ? resultOf(results, memoryTrendProbe)?.status === "unconfigured"
          ? "info"
          : "error"
        : "warning"
      : s.memoryDirection === "rising"
        ? "critical"
        : s.latestPercent !== undefined && s.latestPercent > s.thresholdPercent
          ? "warning"
          : findings.some((f) => f.severity === "warning")
            ? "warning"
            : "ok";
  return {
    status,
    summary: `Memory ${level} (threshold ${fmtPct(s.thresholdPercent)}), ${trend}${s.maxHeapFraction === undefined ? "" : `; heap up to ${fmtPct(s.maxHeapFraction * 100)}`}${s.maxPodMemoryFraction === undefined ? "" : `; pods up to ${fmtPct(s.maxPodMemoryFraction * 100)} of their limit`}.`,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 2: Determine Cause

export function assessCause(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const s = memorySignals(results, config);
  const findings: Finding[] = [];
  findings.push(
    finding(
      s.memoryDirection === "rising" ? "warning" : "info",
      `A/B. Memory ${s.memoryDirection === undefined ? "trend unknown" : s.memoryDirection === "rising" ? "is GROWING (leak)" : "is STABLE"}`,
    ),
  );
  const state = read(results, stateSizeProbe);
  if (state !== undefined) {
    const first = state[0];
    const last = latestOf(state);
    findings.push(
      finding(
        s.stateDirection === "rising" ? "warning" : state.length === 0 ? "info" : "ok",
        state.length === 0 || first === undefined || last === undefined
          ? "State backend: no StateBackendUsedBytes datapoints"
          : `State backend ${fmtBytes(first.value)} -> ${fmtBytes(last.value)} over the hour${s.stateDirection === "rising" ? " (growing = window not clearing)" : " (steady)"}`,
        { evidence: state.length === 0 ? [] : [seriesEvidence("StateBackendUsedBytes", state, "bytes")] },
      ),
    );
  }
  const buffers = read(results, bufferUsageProbe);
  if (buffers !== undefined) {
    const latest = latestOf(buffers);
    const full = latest !== undefined && latest.value > MEMORY_RULES.bufferFullPercent;
    findings.push(
      finding(
        latest === undefined ? "info" : full ? "warning" : "ok",
        latest === undefined
          ? "Buffers: no task_buffer_out_pool_usage_percentage datapoints"
          : `Buffers: output pool ${fmtPct(latest.value)} used${full ? " (> 80% = buffers full = downstream slow)" : ""}`,
        {
          evidence:
            latest === undefined
              ? []
              : [seriesEvidence("task_buffer_out_pool_usage_percentage", buffers, "%")],
        },
      ),
    );
  }
  const status =
    d.cause === "below-threshold" || d.cause === "spike" ? "ok" : d.cause === "unknown" ? "info" : "critical";
  return {
    status,
    summary: `Likely cause: ${CAUSE_TITLE[d.cause]} — ${d.because}.`,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 3: Fix Based on Cause

const EVICTOR_SNIPPET = [
  "# Fix: Add TTL to state",
  "# File: KafkaStreamingJob.java",
  ".window(TumblingEventTimeWindow.of(Time.minutes(5)))",
  " .trigger(EventTimeTrigger.create())",
  " .evictor(TimeEvictor.of(Time.minutes(5)))  # Clear old data",
].join("\n");

const TRIGGER_SNIPPET = [
  "# Fix: Check window trigger",
  "# File: KafkaStreamingJob.java",
  ".window(TumblingEventTimeWindow.of(Time.minutes(5)))",
  " .trigger(EventTimeTrigger.create())  # Close window on event time",
].join("\n");

/** The seed's "> 5 GB = too large" for the local state directory. */
const STATE_TOO_LARGE_BYTES = 5 * 10 ** 9;

function heapDumpFinding(pod: string, config: AppConfig, severity: Finding["severity"]): Finding {
  const ns = config.pipeline.namespace;
  return finding(severity, "Human step: take and read a heap dump", {
    detail: `No API can take a heap dump: run these against ${pod}, the fullest taskmanager. Look for the class with the most instances (e.g. "HashMap: 10M instances" = leak). Common causes in Flink: a local cache not clearing (add TTL), Flink state not cleaning (check TTL config), a window not emitting (check trigger).`,
    evidence: [
      {
        kind: "code",
        text: [
          "# 1. Take heap dump",
          `kubectl exec -n ${ns} ${pod} -- jmap -dump:live,format=b,file=/tmp/heap.dump 1`,
          `kubectl cp ${ns}/${pod}:/tmp/heap.dump ./heap.dump`,
          "# 2. Analyze with Eclipse MAT or jhat",
          "jhat heap.dump",
        ].join("\n"),
      },
      { kind: "code", text: EVICTOR_SNIPPET },
    ],
  });
}

function stateFindings(results: ProbeResults, isCause: boolean): Finding[] {
  const out: Finding[] = [];
  const volumes = read(results, stateVolumeProbe);
  if (volumes !== undefined && volumes.length > 0) {
    const largest = Math.max(...volumes.map((v) => v.usedBytes));
    const large = largest > STATE_TOO_LARGE_BYTES;
    out.push(
      finding(
        isCause && large ? "warning" : "info",
        `Local state volume: up to ${fmtBytes(largest)} used${large ? " (> 5 GB = too large)" : ""}`,
        {
          detail: "The kubelet's volume stats, what `du -sh /tmp/flink-state*` shows inside the pod.",
          evidence: [
            {
              kind: "table",
              columns: ["POD", "VOLUME", "USED", "CAPACITY"],
              rows: volumes.map((v) => [
                v.pod,
                v.claim ?? v.volume,
                fmtBytes(v.usedBytes),
                fmtBytes(v.capacityBytes),
              ]),
            },
          ],
        },
      ),
    );
  }
  const logs = read(results, windowEmitsProbe);
  if (logs !== undefined && logs.length > 0) {
    const readable = logs.filter((l) => l.error === null);
    const total = readable.reduce((a, l) => a + l.matched, 0);
    const silent = readable.filter((l) => l.matched === 0).map((l) => l.pod);
    const minutes = WINDOW_LOG_SECONDS / 60;
    out.push(
      finding(
        silent.length > 0 ? (isCause ? "warning" : "info") : "ok",
        silent.length > 0
          ? `No "window emitted" line in ${minutes} min on ${silent.length} of ${readable.length} taskmanager(s)`
          : `Windows emit: ${total} "window emitted" line(s) in ${minutes} min`,
        {
          detail:
            silent.length > 0
              ? "Windows should emit every 5 minutes: a window that never emits keeps its records in state (window size 5 min but records for 100 min in state = leak)."
              : "Windows should emit every 5 minutes.",
          evidence: readable.flatMap((l) => l.lines.slice(-1)).length
            ? [{ kind: "log", lines: readable.flatMap((l) => l.lines.slice(-1)).slice(0, 5) }]
            : [],
        },
      ),
    );
  }
  if (isCause) {
    out.push(
      finding("warning", "Human step: check the window trigger (code change)", {
        detail:
          "Likely cause: a window never emitting, so records accumulate in state. Make sure windows close on event time:",
        evidence: [{ kind: "code", text: TRIGGER_SNIPPET }],
      }),
    );
  }
  return out;
}

export function assessFixByCause(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const findings: Finding[] = [];
  const pod = fullestPod(results) ?? `${config.pipeline.taskmanagerDeployment}-0`;
  switch (d.cause) {
    case "heap-leak":
      findings.push(heapDumpFinding(pod, config, "warning"));
      findings.push(...stateFindings(results, false));
      break;
    case "state-growth":
      findings.push(...stateFindings(results, true));
      break;
    case "backpressure-buffers":
      findings.push(
        finding("warning", "Check downstream: buffers are full because the next stage is slow", {
          detail:
            "Is Firehose accepting data? Run `/runbook firehose` (delivery failures) and `/runbook lag` (consumer lag: the bottleneck). More memory does not help while downstream refuses data.",
        }),
      );
      break;
    case "spike":
      findings.push(
        finding("info", "No fix needed now: monitor", {
          detail:
            "Memory is stable: a temporary spike. Re-run `/runbook memory` if it starts growing; at 95% a taskmanager is OOMKilled.",
        }),
      );
      break;
    case "below-threshold":
      findings.push(finding("ok", "No fix needed: memory is under the threshold and not growing"));
      break;
    case "unknown":
      findings.push(
        finding("info", "Work the branches by hand", {
          detail:
            "Without the memory trend the bot cannot tell a leak from a spike. Read memory_usage_percentage for the last hour (growing = leak, flat = spike):",
          evidence: [
            {
              kind: "code",
              text: [
                "aws cloudwatch get-metric-statistics \\",
                `  --namespace ${config.pipeline.metricsNamespace} \\`,
                "  --metric-name memory_usage_percentage \\",
                "  --start-time $(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%S) \\",
                "  --end-time $(date -u +%Y-%m-%dT%H:%M:%S) \\",
                "  --period 60 \\",
                "  --statistics Average",
              ].join("\n"),
            },
          ],
        }),
        heapDumpFinding(pod, config, "info"),
      );
      break;
  }
  const summary: Record<MemoryCause, string> = {
    "heap-leak": `Take a heap dump of ${pod} and find the growing class (human step).`,
    "state-growth": "Find the window that does not emit and fix its trigger (code change).",
    "backpressure-buffers": "Check downstream: `/runbook firehose`, `/runbook lag`.",
    spike: "Monitor: a stable level is a temporary spike.",
    "below-threshold": "No fix needed.",
    unknown: "Judge the memory graph by hand; a heap dump shows what fills the heap.",
  };
  return {
    status: d.cause === "below-threshold" || d.cause === "spike" ? "ok" : "info",
    summary: summary[d.cause],
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 4: Immediate Mitigation

export function resourcesProposal(results: ProbeResults, config: AppConfig): Proposal | undefined {
  const plan = resourcePlan(read(results, podUsageProbe));
  const container = taskmanagerContainer(read(results, podsProbe));
  if (plan === undefined || container === undefined) return undefined;
  const { namespace, taskmanagerDeployment } = config.pipeline;
  const limit = formatQuantity(plan.limitBytes);
  const request = formatQuantity(plan.requestBytes);
  return {
    action: "set-taskmanager-resources",
    label: `Set taskmanager memory: limit ${formatQuantity(plan.currentLimitBytes)} -> ${limit}, request ${request}`,
    params: {
      namespace,
      deployment: taskmanagerDeployment,
      container,
      requests: { memory: request },
      limits: { memory: limit },
    },
  };
}

export function restartProposal(config: AppConfig): Proposal {
  const { namespace, taskmanagerDeployment } = config.pipeline;
  return {
    action: "restart-taskmanagers",
    label: "Restart taskmanagers (state reloads from the last checkpoint)",
    params: { namespace, deployment: taskmanagerDeployment },
  };
}

/** What a restart costs, from the latest completed checkpoint. */
export function restartCost(results: ProbeResults): string {
  const last = read(results, lastCheckpointProbe);
  if (last === undefined) {
    return "A restart reloads state from the last checkpoint; the bot could not read which one (Flink REST not reachable or not configured).";
  }
  const c = last.completed;
  if (c === null) {
    return `${last.jobName} has no completed checkpoint: a restart would start without state. Do not restart before a checkpoint completes.`;
  }
  const done = c.latestAckTime ?? c.triggerTime;
  const ageSeconds = Math.max(0, Math.round((last.observedAt.getTime() - done.getTime()) / 1000));
  return `A restart reloads ${fmtBytes(c.stateSizeBytes)} of state from checkpoint ${c.id} (completed ${done.toISOString().slice(11, 19)} UTC, ${ageSeconds} s before this run)${c.externalPath ? ` at ${c.externalPath}` : ""}; records after it are read again from Kafka, a short burst of lag while the job catches up.`;
}

const GC_SNIPPET = [
  "# Option 2: Increase GC frequency",
  "# File: flink-config.yaml",
  'env.java.opts: "-XX:+UseG1GC -XX:MaxGCPauseMillis=200"',
].join("\n");

const STATE_TTL_SNIPPET = [
  "# Option 3: Reduce state TTL (clear old data faster)",
  "# File: KafkaStreamingJob.java",
  "StateTtlConfig ttlConfig = StateTtlConfig",
  "  .newBuilder(Time.seconds(3600))  # 1 hour instead of 24 hours",
  "  .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)",
  "  .build();",
].join("\n");

/** The actions the conclusion suggests for a cause. */
export function suggestedProposals(results: ProbeResults, config: AppConfig): Proposal[] {
  const d = diagnosisOf(results, config);
  const s = memorySignals(results, config);
  const resources = resourcesProposal(results, config);
  const nearOom =
    Math.max(s.latestPercent ?? 0, (s.maxPodMemoryFraction ?? 0) * 100) >= MEMORY_RULES.nearOomPercent;
  switch (d.cause) {
    case "heap-leak":
      return [...(resources ? [resources] : []), restartProposal(config)];
    case "state-growth":
      return resources ? [resources] : [];
    case "spike":
      return nearOom && resources ? [resources] : [];
    default:
      return [];
  }
}

export function assessMitigation(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const proposals = suggestedProposals(results, config);
  const findings: Finding[] = [];
  const resources = proposals.find((p) => p.action === "set-taskmanager-resources");
  const restart = proposals.find((p) => p.action === "restart-taskmanagers");
  if (resources) {
    findings.push(
      finding("warning", "Option 1: Increase memory (temporary, buys time for the root-cause fix)", {
        detail:
          "The seed's `kubectl set resources deployment flink-taskmanager --limits memory=16Gi --requests memory=8Gi`, computed from the current limit (doubled, at most 32Gi). Pods restart with the new limit, reloading state from the last checkpoint.",
        proposals: [resources],
      }),
    );
  } else if (d.cause === "heap-leak" || d.cause === "state-growth") {
    findings.push(
      finding("info", "Cannot propose more memory", {
        detail:
          "The current memory limit or the taskmanager container could not be read, or the limit is already at the 32Gi cap.",
      }),
    );
  }
  if (restart) {
    findings.push(
      finding("warning", "Restart the taskmanagers (frees the leaked heap)", {
        detail: `${restartCost(results)} The leak comes back: fix its cause.`,
        proposals: [restart],
      }),
    );
  } else if (d.cause === "state-growth") {
    findings.push(
      finding("info", "A restart does not help here", {
        detail: `${restartCost(results)} The grown state comes back with it.`,
      }),
    );
  }
  if (d.cause !== "below-threshold" && d.cause !== "backpressure-buffers") {
    findings.push(
      finding("info", "Human steps: GC and state TTL (config and code changes)", {
        evidence: [
          { kind: "code", text: GC_SNIPPET },
          { kind: "code", text: STATE_TTL_SNIPPET },
        ],
      }),
    );
  }
  return {
    status: "info",
    summary:
      proposals.length > 0
        ? `Proposed: ${proposals.map((p) => p.label).join("; ")}.`
        : d.cause === "backpressure-buffers"
          ? "No memory change: fix the downstream (`/runbook firehose`, `/runbook lag`)."
          : d.cause === "unknown"
            ? "No mitigation proposed while the cause is unknown."
            : "No mitigation needed now.",
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 5: Verify Fix

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const s = memorySignals(results, config);
  const pod = fullestPod(results) ?? `${config.pipeline.taskmanagerDeployment}-0`;
  const { namespace, taskmanagerSelector } = config.pipeline;
  return {
    status: "info",
    summary: `Memory should stabilize or decrease after the fix (now ${s.latestPercent === undefined ? "unknown" : fmtPct(s.latestPercent)}); re-run \`/runbook memory\` to compare.`,
    findings: [
      finding("info", "Monitor the memory trend after the fix", {
        detail:
          "Memory should stabilize or decrease. If it is a leak, GC pauses increase while memory decreases. Once stable, investigate the root cause offline: do not just scale memory forever.",
        evidence: [
          {
            kind: "code",
            text: [
              `watch -n 60 'kubectl top pod -n ${namespace} -l ${taskmanagerSelector}'`,
              "# If leak: GC should free memory",
              `kubectl exec -n ${namespace} ${pod} -- jstat -gc 1 1000 | tail -10`,
            ].join("\n"),
          },
        ],
      }),
    ],
  };
}

const assessProbes = [memoryTrendProbe, taskmanagerMemoryProbe, podUsageProbe, podsProbe];

export const memoryUsageSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: assessProbes,
    // Its signals are read from this step's probes only: the later steps' have not run yet.
    assess: (results, config) => assessAssess(resultsOf(results, assessProbes), config),
  },
  {
    id: "determine-cause",
    title: "Step 2: Determine Cause",
    budgetSeconds: 120,
    probes: [stateSizeProbe, bufferUsageProbe],
    assess: assessCause,
  },
  {
    id: "fix-by-cause",
    title: "Step 3: Fix Based on Cause",
    probes: [stateVolumeProbe, windowEmitsProbe],
    assess: assessFixByCause,
  },
  {
    id: "mitigation",
    title: "Step 4: Immediate Mitigation",
    probes: [lastCheckpointProbe],
    assess: assessMitigation,
  },
  { id: "verify", title: "Step 5: Verify Fix", probes: [], assess: assessVerify },
];
