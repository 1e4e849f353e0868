/**
 * CloudWatch Logs Insights in the sandbox: answers the catalogued runbook queries
 * (src/core/log-queries.ts) with rows that fit the consumer-lag story (CPU-bound taskmanagers:
 * aggregation is the slow operator, enrichment is healthy, the DLQ trickles at a normal rate, windows
 * emit every 5 minutes and are about 99% complete). Rows look as Logs Insights returns them: every
 * value a string, timestamps as "2025-01-13 10:30:00.000", `bin()` groups in time order, stats
 * sorted as the query says. Any other query completes with no rows; an unknown log group is
 * refused as CloudWatch refuses it.
 */
import { formatLogTimestamp, matchLogQuery } from "../../core/log-queries.ts";
import type { LogQueryRequest, LogQueryResult, LogRow, LogsPort } from "../../ports/logs.ts";
import type { ConsumerLagScenario } from "./consumer-lag-scenario.ts";

export interface SimulatedLogsOptions {
  /** The story's log group. Default ecommerce-streaming. */
  readonly logGroup?: string;
}

const MINUTE = 60_000;

function insightsTime(at: Date): string {
  return `${formatLogTimestamp(at).replace("T", " ")}.000`;
}

function windowId(at: Date): string {
  const iso = at.toISOString();
  return `window-${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}`;
}

/** Bucket starts of `minutes` inside [start, end]. */
function buckets(start: Date, end: Date, minutes: number): Date[] {
  const step = minutes * MINUTE;
  const out: Date[] = [];
  for (let t = Math.ceil(start.getTime() / step) * step; t <= end.getTime(); t += step) out.push(new Date(t));
  return out;
}

export class SimulatedLogs implements LogsPort {
  readonly describeTarget = "simulated CloudWatch Logs (sandbox)";
  private nextId = 1;
  constructor(
    private readonly scenario: ConsumerLagScenario,
    private readonly options: SimulatedLogsOptions = {},
  ) {}

  async query(request: LogQueryRequest): Promise<LogQueryResult> {
    request.signal?.throwIfAborted();
    const group = this.options.logGroup ?? "ecommerce-streaming";
    for (const name of request.logGroups) {
      if (name !== group) throw new Error(`The specified log group does not exist: ${name}`);
    }
    if (request.start.getTime() > request.end.getTime()) {
      throw new Error("endTime must be after startTime");
    }
    const matched = matchLogQuery(request.query);
    const all =
      matched === undefined
        ? this.plainRows(request.query, request.start, request.end)
        : this.rows(matched.id, matched.params, request.start, request.end);
    const rows = request.limit === undefined ? all : all.slice(0, request.limit);
    const minutes = Math.max(1, (request.end.getTime() - request.start.getTime()) / MINUTE);
    const scanned = Math.round(minutes * this.scenario.arrivalPerSecond * 60 * 0.02);
    return {
      queryId: `simulated-${this.nextId++}`,
      outcome: "complete",
      rows,
      statistics: {
        recordsMatched: Math.min(scanned, rows.length * 37),
        recordsScanned: scanned,
        bytesScanned: scanned * 420,
      },
      elapsedMs: 0,
    };
  }

  /**
   * A plain `fields a, b [| sort @timestamp asc|desc] [| limit n]` query over the story's log lines
   * (one every 20 s, JSON fields discovered as Logs Insights does); anything else finds nothing.
   */
  private plainRows(query: string, start: Date, end: Date): LogRow[] {
    const commands = query.split("|").map((c) => c.trim());
    const fields = /^fields\s+(.+)$/
      .exec(commands[0] ?? "")?.[1]
      ?.split(",")
      .map((f) => f.trim());
    if (fields === undefined) return [];
    let descending = false;
    let limit = 1000;
    for (const command of commands.slice(1)) {
      const sort = /^sort\s+@timestamp(?:\s+(asc|desc))?$/.exec(command);
      const max = /^limit\s+(\d+)$/.exec(command);
      if (sort) descending = sort[1] === "desc";
      else if (max) limit = Number(max[1]);
      else return [];
    }
    const step = 20_000;
    const times: number[] = [];
    for (let t = Math.ceil(start.getTime() / step) * step; t <= end.getTime(); t += step) times.push(t);
    if (descending) times.reverse();
    const operators = ["aggregation", "enrichment", "validation", "deserialization"];
    return times.slice(0, limit).map((t, i) => {
      const operator = operators[i % operators.length] ?? "aggregation";
      const discovered: Record<string, string> = {
        level: "INFO",
        operator,
        latency_ms: String(operator === "aggregation" ? 850 : 40 + (i % 7) * 5),
      };
      const all: Record<string, string> = {
        "@timestamp": insightsTime(new Date(t)),
        "@message": JSON.stringify({ ...discovered, latency_ms: Number(discovered.latency_ms) }),
        "@logStream": `flink-taskmanager-${i % this.scenario.taskmanagers}`,
        ...discovered,
      };
      const row: Record<string, string> = {};
      for (const field of fields) if (all[field] !== undefined) row[field] = all[field];
      return row;
    });
  }

  private rows(
    id: NonNullable<ReturnType<typeof matchLogQuery>>["id"],
    params: Readonly<Record<string, string | number>>,
    start: Date,
    end: Date,
  ): LogRow[] {
    const s = this.scenario;
    const load = s.cpuFraction() / 0.97;
    const perMinuteIn = s.arrivalPerSecond * 60;
    const minutes = Math.max(1, Math.round((end.getTime() - start.getTime()) / MINUTE));
    switch (id) {
      case "dlq-by-error-type":
        return [
          { error_type: "parse_error", count: String(2 * minutes) },
          { error_type: "validation_error", count: String(minutes) },
          { error_type: "duplicate", count: String(Math.max(1, Math.floor(minutes / 3))) },
        ];
      case "recent-error-types":
        return [
          { error_type: "parse_error", "count()": String(2 * minutes) },
          { error_type: "validation_error", "count()": String(minutes) },
        ];
      case "parse-error-samples":
        return Array.from({ length: 10 }, (_, i) => ({
          order_id: `ORD-${70_412 + i * 13}`,
          "@message": `{"order_id":"ORD-${70_412 + i * 13}","error_type":"parse_error","dlq":true,"detail":"Unexpected end of JSON input at position ${180 + i}"}`,
        }));
      case "validation-failures":
        return Array.from({ length: Math.min(20, minutes) }, (_, i) => ({
          order_id: `ORD-${80_100 + i * 29}`,
          validation_error: i % 2 === 0 ? "missing field customer_id" : "total out of range: -1",
        }));
      case "operator-latency":
        return [
          {
            operator: "aggregation",
            avg: String(Math.round(900 * load)),
            p95: String(Math.round(2100 * load)),
            p99: String(Math.round(3200 * load)),
          },
          { operator: "firehose_delay", avg: "480", p95: "1150", p99: "1900" },
          { operator: "enrichment", avg: "140", p95: "380", p99: "620" },
          { operator: "validation", avg: "30", p95: "50", p99: "80" },
          { operator: "deserialization", avg: "15", p95: "25", p99: "40" },
        ];
      case "enrichment-latency-per-minute":
        return buckets(start, end, 1)
          .filter((at) => at.getTime() < end.getTime())
          .map((at, i) => ({
            "bin(1m)": insightsTime(at),
            api_latency: String(135 + ((i * 7) % 5) * 4),
            cache_hit_rate: (0.91 + ((i * 3) % 4) * 0.01).toFixed(2),
          }));
      case "slow-enrichment-samples": {
        const threshold = typeof params.thresholdMs === "number" ? params.thresholdMs : 2000;
        // A healthy enrichment service: a couple of outliers, none when the bar is set very high.
        return [2150, 2480]
          .filter((latency) => latency > threshold)
          .map((latency, i) => ({
            order_id: `ORD-${91_000 + i * 7}`,
            enrichment_api_latency: String(latency),
            customer_id: `CUST-${1200 + i * 311}`,
          }));
      }
      case "window-records": {
        const wanted = String(params.windowId ?? "");
        const at = buckets(start, end, 5).find((b) => windowId(b) === wanted);
        if (at === undefined) return [];
        const recordsIn = perMinuteIn * 5;
        return [
          {
            "@timestamp": insightsTime(new Date(at.getTime() + 5 * MINUTE - 1000)),
            window_id: wanted,
            records_in: String(recordsIn),
            records_out: String(Math.round(recordsIn * 0.993)),
            records_late: String(Math.round(recordsIn * 0.004)),
          },
        ];
      }
      case "late-arrivals-per-window":
        return buckets(start, end, 5).map((at, i) => ({
          window_id: windowId(at),
          total_late: String(Math.round(perMinuteIn * 5 * 0.004) + i * 3),
        }));
      case "window-emit-counts":
        return buckets(start, end, 5)
          .map((at) => ({ window_id: windowId(at), "count()": "12" }))
          .reverse();
      case "windows-emitted-since": {
        const since = new Date(`${String(params.since ?? "")}Z`);
        const from = Number.isNaN(since.getTime())
          ? start
          : new Date(Math.max(start.getTime(), since.getTime()));
        return buckets(from, end, 5).map((at) => ({ "bin(5m)": insightsTime(at), windows: "12" }));
      }
      case "checkpoint-sizes":
        return [{ avg_bytes: "503316480", max_bytes: "612368384" }];
    }
    return [];
  }
}
