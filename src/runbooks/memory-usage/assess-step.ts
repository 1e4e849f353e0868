/** Step 1 (Assess): the memory trend, its breakdown and the pods. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, seriesEvidence } from "../../core/finding.ts";
import { latestOf, trendOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, resultOf, type StepAssessment } from "../../core/runbook.ts";
import type { PodInfo, PodUsage } from "../../ports/kubernetes.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import { fmtBytes, fmtPct, MEMORY_RULES, perHour } from "./diagnose.ts";
import { hhmm, mib, ratio } from "./diagnosis.ts";
import {
  memoryTrendProbe,
  podsProbe,
  podUsageProbe,
  type TaskmanagerBreakdown,
  taskmanagerMemoryProbe,
} from "./probes.ts";
import { heapFraction, memorySignals, oomKilledPods, podMemoryFraction } from "./signals.ts";

export function trendFinding(points: readonly MetricPoint[], config: AppConfig): Finding {
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

export function breakdownFinding(tms: readonly TaskmanagerBreakdown[]): Finding {
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

export function podFinding(pods: readonly PodUsage[], infos: readonly PodInfo[] | undefined): Finding {
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
