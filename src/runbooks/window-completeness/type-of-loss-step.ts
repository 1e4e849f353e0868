/** Step 2 (Determine Type of Loss): the short window's records. */
import type { AppConfig } from "../../config/schema.ts";
import { finding } from "../../core/finding.ts";
import { formatCount } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { unreadStep } from "../unread-step.ts";
import { diagnosisOf, MAX_ROWS, partialNote, pct, queryBlock } from "./diagnosis.ts";
import { windowRecordsProbe } from "./probes.ts";
import { completenessSignals } from "./signals.ts";
import { numberField } from "./windows.ts";

export function assessTypeOfLoss(results: ProbeResults, config: AppConfig): StepAssessment {
  const run = read(results, windowRecordsProbe);
  if (run === undefined) {
    return unreadStep(
      results,
      [windowRecordsProbe],
      "CloudWatch Logs",
      "The window's records could not be queried.",
    );
  }
  if (run === null) {
    return {
      status: "info",
      summary: "No window to look at: Step 1 found no completeness data.",
      findings: [],
    };
  }
  const s = completenessSignals(results, config);
  const d = diagnosisOf(results, config);
  if (run.result.rows.length === 0) {
    return {
      status: "warning",
      summary: `No log line for ${run.windowId}: it may never have fired (see D).`,
      findings: [
        finding("warning", `No records_in/out/late logged for ${run.windowId}`, {
          detail: `Logs Insights found no line for the window in \`${config.pipeline.logGroup}\`.${partialNote(run)}`,
          evidence: [queryBlock(run, config)],
        }),
      ],
    };
  }
  const rows = run.result.rows.slice(0, MAX_ROWS).map((r) => {
    const rin = numberField(r, "records_in");
    const rout = numberField(r, "records_out");
    const late = numberField(r, "records_late");
    const gap = rin !== undefined && rout !== undefined ? rin - rout - (late ?? 0) : undefined;
    return [
      r["@timestamp"] ?? "-",
      r.window_id ?? run.windowId,
      rin === undefined ? "-" : formatCount(rin),
      rout === undefined ? "-" : formatCount(rout),
      late === undefined ? "-" : formatCount(late),
      gap === undefined ? "-" : formatCount(gap),
    ];
  });
  const gap = d.gap;
  const lost = gap !== undefined && gap > 0;
  const summary =
    s.windowRecordsIn === undefined || s.windowRecordsOut === undefined || gap === undefined
      ? `${run.windowId}: records_in / records_out not logged.`
      : `${run.windowId}: in ${formatCount(s.windowRecordsIn)}, out ${formatCount(s.windowRecordsOut)}, late ${formatCount(s.windowRecordsLate ?? 0)}; gap ${formatCount(gap)} records unaccounted${d.lateFraction === undefined ? "" : `, late ${pct(d.lateFraction * 100)} of the window`}.`;
  return {
    status: lost ? "warning" : "ok",
    summary,
    findings: [
      finding(
        lost ? "warning" : "ok",
        gap === undefined
          ? `${run.windowId}: records not fully logged`
          : lost
            ? `Gap: ${formatCount(gap)} records unaccounted in ${run.windowId}`
            : `${run.windowId}: every record is out or late`,
        {
          detail: `Gap = in - out - late.${lost ? " Unaccounted records are neither in the aggregate nor counted late: a watermark that never advanced, lost state, or a window that never closed." : ""}${partialNote(run)}`,
          evidence: [
            {
              kind: "table",
              columns: ["TIME", "WINDOW", "IN", "OUT", "LATE", "GAP"],
              rows,
              ...(run.result.rows.length > MAX_ROWS
                ? { omittedRows: run.result.rows.length - MAX_ROWS }
                : {}),
            },
            queryBlock(run, config),
          ],
        },
      ),
    ],
  };
}
