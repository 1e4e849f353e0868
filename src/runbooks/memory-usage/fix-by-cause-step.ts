/** Step 3 (Fix Based on Cause): heap dump, state findings and the fix per cause. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding } from "../../core/finding.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { fmtBytes, type MemoryCause } from "./diagnose.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { stateVolumeProbe, WINDOW_LOG_SECONDS, windowEmitsProbe } from "./probes.ts";
import { fullestPod } from "./signals.ts";
import { EVICTOR_SNIPPET, FIX_TEXT, TRIGGER_SNIPPET } from "./texts.ts";

/** The seed's "> 5 GB = too large" for the local state directory. */
export const STATE_TOO_LARGE_BYTES = 5 * 10 ** 9;

export function heapDumpFinding(pod: string, config: AppConfig, severity: Finding["severity"]): Finding {
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

export function stateFindings(results: ProbeResults, isCause: boolean): Finding[] {
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
      finding("warning", FIX_TEXT["state-growth"].title, {
        detail: FIX_TEXT["state-growth"].detail,
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
        finding("warning", FIX_TEXT["backpressure-buffers"].title, {
          detail: FIX_TEXT["backpressure-buffers"].detail,
        }),
      );
      break;
    case "spike":
      findings.push(
        finding("info", FIX_TEXT.spike.title, {
          detail: FIX_TEXT.spike.detail,
        }),
      );
      break;
    case "below-threshold":
      findings.push(finding("ok", "No fix needed: memory is under the threshold and not growing"));
      break;
    case "unknown":
      findings.push(
        finding("info", FIX_TEXT.unknown.title, {
          detail: FIX_TEXT.unknown.detail,
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
