/** Step 2 (Determine Cause): state size and buffer usage. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, seriesEvidence } from "../../core/finding.ts";
import { latestOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { fmtBytes, fmtPct, MEMORY_RULES } from "./diagnose.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { bufferUsageProbe, stateSizeProbe } from "./probes.ts";
import { memorySignals } from "./signals.ts";
import { CAUSE_TITLE } from "./texts.ts";

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
