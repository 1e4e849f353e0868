/** The window-completeness runbook's steps, named as in the seed, each with a pure assess. */
import type { AppConfig } from "../../config/schema.ts";
import {
  type EvidenceBlock,
  type Finding,
  finding,
  type Proposal,
  seriesEvidence,
} from "../../core/finding.ts";
import { renderStartQueryCommand } from "../../core/log-queries.ts";
import { formatCount, latestOf } from "../../core/metric-math.ts";
import {
  type ProbeResults,
  read,
  resultsOf,
  type StepAssessment,
  type StepSpec,
} from "../../core/runbook.ts";
import { missingWatermarkText } from "../flink-watermarks.ts";
import { reprocessProposal } from "../reprocess-proposal.ts";
import { unreadStep } from "../unread-step.ts";
import type { CompletenessCause, CompletenessDiagnosis } from "./diagnose.ts";
import {
  type CompletenessView,
  completenessProbe,
  flinkWatermarksProbe,
  type LogQueryRun,
  lateArrivalsProbe,
  latestCheckpointProbe,
  recordsInProbe,
  sourceNewestProbe,
  stateReadsProbe,
  watermarkLagProbe,
  windowEmitsProbe,
  windowRecordsProbe,
  windowsSinceProbe,
} from "./probes.ts";
import {
  completenessDiagnosisOf,
  completenessSignals,
  flinkWatermarkLag,
  LATE_FRACTION_LIMIT,
  missingWindowsOf,
  newestRecordAge,
} from "./signals.ts";
import { numberField, WINDOW_MS } from "./windows.ts";

export const CAUSE_TITLE: Record<CompletenessCause, string> = {
  recovered: "completeness is back over the threshold",
  "watermark-stuck": "watermark stuck: Flink is stalled (B)",
  "source-idle": "watermark stuck because the source stopped sending (upstream)",
  "window-not-fired": "window never triggered (D)",
  "state-backend-loss": "state backend lost records (C)",
  "late-arrivals": "late arrivals beyond the allowed lateness (A)",
  unknown: "not determined",
};

const MAX_ROWS = 12;

function pct(n: number): string {
  return `${Number(n.toFixed(1))}%`;
}

function hhmm(at: Date): string {
  return at.toISOString().slice(11, 16);
}

function secs(ms: number): string {
  return `${formatCount(ms / 1000)} s`;
}

function queryBlock(run: LogQueryRun, config: AppConfig): EvidenceBlock {
  return {
    kind: "code",
    text: renderStartQueryCommand({
      logGroups: [config.pipeline.logGroup],
      query: run.query,
      start: run.start,
      end: run.end,
    }),
  };
}

function partialNote(run: LogQueryRun): string {
  return run.result.outcome === "complete"
    ? ""
    : ` The query was stopped at its deadline: these rows are not the full answer.${run.result.note ? ` ${run.result.note}` : ""}`;
}

export function diagnosisOf(results: ProbeResults, config: AppConfig): CompletenessDiagnosis {
  return completenessDiagnosisOf(results, config);
}

// ---------------------------------------------------------------------------------------------
// Step 1: Assess

export function assessCompleteness(results: ProbeResults, config: AppConfig): StepAssessment {
  const view = read(results, completenessProbe);
  const threshold = config.thresholds.windowCompletenessPercent;
  if (view === undefined) {
    return unreadStep(
      results,
      [completenessProbe],
      "CloudWatch metrics",
      "WindowCompleteness could not be read.",
    );
  }
  const ns = config.pipeline.metricsNamespace;
  if (view.series.length === 0 || view.worst === undefined) {
    return {
      status: "warning",
      summary: `No WindowCompleteness datapoints in ${ns} over the last 30 minutes.`,
      findings: [
        finding("warning", "No WindowCompleteness datapoints", {
          detail: `CloudWatch has no WindowCompleteness data in namespace \`${ns}\` for the last 30 minutes: no window reported (the job may not be emitting windows at all, see D).`,
        }),
      ],
    };
  }
  const worst = view.worst;
  const below = view.series.filter((p) => p.value < threshold);
  const latest = latestOf(view.series)!;
  const findings: Finding[] = [
    finding(
      below.length === 0 ? "ok" : "warning",
      below.length === 0
        ? `Completeness ${pct(latest.value)}: every window over ${pct(threshold)}`
        : `${below.length} of ${view.series.length} windows under ${pct(threshold)}, lowest ${pct(worst.value)} at ${hhmm(worst.at)}`,
      {
        detail: `WindowCompleteness (Average, 5-minute periods) over the last 30 minutes. Latest ${pct(latest.value)}.${
          below.length > 0 ? ` Up to ${pct(100 - worst.value)} of records missing from aggregations.` : ""
        }`,
        evidence: [
          {
            kind: "table",
            columns: ["TIME", "COMPLETENESS", ""],
            rows: view.series.map((p) => [
              hhmm(p.at),
              pct(p.value),
              p === worst && p.value < threshold ? "<- DROP" : p.value < threshold ? "<- low" : "",
            ]),
          },
        ],
      },
    ),
  ];
  if (view.perWindow !== undefined && view.perWindow.length > 0) {
    findings.push(
      finding(
        "info",
        `${worst.windowId}: ${pct(Math.min(...view.perWindow.map((p) => p.value)))} at its lowest`,
        {
          detail: "The window's own series (window_id dimension, 1-minute periods, last hour).",
          evidence: [seriesEvidence(`WindowCompleteness window_id=${worst.windowId}`, view.perWindow, "%")],
        },
      ),
    );
  } else {
    findings.push(
      finding("info", `No per-window series for ${worst.windowId}`, {
        detail: view.perWindowError
          ? `The window_id series could not be read: ${view.perWindowError}. Step 2 reads the window from the logs.`
          : "The job does not publish WindowCompleteness with a window_id dimension for it; Step 2 reads the window from the logs.",
      }),
    );
  }
  return {
    status: below.length === 0 ? "ok" : "warning",
    summary:
      below.length === 0
        ? `Every window of the last 30 minutes is over ${pct(threshold)} (latest ${pct(latest.value)}).`
        : `Worst window ${worst.windowId} at ${pct(worst.value)}; latest ${pct(latest.value)} (threshold ${pct(threshold)}).`,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 2: Determine Type of Loss

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

// ---------------------------------------------------------------------------------------------
// Step 3: Root Cause

function lateFinding(
  results: ProbeResults,
  d: CompletenessDiagnosis,
  config: AppConfig,
): Finding | undefined {
  const run = read(results, lateArrivalsProbe);
  if (run === undefined && d.lateFraction === undefined) return undefined;
  const over = d.lateFraction !== undefined && d.lateFraction > LATE_FRACTION_LIMIT;
  const rows = (run?.result.rows ?? [])
    .map((r) => ({ id: r.window_id ?? "-", late: numberField(r, "total_late") ?? 0 }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return finding(
    over ? "warning" : "ok",
    d.lateFraction === undefined
      ? `A. Late arrivals: ${formatCount(rows.reduce((a, r) => a + r.late, 0))} late records over ${rows.length} window(s)`
      : `A. Late arrivals: ${pct(d.lateFraction * 100)} of the worst window${over ? ` (over ${pct(LATE_FRACTION_LIMIT * 100)}: data freshness issue)` : ""}`,
    {
      ...(over
        ? {
            detail:
              "Records are arriving 5+ minutes late: either the source system delays messages or the watermark is stuck (B).",
          }
        : {}),
      evidence: [
        ...(rows.length > 0
          ? [
              {
                kind: "table" as const,
                columns: ["WINDOW", "TOTAL LATE"],
                rows: rows.slice(-MAX_ROWS).map((r) => [r.id, formatCount(r.late)]),
              },
            ]
          : []),
        ...(run ? [queryBlock(run, config)] : []),
      ],
    },
  );
}

function watermarkFinding(
  results: ProbeResults,
  d: CompletenessDiagnosis,
  config: AppConfig,
): Finding | undefined {
  const series = read(results, watermarkLagProbe);
  const flink = read(results, flinkWatermarksProbe);
  const source = read(results, sourceNewestProbe);
  if (series === undefined && flink === undefined && source === undefined) return undefined;
  const s = completenessSignals(results, config);
  const lag = s.watermarkLagMs ?? s.flinkWatermarkLagMs;
  const evidence: EvidenceBlock[] = [];
  if (series !== undefined && series.length > 0)
    evidence.push(seriesEvidence("WatermarkLagMs", series, "ms"));
  if (flink !== undefined) {
    evidence.push({
      kind: "table",
      columns: ["VERTEX", "LOWEST WATERMARK", "BEHIND"],
      rows: flink.vertices.map((v) => [
        v.name,
        v.min !== null
          ? v.min.toISOString()
          : v.subtasks === 0
            ? "none (source)"
            : v.withoutWatermark !== undefined
              ? `none: ${v.withoutWatermark} of ${v.subtasks} subtask(s) at Long.MIN_VALUE`
              : "none",
        v.min === null ? "-" : secs(flink.at.getTime() - v.min.getTime()),
      ]),
    });
  }
  if (source !== undefined) {
    evidence.push({
      kind: "table",
      columns: ["PARTITION", "OFFSET", "TIMESTAMP"],
      rows: source.sample.records.map((r) => [String(r.partition), String(r.offset), r.timestamp]),
    });
  }
  const age = source === undefined ? undefined : newestRecordAge(source);
  const flinkLag = flink === undefined ? undefined : flinkWatermarkLag(flink);
  const missing = s.missingWatermarks;
  const parts = [
    missing !== undefined
      ? missing.none
        ? "no watermark at all"
        : "subtasks without a watermark"
      : lag === undefined
        ? "watermark lag unknown"
        : `watermark ${secs(lag)} behind`,
    flinkLag !== undefined && s.watermarkLagMs !== undefined
      ? `Flink's lowest vertex watermark ${secs(flinkLag)} behind`
      : "",
    age === undefined
      ? source !== undefined
        ? `no records on ${config.pipeline.sourceTopic}`
        : ""
      : `newest record on ${config.pipeline.sourceTopic} ${secs(age)} old`,
  ].filter(Boolean);
  const stuck = d.watermarkStuck === true;
  return finding(
    stuck ? "critical" : lag === undefined ? "info" : "ok",
    `B. Watermark: ${parts.join("; ")}`,
    {
      detail:
        missing !== undefined
          ? `${missingWatermarkText(missing).replace(/^./, (c) => c.toUpperCase())}: windows never close. ${d.sourceActive === false ? "Nothing arrives on the source topic to make one: an upstream issue." : "Check the watermark strategy of the source (assigned? idleness for idle partitions?) and whether records carry event times."}`
          : lag === undefined
            ? "Neither WatermarkLagMs nor Flink's watermarks could be read: whether windows close is unknown."
            : stuck
              ? d.sourceActive === false
                ? "The watermark is stuck because nothing arrives: an upstream issue. Restarting Flink will not help."
                : d.sourceActive === true
                  ? "Records exist in Kafka but the watermark does not move: Flink is stalled, so windows never close."
                  : "The watermark is stuck (over the threshold); whether the source still receives records is unknown."
              : `Under the ${secs(config.runbooks.watermarkStuckMs)} threshold: windows close.`,
      evidence,
    },
  );
}

function stateFinding(results: ProbeResults, config: AppConfig): Finding | undefined {
  const reads = read(results, stateReadsProbe);
  const rin = read(results, recordsInProbe);
  if (reads === undefined || rin === undefined) return undefined;
  const s = completenessSignals(results, config);
  if (s.stateReads === undefined || s.recordsIn === undefined) {
    return finding(
      "info",
      "C. State backend: no StateBackendReadCount / RecordsIn datapoints to compare",
      {},
    );
  }
  const ratio = s.recordsIn === 0 ? 1 : s.stateReads / s.recordsIn;
  const short = ratio < config.runbooks.throughputRatioFloor;
  return finding(
    short ? "critical" : "ok",
    `C. State backend: ${formatCount(s.stateReads)} state reads for ${formatCount(s.recordsIn)} records in (${pct(ratio * 100)})`,
    {
      detail: short
        ? "Fewer state accesses than records in: records are not reaching state (state corruption / loss)."
        : "State reads keep up with records in: the state backend is not losing records.",
      evidence: [
        seriesEvidence("StateBackendReadCount per minute", reads),
        seriesEvidence("RecordsIn per minute", rin),
      ],
    },
  );
}

function emitsFinding(
  results: ProbeResults,
  d: CompletenessDiagnosis,
  config: AppConfig,
): Finding | undefined {
  const run = read(results, windowEmitsProbe);
  if (run === undefined) return undefined;
  const missing = missingWindowsOf(run);
  const ids = run.result.rows
    .map((r) => r.window_id)
    .filter((w): w is string => w !== undefined)
    .sort();
  return finding(
    missing === undefined
      ? "info"
      : missing.length > 0
        ? d.cause === "window-not-fired"
          ? "critical"
          : "warning"
        : "ok",
    missing === undefined
      ? "D. Window emits: query stopped early, cannot tell which windows are missing"
      : missing.length > 0
        ? `D. ${missing.length} window(s) never emitted: ${missing.join(", ")}`
        : `D. Every window of the last 30 minutes emitted (${ids.length} window ids)`,
    {
      ...(missing !== undefined && missing.length > 0
        ? {
            detail:
              d.watermarkStuck === true
                ? "Missing windows follow from the stuck watermark (B): event-time windows fire only when it passes their end."
                : "The watermark advances but the windows did not fire: the trigger logic is broken.",
          }
        : {}),
      evidence: [queryBlock(run, config)],
    },
  );
}

export function assessRootCause(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const findings = [
    lateFinding(results, d, config),
    watermarkFinding(results, d, config),
    stateFinding(results, config),
    emitsFinding(results, d, config),
  ].filter((f): f is Finding => f !== undefined);
  const conflicting =
    d.matched.length > 1
      ? ` Also present: ${d.matched
          .slice(1)
          .map((c) => CAUSE_TITLE[c])
          .join("; ")}.`
      : "";
  return {
    status: d.cause === "recovered" ? "ok" : d.cause === "unknown" ? "info" : "critical",
    summary: `Likely cause: ${CAUSE_TITLE[d.cause]} — ${d.because}.${conflicting}`,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 4: Fix Based on Root Cause

export function restartProposal(config: AppConfig, label: string): Proposal {
  const { namespace, taskmanagerDeployment } = config.pipeline;
  return {
    action: "restart-taskmanagers",
    label,
    params: { namespace, deployment: taskmanagerDeployment },
  };
}

/**
 * Where the records lost in state start: the earliest 5-minute window under the threshold (the
 * worst one when none is under it); undefined without completeness data.
 */
export function firstShortWindow(
  view: CompletenessView | undefined,
  thresholdPercent: number,
): Date | undefined {
  const short = (view?.series ?? [])
    .filter((p) => p.value < thresholdPercent)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  return short[0]?.at ?? view?.worst?.at;
}

export function proposalsFor(d: CompletenessDiagnosis, config: AppConfig, results: ProbeResults): Proposal[] {
  switch (d.cause) {
    case "watermark-stuck":
      return [restartProposal(config, "Restart Flink taskmanagers (watermark resets)")];
    case "state-backend-loss": {
      const restart = restartProposal(config, "Restart taskmanagers from the latest checkpoint");
      const from = firstShortWindow(
        read(results, completenessProbe),
        config.thresholds.windowCompletenessPercent,
      );
      return from === undefined ? [restart] : [restart, reprocessProposal(config, from)];
    }
    default:
      return [];
  }
}

function checkpointText(results: ProbeResults, config: AppConfig): { detail: string; code: string } {
  const latest = read(results, latestCheckpointProbe);
  const c = latest?.completed;
  if (c) {
    return {
      detail: `Flink restores from the latest completed checkpoint, chk-${c.id} (${c.triggerTime.toISOString()}${c.externalPath ? `, ${c.externalPath}` : ""}). The minutes since it are reprocessed from Kafka; state will be consistent.`,
      code: `aws s3 ls ${c.externalPath ?? `s3://${config.pipeline.checkpointBucket}/`}${c.externalPath ? "/" : " --recursive | tail -10"}`,
    };
  }
  return {
    detail:
      "Flink restores from the latest completed checkpoint (the bot could not read which one: find it in the bucket). Might lose the last few minutes, but state will be consistent.",
    code: `aws s3 ls s3://${config.pipeline.checkpointBucket}/ --recursive | tail -10`,
  };
}

export function assessFix(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const proposals = proposalsFor(d, config, results);
  const { namespace, taskmanagerSelector } = config.pipeline;
  let f: Finding;
  switch (d.cause) {
    case "late-arrivals":
      f = finding("warning", "Late arrivals: increase allowedLateness (code change)", {
        detail:
          "A code change for a human: accept records up to 10 minutes late. This increases correctness but also latency. If the source system is delaying messages, raise it with its owners too.",
        evidence: [
          {
            kind: "code",
            text: "// KafkaStreamingJob.java\n.window(TumblingEventTimeWindows.of(Time.minutes(5)))\n.allowedLateness(Time.minutes(10))  // accept records 10 min late",
          },
        ],
      });
      break;
    case "watermark-stuck":
      f = finding("critical", "Watermark stuck: restart Flink", {
        detail:
          "Restarting the taskmanagers resets the watermark to current time; the job restores from its latest checkpoint. Check the taskmanager logs for what it is stuck on first if you can:",
        evidence: [
          {
            kind: "code",
            text: `kubectl logs -n ${namespace} -l ${taskmanagerSelector} --tail=50 | grep -i stuck`,
          },
        ],
        proposals,
      });
      break;
    case "source-idle":
      f = finding("warning", "Source idle: an upstream issue, not Flink", {
        detail: `Nothing new arrives on ${config.pipeline.sourceTopic}, so the watermark cannot advance. Restarting Flink will not help: check the producers (the source system) of ${config.pipeline.sourceTopic}. For a source that is idle on purpose, configure idleness on the watermark strategy so idle partitions do not hold windows back:`,
        evidence: [
          {
            kind: "code",
            text: "// KafkaStreamingJob.java\nWatermarkStrategy.<Order>forBoundedOutOfOrderness(Duration.ofSeconds(30))\n    .withIdleness(Duration.ofMinutes(1))",
          },
        ],
      });
      break;
    case "state-backend-loss": {
      const cp = checkpointText(results, config);
      const reprocess = proposals.find((p) => p.action === "reset-consumer-offsets");
      const from =
        typeof reprocess?.params.fromTime === "string"
          ? hhmm(new Date(reprocess.params.fromTime))
          : undefined;
      const { consumerGroup, sourceTopic } = config.pipeline;
      f = finding("critical", "State corruption: restore from the latest checkpoint", {
        detail: `Restart the taskmanagers: ${cp.detail}${
          from === undefined
            ? ""
            : ` Records lost in state before that checkpoint are not read again by a restart: to recompute the short windows, reprocess ${sourceTopic} from ${from} UTC, the first window under the threshold. That resets ${consumerGroup}'s offsets (only while no consumer is in the group) and takes effect when the job next starts from the group's offsets rather than its checkpoint; the windows are emitted again (duplicates downstream).`
        }`,
        evidence: [{ kind: "code", text: cp.code }],
        proposals,
      });
      break;
    }
    case "window-not-fired":
      f = finding("critical", "Window trigger bug: fix the trigger logic (code change)", {
        detail:
          "A code change for a human: if the job uses a custom trigger, revert to the standard EventTimeTrigger. A restart does not fix a trigger bug.",
        evidence: [
          {
            kind: "code",
            text: "// KafkaStreamingJob.java\n.window(TumblingEventTimeWindows.of(Time.minutes(5)))\n.trigger(EventTimeTrigger.create())  // instead of the custom trigger",
          },
        ],
      });
      break;
    case "recovered":
      f = finding("ok", "No fix needed now", {
        detail:
          "Completeness is back over the threshold; the alert should clear. Step 5 checks windows keep emitting.",
      });
      break;
    case "unknown":
      f = finding("info", "Work the branches by hand", {
        detail: "The configured sources did not single out a cause: see the queries in Steps 2 and 3.",
      });
      break;
  }
  return {
    status: "info",
    summary: proposals.length > 0 ? `Proposed: ${proposals.map((p) => p.label).join(", ")}.` : `${f.title}.`,
    findings: [f],
  };
}

// ---------------------------------------------------------------------------------------------
// Step 5: Verify

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const view = read(results, completenessProbe);
  const run = read(results, windowsSinceProbe);
  const threshold = config.thresholds.windowCompletenessPercent;
  const latest = view === undefined ? undefined : latestOf(view.series);
  const findings: Finding[] = [];
  const completenessOk = latest === undefined ? undefined : latest.value >= threshold;
  let emittingOk: boolean | undefined;
  if (run !== undefined) {
    const bins = new Map(
      run.result.rows.map((r) => [
        (r["bin(5m)"] ?? "").slice(0, 16).replace(" ", "T"),
        numberField(r, "windows") ?? 0,
      ]),
    );
    const expected: Date[] = [];
    for (
      let t = Math.ceil(run.start.getTime() / WINDOW_MS) * WINDOW_MS;
      t + WINDOW_MS <= run.end.getTime();
      t += WINDOW_MS
    ) {
      expected.push(new Date(t));
    }
    const empty = expected.filter((at) => (bins.get(at.toISOString().slice(0, 16)) ?? 0) < 1);
    emittingOk = run.result.outcome === "complete" ? empty.length === 0 : undefined;
    findings.push(
      finding(
        emittingOk === false ? "warning" : emittingOk ? "ok" : "info",
        emittingOk === false
          ? `No window emitted in ${empty.length} of ${expected.length} 5-minute bins (${empty.map(hhmm).join(", ")})`
          : emittingOk
            ? `Windows emitting every 5 minutes (${expected.length} of ${expected.length} bins)`
            : "Window emits: the query stopped early",
        {
          evidence: [
            {
              kind: "table",
              columns: ["BIN", "WINDOWS"],
              rows: expected.map((at) => [
                hhmm(at),
                formatCount(bins.get(at.toISOString().slice(0, 16)) ?? 0),
              ]),
            },
            queryBlock(run, config),
          ],
        },
      ),
    );
  }
  if (latest !== undefined) {
    findings.unshift(
      finding(
        completenessOk ? "ok" : "warning",
        `Latest completeness ${pct(latest.value)} (target over ${pct(threshold)})`,
        {
          detail: completenessOk
            ? "Back over the threshold."
            : "Not recovered yet: after the fix, watch it return over the threshold within a window or two:",
          evidence: completenessOk
            ? []
            : [
                {
                  kind: "code",
                  text: `watch -n 300 'aws cloudwatch get-metric-statistics --namespace ${config.pipeline.metricsNamespace} --metric-name WindowCompleteness --start-time $(date -u -d "30 min ago" +%Y-%m-%dT%H:%M:%S) --end-time $(date -u +%Y-%m-%dT%H:%M:%S) --period 300 --statistics Average | tail -5'`,
                },
              ],
        },
      ),
    );
  }
  const healthy = completenessOk === true && emittingOk === true;
  const known = completenessOk !== undefined && emittingOk !== undefined;
  return {
    status: healthy ? "ok" : known ? "warning" : "info",
    summary: healthy
      ? `Completeness ${pct(latest!.value)} and windows emitting every 5 minutes.`
      : [
          completenessOk === false ? `completeness ${pct(latest!.value)} still under ${pct(threshold)}` : "",
          emittingOk === false ? "windows missing from some 5-minute bins" : "",
          !known ? "could not verify everything" : "",
        ]
          .filter(Boolean)
          .join("; ")
          .replace(/^./, (c) => c.toUpperCase())
          .concat("."),
    findings,
  };
}

export const windowCompletenessSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: [completenessProbe],
    assess: assessCompleteness,
  },
  {
    id: "type-of-loss",
    title: "Step 2: Determine Type of Loss",
    budgetSeconds: 120,
    probes: [windowRecordsProbe],
    // Its signals are read from the probes of Steps 1-2 only: the later steps' have not run yet.
    assess: (results, config) =>
      assessTypeOfLoss(resultsOf(results, [completenessProbe, windowRecordsProbe]), config),
  },
  {
    id: "root-cause",
    title: "Step 3: Root Cause",
    probes: [
      lateArrivalsProbe,
      watermarkLagProbe,
      sourceNewestProbe,
      flinkWatermarksProbe,
      stateReadsProbe,
      recordsInProbe,
      windowEmitsProbe,
      latestCheckpointProbe,
    ],
    assess: assessRootCause,
  },
  { id: "fix", title: "Step 4: Fix Based on Root Cause", probes: [], assess: assessFix },
  { id: "verify", title: "Step 5: Verify", probes: [windowsSinceProbe], assess: assessVerify },
];
