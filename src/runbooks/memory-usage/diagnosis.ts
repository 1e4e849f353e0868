/** The memory-usage diagnosis read from probe results, and small formatting helpers the steps share. */
import type { AppConfig } from "../../config/schema.ts";
import type { ProbeResults } from "../../core/runbook.ts";
import { diagnoseMemory, fmtBytes, fmtPct, type MemoryDiagnosis } from "./diagnose.ts";
import { memorySignals } from "./signals.ts";

export function diagnosisOf(results: ProbeResults, config: AppConfig): MemoryDiagnosis {
  return diagnoseMemory(memorySignals(results, config));
}

export function hhmm(at: Date): string {
  return at.toISOString().slice(11, 16);
}

export function mib(bytes: number | null): string {
  return bytes === null ? "-" : fmtBytes(bytes);
}

export function ratio(used: number | null, total: number | null): string {
  if (used === null) return "-";
  if (!total) return fmtBytes(used);
  return `${fmtBytes(used)} / ${fmtBytes(total)} (${fmtPct((used / total) * 100)})`;
}
