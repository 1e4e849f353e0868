import type { AppConfig } from "../../config/schema.ts";
import { findRunbook } from "../../core/catalog.ts";
import type { Conclusion, Confidence, ProbeResults, Runbook } from "../../core/runbook.ts";
import { read } from "../../core/runbook.ts";
import type { CompletenessCause, CompletenessDiagnosis, CompletenessSignals } from "./diagnose.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { proposalsFor } from "./fix-step.ts";
import { latestCheckpointProbe, windowRecordsProbe } from "./probes.ts";
import { completenessSignals } from "./signals.ts";
import { windowCompletenessSteps } from "./steps.ts";
import { CAUSE_TITLE } from "./texts.ts";
import { windowCompletenessRecovery } from "./verify.ts";

const BRANCHES: readonly CompletenessCause[] = [
  "late-arrivals",
  "watermark-stuck",
  "state-backend-loss",
  "window-not-fired",
];

/** Which branches the run could not rule in or out, for lack of data. */
function uncheckedBranches(s: CompletenessSignals): CompletenessCause[] {
  const out: CompletenessCause[] = [];
  if (s.windowRecordsLate === undefined || s.windowRecordsIn === undefined) out.push("late-arrivals");
  if (
    s.watermarkLagMs === undefined &&
    s.flinkWatermarkLagMs === undefined &&
    s.missingWatermarks === undefined
  )
    out.push("watermark-stuck");
  if (s.stateReads === undefined) out.push("state-backend-loss");
  if (s.missingWindows === undefined) out.push("window-not-fired");
  return out;
}

/** The worst window has no log line at all: what a window that never fired looks like. */
function windowNeverLogged(results: ProbeResults): boolean {
  const run = read(results, windowRecordsProbe);
  return (
    run !== undefined && run !== null && run.result.outcome === "complete" && run.result.rows.length === 0
  );
}

function confidenceOf(
  s: CompletenessSignals,
  d: CompletenessDiagnosis,
  results: ProbeResults,
): { confidence: Confidence; open: string[] } {
  // A window that never closed (B) or never fired (D) logs no records: late arrivals are moot then.
  const explained =
    windowNeverLogged(results) &&
    (d.cause === "window-not-fired" || d.cause === "watermark-stuck" || d.cause === "source-idle");
  const unchecked = uncheckedBranches(s).filter((c) => !(explained && c === "late-arrivals"));
  const others = d.matched.slice(1);
  const open = [...new Set([...others, ...(d.cause === "recovered" ? [] : unchecked)])]
    .filter((c) => c !== d.cause)
    .map((c) => CAUSE_TITLE[c]);
  if (d.cause === "unknown") return { confidence: "low", open: BRANCHES.map((c) => CAUSE_TITLE[c]) };
  if (d.cause === "recovered") return { confidence: unchecked.length <= 1 ? "high" : "medium", open };
  let confidence: Confidence =
    unchecked.length >= 3 ? "low" : others.length > 0 || unchecked.length > 0 ? "medium" : "high";
  // Stuck watermark with the source unknown: Flink stalled and an idle source look the same.
  if ((d.cause === "watermark-stuck" || d.cause === "source-idle") && d.sourceActive === undefined) {
    confidence = "medium";
    open.push(CAUSE_TITLE[d.cause === "watermark-stuck" ? "source-idle" : "watermark-stuck"]);
  }
  return { confidence, open };
}

function evidenceLines(s: CompletenessSignals, d: CompletenessDiagnosis, results: ProbeResults): string[] {
  const lines = [d.because];
  if (s.worstPercent !== undefined) {
    lines.push(
      `lowest window ${s.worstWindowId ?? ""} at ${Number(s.worstPercent.toFixed(1))}%, latest ${s.latestPercent === undefined ? "unknown" : `${Number(s.latestPercent.toFixed(1))}%`}`.replace(
        "  ",
        " ",
      ),
    );
  }
  if (d.gap !== undefined)
    lines.push(`gap (in - out - late) ${Math.round(d.gap).toLocaleString("en-US")} records`);
  if (d.cause === "state-backend-loss") {
    const c = read(results, latestCheckpointProbe)?.completed;
    lines.push(
      c
        ? `latest completed checkpoint chk-${c.id} at ${c.triggerTime.toISOString()}`
        : "latest completed checkpoint unknown",
    );
  }
  return lines;
}

export const windowCompletenessRunbook: Runbook = {
  meta: findRunbook("window-completeness")!,
  verify: windowCompletenessRecovery,
  steps: windowCompletenessSteps,
  conclude(results, _steps, config: AppConfig): Conclusion {
    const s = completenessSignals(results, config);
    const d = diagnosisOf(results, config);
    const proposals = proposalsFor(d, config, results);
    const severity =
      d.cause === "recovered"
        ? "ok"
        : d.cause === "watermark-stuck" || d.cause === "state-backend-loss" || d.cause === "window-not-fired"
          ? "critical"
          : "warning";
    const { confidence, open } = confidenceOf(s, d, results);
    const p = (n: number) => `${Number(n.toFixed(1))}%`;
    const now =
      s.latestPercent === undefined
        ? "Completeness unknown"
        : `Completeness ${p(s.latestPercent)} now${
            s.worstPercent !== undefined && s.worstPercent < s.latestPercent
              ? `, lowest ${p(s.worstPercent)} (${s.worstWindowId ?? "a window"})`
              : ""
          }`;
    return {
      summary: `${now}. Likely cause: ${CAUSE_TITLE[d.cause]} — ${d.because}.`,
      severity,
      suggestedActions: proposals,
      cause: d.cause,
      confidence,
      evidence: evidenceLines(s, d, results),
      ...(open.length > 0 ? { openBranches: [...new Set(open)] } : {}),
    };
  },
};
