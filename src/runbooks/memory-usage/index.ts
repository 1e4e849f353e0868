import type { AppConfig } from "../../config/schema.ts";
import { findRunbook } from "../../core/catalog.ts";
import type { FindingSeverity } from "../../core/finding.ts";
import type { Conclusion, Confidence, ProbeResults, Runbook } from "../../core/runbook.ts";
import {
  buffersFull,
  fmtBytes,
  fmtPct,
  MEMORY_RULES,
  type MemoryCause,
  type MemoryDiagnosis,
  type MemorySignals,
  perHour,
} from "./diagnose.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { suggestedProposals } from "./mitigation-step.ts";
import { memorySignals } from "./signals.ts";
import { memoryUsageSteps } from "./steps.ts";
import { CAUSE_TITLE } from "./texts.ts";
import { memoryRecovery } from "./verify.ts";

const LOWER: Record<Confidence, Confidence> = { high: "medium", medium: "low", low: "low" };

function severityOf(cause: MemoryCause, s: MemorySignals): FindingSeverity {
  switch (cause) {
    case "below-threshold":
      return "ok";
    case "spike":
    case "unknown":
      return "warning";
    default:
      // Growing towards the OOM line, or already at it.
      return (s.latestPercent ?? 0) >= MEMORY_RULES.nearOomPercent || s.memoryDirection === "rising"
        ? "critical"
        : "warning";
  }
}

export function confidenceOf(d: MemoryDiagnosis, s: MemorySignals): Confidence {
  if (d.cause === "unknown") return "low";
  let c: Confidence = "high";
  // Leak vs spike rest on the trend; the causes rest on state and buffers having been read.
  if (s.memoryDirection === undefined) c = LOWER[c];
  if ((d.cause === "heap-leak" || d.cause === "spike") && s.stateDirection === undefined) c = LOWER[c];
  if ((d.cause === "heap-leak" || d.cause === "spike") && s.bufferPercent === undefined) c = LOWER[c];
  // A growing memory whose heap is not full may be off-heap (RocksDB native memory).
  if (
    d.cause === "heap-leak" &&
    (s.maxHeapFraction === undefined || s.maxHeapFraction < MEMORY_RULES.heapHighFraction)
  )
    c = LOWER[c];
  if (d.alsoSeen.length > 0) c = LOWER[c];
  return c;
}

export function openBranchesOf(d: MemoryDiagnosis, s: MemorySignals): string[] {
  const open = d.alsoSeen.map((c) => `${CAUSE_TITLE[c]} (its signals are present too)`);
  if (s.memoryDirection === undefined && d.cause !== "heap-leak")
    open.push(`${CAUSE_TITLE["heap-leak"]} or ${CAUSE_TITLE.spike} (memory trend not read)`);
  if (s.stateDirection === undefined && d.cause !== "state-growth")
    open.push(`${CAUSE_TITLE["state-growth"]} (StateBackendUsedBytes not read)`);
  if (s.bufferPercent === undefined && d.cause !== "backpressure-buffers")
    open.push(`${CAUSE_TITLE["backpressure-buffers"]} (buffer usage not read)`);
  if (d.cause === "heap-leak" && (s.maxHeapFraction ?? 0) < MEMORY_RULES.heapHighFraction)
    open.push(
      `off-heap growth (RocksDB native memory, not in StateBackendUsedBytes): heap ${s.maxHeapFraction === undefined ? "not read" : `at ${fmtPct(s.maxHeapFraction * 100)}`}`,
    );
  return open;
}

function evidenceOf(d: MemoryDiagnosis, s: MemorySignals): string[] {
  const lines: string[] = [];
  if (s.latestPercent !== undefined)
    lines.push(
      `memory_usage_percentage ${fmtPct(s.latestPercent)} (threshold ${fmtPct(s.thresholdPercent)})${s.memoryDirection === undefined ? "" : `, ${s.memoryDirection} (${perHour(s.memoryPointsPerHour ?? 0)} points/hour)`}`,
    );
  if (s.latestStateBytes !== undefined)
    lines.push(
      `StateBackendUsedBytes ${fmtBytes(s.latestStateBytes)}, ${s.stateDirection ?? "trend unknown"}${s.stateBytesPerHour === undefined ? "" : ` (${fmtBytes(s.stateBytesPerHour)}/hour)`}`,
    );
  if (s.bufferPercent !== undefined)
    lines.push(`output buffers ${fmtPct(s.bufferPercent)} used${buffersFull(s) ? " (full)" : ""}`);
  if (s.maxHeapFraction !== undefined) lines.push(`JVM heap up to ${fmtPct(s.maxHeapFraction * 100)}`);
  if (s.maxPodMemoryFraction !== undefined)
    lines.push(`pod memory up to ${fmtPct(s.maxPodMemoryFraction * 100)} of its limit`);
  lines.push(d.because);
  return lines;
}

export const memoryUsageRunbook: Runbook = {
  meta: findRunbook("memory-usage")!,
  verify: memoryRecovery,
  steps: memoryUsageSteps,
  conclude(results: ProbeResults, _steps, config: AppConfig): Conclusion {
    const s = memorySignals(results, config);
    const d = diagnosisOf(results, config);
    const confidence = confidenceOf(d, s);
    const open = confidence === "high" ? [] : openBranchesOf(d, s);
    const level = s.latestPercent === undefined ? "Memory use unknown" : `Memory ${fmtPct(s.latestPercent)}`;
    return {
      summary: `${level} (threshold ${fmtPct(s.thresholdPercent)}). Likely cause: ${CAUSE_TITLE[d.cause]} — ${d.because}.`,
      severity: severityOf(d.cause, s),
      suggestedActions: suggestedProposals(results, config),
      cause: d.cause,
      confidence,
      evidence: evidenceOf(d, s),
      ...(open.length > 0 ? { openBranches: open } : {}),
    };
  },
};
