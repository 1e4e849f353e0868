/**
 * Drill scenarios of the window-completeness runbook: one per branch of the seed's Step 3 (A late
 * arrivals, B watermark stuck, C state backend loss, D window never triggered), the upstream edge
 * of B (the source stopped sending) and the recovered case. The drill clock starts at 10:30 UTC, so
 * the last 30 minutes hold the windows 10:00 ... 10:25.
 */
import type { LogQueryId } from "../../core/log-queries.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Ports } from "../../ports/index.ts";
import type { LogQueryRequest, LogRow, LogsPort } from "../../ports/logs.ts";
import type { MetricQuery } from "../../ports/metrics.ts";
import { windowIdAt } from "../../runbooks/window-completeness/windows.ts";
import type { DrillScenario } from "./drill.ts";
import { healthyPlatform } from "./healthy-world.ts";
import {
  type LogScript,
  overridePorts,
  type SeriesScript,
  scriptedLogs,
  scriptedMetrics,
} from "./override-ports.ts";

const DAY = "window-2026-01-13";
const MINUTE = 60_000;

/** The time of bucket `index` (0 = the most recent) of a scripted query. */
function bucketTime(index: number, q: MetricQuery): number {
  const step = q.periodSeconds * 1000;
  const first = Math.ceil(q.start.getTime() / step) * step;
  const count = Math.ceil((q.end.getTime() - first) / step);
  return first + (count - 1 - index) * step;
}

/**
 * WindowCompleteness per window ("10-10" -> 87), healthy (99.4%) elsewhere. Answers both the
 * 5-minute overview and the per-window (window_id dimension) series: the latter has points only in
 * the minutes of its window.
 */
function completeness(byWindow: Readonly<Record<string, number>>): SeriesScript {
  const percentOf = (id: string) => byWindow[id.slice(DAY.length + 1)] ?? 99.4;
  return (index, q) => {
    const t = bucketTime(index, q);
    const own = windowIdAt(new Date(Math.floor(t / (5 * MINUTE)) * 5 * MINUTE));
    const wanted = q.dimensions?.window_id;
    if (wanted === undefined) return percentOf(own);
    return wanted === own ? percentOf(own) : undefined;
  };
}

type LogAnswer = (params: Readonly<Record<string, string | number>>, request: LogQueryRequest) => LogRow[];

/** The shared scripted logs, with this file's answers (parameters first). */
function scriptedWindowLogs(base: LogsPort, answers: Partial<Record<LogQueryId, LogAnswer>>): LogsPort {
  const scripts: Partial<Record<LogQueryId, LogScript>> = {};
  for (const [id, answer] of Object.entries(answers) as [LogQueryId, LogAnswer][]) {
    scripts[id] = (request, params) => answer(params, request);
  }
  return scriptedLogs(base, scripts);
}

/** The window-emit-counts answer of a healthy job, without the given windows ("10-20"). */
function emitsWithout(...missing: string[]): LogAnswer {
  return (_params, request) => {
    const rows: LogRow[] = [];
    const step = 5 * MINUTE;
    for (let t = Math.ceil(request.start.getTime() / step) * step; t <= request.end.getTime(); t += step) {
      const id = windowIdAt(new Date(t));
      if (!missing.includes(id.slice(DAY.length + 1))) rows.push({ window_id: id, "count()": "12" });
    }
    return rows.reverse();
  };
}

/** The windows-emitted-since answer of a healthy job, without the given 5-minute bins ("10-25"). */
function binsWithout(...missing: string[]): LogAnswer {
  return (params, request) => {
    const rows: LogRow[] = [];
    const step = 5 * MINUTE;
    const since = Date.parse(`${String(params.since ?? "")}Z`);
    const from = Number.isNaN(since) ? request.start.getTime() : Math.max(since, request.start.getTime());
    for (let t = Math.ceil(from / step) * step; t <= request.end.getTime(); t += step) {
      const at = new Date(t);
      if (missing.includes(windowIdAt(at).slice(DAY.length + 1))) continue;
      rows.push({ "bin(5m)": `${at.toISOString().slice(0, 19).replace("T", " ")}.000`, windows: "12" });
    }
    return rows;
  };
}

function windowRecords(
  byWindow: Readonly<Record<string, readonly [number, number, number] | null>>,
): LogAnswer {
  return (params) => {
    const id = String(params.windowId ?? "");
    const entry = byWindow[id.slice(DAY.length + 1)];
    if (entry === null || entry === undefined) return [];
    const [rin, rout, late] = entry;
    const hh = id.slice(DAY.length + 1, DAY.length + 3);
    const mm = Number(id.slice(DAY.length + 4));
    return [
      {
        "@timestamp": `2026-01-13 ${hh}:${String(mm + 4).padStart(2, "0")}:59.000`,
        window_id: id,
        records_in: String(rin),
        records_out: String(rout),
        records_late: String(late),
      },
    ];
  };
}

/** Flink's watermarks held back by `behindMs` (the source vertex has none). */
function watermarksBehind(
  ports: Ports,
  clock: Clock,
  behindMs: number,
): Partial<NonNullable<Ports["flink"]>> {
  const flink = ports.flink!;
  return {
    vertexWatermarks: async (jobId, vertexId) => {
      const w = await flink.vertexWatermarks(jobId, vertexId);
      const at = (i: number) => new Date(clock.now().getTime() - behindMs - i * 100);
      const subtasks = w.subtasks.map((s) => ({
        subtask: s.subtask,
        watermark: s.watermark === null ? null : at(s.subtask),
      }));
      return { vertexId, subtasks, min: w.min === null ? null : at(subtasks.length - 1) };
    },
  };
}

/** The stuck-watermark world: lag 8 minutes and rising, windows since 10:20 never closed. */
function stuckWatermark(clock: Clock): Ports {
  const ports = healthyPlatform(clock).ports;
  return overridePorts(ports, {
    metrics: scriptedMetrics(ports.metrics!, {
      WatermarkLagMs: (i) => (i < 8 ? 480_000 - i * 60_000 : 1_900),
      WindowCompleteness: completeness({ "10-15": 91, "10-20": 55, "10-25": 38 }),
    }),
    logs: scriptedWindowLogs(ports.logs!, {
      "window-emit-counts": emitsWithout("10-20", "10-25"),
      "window-records": windowRecords({ "10-20": null, "10-25": null }),
      "windows-emitted-since": binsWithout("10-25", "10-30"),
    }),
    flink: watermarksBehind(ports, clock, 478_000),
  });
}

export const windowCompletenessDrills: readonly DrillScenario[] = [
  {
    id: "window-completeness/late-arrivals",
    runbook: "window-completeness",
    title: "Records arrive after the allowed lateness",
    story:
      "The checkout service buffered orders for several minutes: 9% of window 10:10's records arrived after its allowed lateness. Watermark, state and triggers are healthy.",
    build: (clock) => {
      const ports = healthyPlatform(clock).ports;
      return overridePorts(ports, {
        metrics: scriptedMetrics(ports.metrics!, {
          WindowCompleteness: completeness({ "10-10": 87, "10-15": 92, "10-20": 91 }),
        }),
        logs: scriptedWindowLogs(ports.logs!, {
          "window-records": windowRecords({ "10-10": [300_000, 270_000, 27_000] }),
          "late-arrivals-per-window": () => [
            { window_id: `${DAY}-10-05`, total_late: "1200" },
            { window_id: `${DAY}-10-10`, total_late: "27000" },
            { window_id: `${DAY}-10-15`, total_late: "21500" },
            { window_id: `${DAY}-10-20`, total_late: "24800" },
          ],
        }),
      });
    },
    expect: { cause: "late-arrivals", severity: "warning", proposes: [] },
  },
  {
    id: "window-completeness/watermark-stuck",
    runbook: "window-completeness",
    title: "Watermark stuck while orders keep arriving",
    story:
      "A taskmanager thread hangs: the watermark has not moved for 8 minutes while orders.raw keeps receiving records, so windows since 10:20 never close.",
    build: stuckWatermark,
    expect: { cause: "watermark-stuck", severity: "critical", proposes: ["restart-taskmanagers"] },
  },
  {
    id: "window-completeness/source-idle",
    runbook: "window-completeness",
    title: "Watermark stuck because the source stopped",
    story:
      "The checkout service stopped producing 15 minutes ago: nothing new on orders.raw, so the watermark cannot advance. Restarting Flink would not help.",
    build: (clock) => {
      const ports = stuckWatermark(clock);
      return overridePorts(ports, {
        kafka: {
          sampleNewest: async (topic, count, options) => {
            const sample = await ports.kafka!.sampleNewest(topic, count, options);
            const shift = (ts: string) => new Date(Date.parse(ts) - 15 * MINUTE).toISOString();
            return {
              ...sample,
              records: sample.records.map((r) => ({ ...r, timestamp: shift(r.timestamp) })),
            };
          },
        },
        metrics: scriptedMetrics(ports.metrics!, {
          RecordsIn: (i) => (i < 8 ? 0 : 60_000),
          StateBackendReadCount: (i) => (i < 8 ? 0 : 60_000),
        }),
      });
    },
    expect: { cause: "source-idle", severity: "warning", proposes: [] },
  },
  {
    id: "window-completeness/state-backend-loss",
    runbook: "window-completeness",
    title: "State backend losing records",
    story:
      "RocksDB on one taskmanager is corrupt: a fifth of the records read never reach state, and windows since 10:15 come out 20% short.",
    build: (clock) => {
      const ports = healthyPlatform(clock).ports;
      return overridePorts(ports, {
        metrics: scriptedMetrics(ports.metrics!, {
          RecordsIn: () => 60_000,
          StateBackendReadCount: () => 48_000,
          WindowCompleteness: completeness({ "10-15": 88, "10-20": 79, "10-25": 80 }),
        }),
        logs: scriptedWindowLogs(ports.logs!, {
          "window-records": windowRecords({ "10-20": [300_000, 240_000, 1_200] }),
        }),
      });
    },
    expect: {
      cause: "state-backend-loss",
      severity: "critical",
      proposes: ["restart-taskmanagers", "reset-consumer-offsets"],
    },
  },
  {
    id: "window-completeness/window-not-fired",
    runbook: "window-completeness",
    title: "Window 10:10 never fired",
    story:
      "A custom trigger skipped window 10:10: it never emitted, though the watermark advances and the windows around it are fine.",
    build: (clock) => {
      const ports = healthyPlatform(clock).ports;
      return overridePorts(ports, {
        metrics: scriptedMetrics(ports.metrics!, { WindowCompleteness: completeness({ "10-10": 0 }) }),
        logs: scriptedWindowLogs(ports.logs!, {
          "window-emit-counts": emitsWithout("10-10"),
          "window-records": windowRecords({ "10-10": null }),
          "windows-emitted-since": binsWithout("10-15"),
        }),
      });
    },
    expect: { cause: "window-not-fired", severity: "critical", proposes: [] },
  },
  {
    id: "window-completeness/recovered",
    runbook: "window-completeness",
    title: "Completeness back over 95%",
    story: "The dip that fired the alert is over: every window of the last 30 minutes is about 99% complete.",
    build: (clock) => healthyPlatform(clock).ports,
    expect: { cause: "recovered", severity: "ok", proposes: [] },
  },
];
