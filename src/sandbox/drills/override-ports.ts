/**
 * Drill worlds are the simulated platform with a few methods replaced: a scenario says only what
 * differs from the healthy baseline (a DLQ spike, a failed checkpoint, a broker down...).
 */
import { type LogQueryId, matchLogQuery } from "../../core/log-queries.ts";
import type { PortName, Ports } from "../../ports/index.ts";
import type { LogQueryRequest, LogQueryResult, LogRow, LogsPort } from "../../ports/logs.ts";
import type { MetricPoint, MetricQuery, MetricsPort } from "../../ports/metrics.ts";
import { seriesBatchBySeries } from "../../ports/metrics.ts";

export type PortOverrides = { readonly [K in PortName]?: Partial<NonNullable<Ports[K]>> };

/** A port whose given methods replace the base's; the rest are the base's, bound to it. */
export function overridePort<T extends object>(base: T, over: Partial<T>): T {
  return new Proxy(base, {
    get(target, prop, receiver) {
      if (Object.hasOwn(over, prop)) return (over as Record<string | symbol, unknown>)[prop];
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export function overridePorts(base: Ports, overrides: PortOverrides): Ports {
  const out: Record<string, unknown> = { ...base };
  for (const [name, over] of Object.entries(overrides)) {
    const port = (base as unknown as Record<string, object | undefined>)[name];
    if (over && port) out[name] = overridePort(port, over as Partial<typeof port>);
  }
  return out as unknown as Ports;
}

/**
 * A value per bucket for a metric; `index` counts buckets from the end of the window (0 = the most
 * recent), so a script reads "the last 3 minutes are high" naturally. undefined = no datapoint.
 */
export type SeriesScript = (index: number, query: MetricQuery) => number | undefined;

/** Metrics with some series scripted by metric name (and optionally namespace); the rest from the base. */
export function scriptedMetrics(
  base: MetricsPort,
  scripts: Readonly<Record<string, SeriesScript>>,
): MetricsPort {
  const series = async (query: MetricQuery): Promise<MetricPoint[]> => {
    const script = scripts[`${query.namespace}/${query.metric}`] ?? scripts[query.metric];
    if (!script) return base.series(query);
    const step = query.periodSeconds * 1000;
    const first = Math.ceil(query.start.getTime() / step) * step;
    const times: number[] = [];
    for (let t = first; t < query.end.getTime(); t += step) times.push(t);
    const points: MetricPoint[] = [];
    times.forEach((t, i) => {
      const value = script(times.length - 1 - i, query);
      if (value !== undefined) points.push({ at: new Date(t), value });
    });
    return points;
  };
  return {
    describeTarget: base.describeTarget,
    series,
    seriesBatch: (window, selectors) => seriesBatchBySeries(series, window, selectors),
  };
}

/** A scripted answer to one catalogued Logs Insights query (its parameters as the query text had them). */
export type LogScript = (
  request: LogQueryRequest,
  params: Readonly<Record<string, string | number>>,
) => readonly LogRow[] | Error;

/** Logs whose answers to some catalogued queries are scripted; every other query goes to the base. */
export function scriptedLogs(base: LogsPort, scripts: Partial<Record<LogQueryId, LogScript>>): LogsPort {
  return {
    describeTarget: base.describeTarget,
    async query(request): Promise<LogQueryResult> {
      const matched = matchLogQuery(request.query);
      const script = matched === undefined ? undefined : scripts[matched.id];
      if (matched === undefined || !script) return base.query(request);
      const rows = script(request, matched.params);
      if (rows instanceof Error) throw rows;
      return { queryId: `drill-${matched.id}`, outcome: "complete", rows: [...rows], elapsedMs: 0 };
    },
  };
}
