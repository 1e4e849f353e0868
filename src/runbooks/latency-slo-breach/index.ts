import type { AppConfig } from "../../config/schema.ts";
import { findRunbook } from "../../core/catalog.ts";
import type { FindingSeverity } from "../../core/finding.ts";
import {
  type Conclusion,
  type Confidence,
  type Probe,
  type ProbeResults,
  type Runbook,
  resultOf,
} from "../../core/runbook.ts";
import {
  isBackpressured,
  isCpuBound,
  isFirehoseFalling,
  LATENCY_RULES,
  type LatencyCause,
  type LatencyDiagnosis,
  type LatencySignals,
  ms,
  pct,
  seconds,
} from "./diagnose.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { suggestedProposals } from "./fix-step.ts";
import {
  backpressureProbe,
  bufferUsageProbe,
  enrichmentLatencyProbe,
  firehoseDeliveryProbe,
  slowEnrichmentProbe,
} from "./probes.ts";
import { latencySignals } from "./signals.ts";
import { latencySloBreachSteps } from "./steps.ts";
import { CAUSE_TITLE } from "./texts.ts";
import { latencyRecovery } from "./verify.ts";

const LOWER: Record<Confidence, Confidence> = { high: "medium", medium: "low", low: "low" };

function severityOf(cause: LatencyCause): FindingSeverity {
  switch (cause) {
    case "below-threshold":
      return "ok";
    case "unknown":
    case "operator-slow":
    case "enrichment":
      return "warning";
    default:
      return "critical";
  }
}

export function confidenceOf(d: LatencyDiagnosis, s: LatencySignals): Confidence {
  if (d.cause === "below-threshold") return "high";
  if (d.cause === "unknown") return "low";
  let c: Confidence =
    d.cause === "enrichment" || d.cause === "operator-slow" || d.cause === "backpressure" ? "medium" : "high";
  if (
    d.cause === "firehose-slow" &&
    !(s.operators?.[0]?.operator === "firehose_delay" && isFirehoseFalling(s))
  )
    c = LOWER[c];
  if (d.cause === "backpressure-cpu" && (s.backpressuredVertices?.length ?? 0) === 0) c = LOWER[c];
  if (s.p99Ms === undefined) c = LOWER[c];
  if (s.operators === undefined) c = LOWER[c];
  if (d.alsoSeen.length > 0) c = LOWER[c];
  return c;
}

/** What a generic conclusion leaves open even with every source read. */
const STILL_POSSIBLE: Record<LatencyCause, readonly string[]> = {
  "below-threshold": [],
  "enrichment-customer-hotspot": [],
  "enrichment-cache-miss": [],
  "enrichment-api-slow": [],
  enrichment: ["the enrichment code path itself (serialization, locks)", "GC pauses on the taskmanagers"],
  "firehose-slow": [],
  "backpressure-cpu": [],
  backpressure: [
    "a slow sink (Firehose taking data slowly: `/runbook firehose`)",
    "a slow operator after the back-pressured vertices",
  ],
  "operator-slow": ["a recent change to the slow operator (deploy)", "GC pauses or CPU on the taskmanagers"],
  unknown: [],
};

/** Branches that could not be ruled out because their data was missing, or whose signals are present too. */
export function openBranchesOf(d: LatencyDiagnosis, s: LatencySignals, results: ProbeResults): string[] {
  const open = d.alsoSeen.map((c) => `${CAUSE_TITLE[c]} (its signals are present too)`);
  const missing = (p: Probe) => resultOf(results, p)?.status !== "ok";
  if (s.operators === undefined) open.push("which operator is slow (per-operator latency not read)");
  if (!d.cause.startsWith("enrichment") && (missing(enrichmentLatencyProbe) || missing(slowEnrichmentProbe)))
    open.push("enrichment API slow / cache misses (enrichment logs not read)");
  if (d.cause !== "firehose-slow" && missing(firehoseDeliveryProbe))
    open.push("Firehose slow (DeliveryToS3.Records not read)");
  if (!d.cause.startsWith("backpressure") && missing(backpressureProbe))
    open.push(
      `backpressure (Flink back pressure${missing(bufferUsageProbe) ? " and buffer usage" : ""} not read)`,
    );
  if (d.cause === "backpressure" && s.maxCpuFraction === undefined)
    open.push(`${CAUSE_TITLE["backpressure-cpu"]} (pod CPU not read)`);
  open.push(...STILL_POSSIBLE[d.cause]);
  return open;
}

function evidenceOf(d: LatencyDiagnosis, s: LatencySignals): string[] {
  const lines: string[] = [];
  if (s.p99Ms !== undefined) lines.push(`LatencyP99 ${ms(s.p99Ms)} (SLO ${seconds(s.thresholdMs)})`);
  const slow = s.operators?.[0];
  if (slow) lines.push(`slowest operator: ${slow.operator}, p99 ${ms(slow.p99Ms)}`);
  if (d.cause.startsWith("enrichment")) {
    if (s.enrichmentApiLatencyMs !== undefined) lines.push(`enrichment API ${ms(s.enrichmentApiLatencyMs)}`);
    if (s.enrichmentCacheHitRate !== undefined) lines.push(`cache hit rate ${pct(s.enrichmentCacheHitRate)}`);
    if (s.slowCallCount !== undefined)
      lines.push(
        `${s.slowCallCount} slow calls${s.topCustomerShare === undefined || s.slowCallCount < LATENCY_RULES.hotspotMinSamples ? "" : `, top 3 customers ${pct(s.topCustomerShare)}`}`,
      );
  }
  if (s.firehoseRecentRatio !== undefined && (d.cause === "firehose-slow" || isFirehoseFalling(s)))
    lines.push(`Firehose deliveries at ${pct(s.firehoseRecentRatio)} of their earlier rate`);
  if (isBackpressured(s) || d.cause.startsWith("backpressure")) {
    if ((s.backpressuredVertices?.length ?? 0) > 0)
      lines.push(`back pressure high: ${s.backpressuredVertices!.join(", ")}`);
    if (s.bufferOutPoolPercent !== undefined)
      lines.push(`output buffers ${Math.round(s.bufferOutPoolPercent)}% used`);
    if (s.maxCpuFraction !== undefined)
      lines.push(`taskmanager CPU up to ${pct(s.maxCpuFraction)}${isCpuBound(s) ? " (full)" : ""}`);
  }
  lines.push(d.because);
  return lines;
}

export const latencySloBreachRunbook: Runbook = {
  meta: findRunbook("latency-slo-breach")!,
  verify: latencyRecovery,
  steps: latencySloBreachSteps,
  conclude(results, _steps, config: AppConfig): Conclusion {
    const signals = latencySignals(results, config);
    const diagnosis = diagnosisOf(results, config);
    const confidence = confidenceOf(diagnosis, signals);
    const open = confidence === "high" ? [] : openBranchesOf(diagnosis, signals, results);
    const p99 = signals.p99Ms === undefined ? "p99 unknown" : `p99 ${ms(signals.p99Ms)}`;
    return {
      summary: `${p99} (SLO ${seconds(signals.thresholdMs)}). Likely cause: ${CAUSE_TITLE[diagnosis.cause]} — ${diagnosis.because}.`,
      severity: severityOf(diagnosis.cause),
      suggestedActions: suggestedProposals(results, config),
      cause: diagnosis.cause,
      confidence,
      evidence: evidenceOf(diagnosis, signals),
      ...(open.length > 0 ? { openBranches: open } : {}),
    };
  },
};
