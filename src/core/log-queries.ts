/**
 * The runbooks' CloudWatch Logs Insights queries, as data. Each text is the seed runbook's query
 * string, copied as written (only the indentation of the ones embedded in `aws logs start-query`
 * is removed), with the values that vary per incident turned into `{{name}}` parameters.
 *
 * `renderLogQuery` substitutes parameters safely: strings and timestamps become double-quoted
 * literals with `\` and `"` escaped (line breaks refused), numbers must be finite. The rendered text
 * is what the adapter sends and what the thread shows, so a human can paste it into the console;
 * `renderStartQueryCommand` gives the equivalent `aws logs start-query` command line.
 */

export type LogQueryParamKind = "string" | "number" | "timestamp";

export interface LogQueryParam {
  readonly kind: LogQueryParamKind;
  readonly what: string;
  /** Used when the caller gives no value; without one the parameter is required. */
  readonly default?: string | number;
}

export interface LogQueryTemplate {
  readonly title: string;
  readonly runbooks: readonly string[];
  /** How far back the seed runs it, in minutes (the time range ends now). */
  readonly lookbackMinutes: number;
  readonly text: string;
  readonly params: Readonly<Record<string, LogQueryParam>>;
}

export const LOG_QUERIES = {
  "dlq-by-error-type": {
    title: "DLQ records by error type",
    runbooks: ["dlq-spike"],
    lookbackMinutes: 10,
    text: [
      "fields @timestamp, order_id, error_type, @message",
      "| filter dlq = true",
      "| stats count() as count by error_type",
      "| sort count desc",
    ].join("\n"),
    params: {},
  },
  "parse-error-samples": {
    title: "Sample records that failed to parse",
    runbooks: ["dlq-spike"],
    lookbackMinutes: 30,
    text: 'fields order_id, @message | filter error_type="parse_error" | limit 10',
    params: {},
  },
  "validation-failures": {
    title: "Orders failing validation",
    runbooks: ["dlq-spike"],
    lookbackMinutes: 10,
    text: 'fields order_id, validation_error | filter error_type="validation_error" | limit 20',
    params: {},
  },
  "recent-error-types": {
    title: "Errors by type in the last minutes",
    runbooks: ["dlq-spike"],
    lookbackMinutes: 3,
    text: "fields error_type | stats count() by error_type",
    params: {},
  },
  "operator-latency": {
    title: "Latency per operator",
    runbooks: ["latency-slo-breach"],
    lookbackMinutes: 10,
    text: [
      "fields operator, latency_ms",
      "| stats avg(latency_ms) as avg, pct(latency_ms, 95) as p95, pct(latency_ms, 99) as p99 by operator",
      "| sort p99 desc",
    ].join("\n"),
    params: {},
  },
  "enrichment-latency-per-minute": {
    title: "Enrichment API latency and cache hit rate per minute",
    runbooks: ["latency-slo-breach"],
    lookbackMinutes: 10,
    text: [
      "fields @timestamp, order_id, enrichment_api_latency, enrichment_cache_hit",
      '| filter operator = "enrichment"',
      "| stats avg(enrichment_api_latency) as api_latency,",
      "        avg(enrichment_cache_hit) as cache_hit_rate by bin(1m)",
    ].join("\n"),
    params: {},
  },
  "slow-enrichment-samples": {
    title: "Sample slow enrichment calls",
    runbooks: ["latency-slo-breach"],
    lookbackMinutes: 10,
    text: [
      "fields order_id, enrichment_api_latency, customer_id",
      '| filter operator = "enrichment" and enrichment_api_latency > {{thresholdMs}}',
      "| limit 20",
    ].join("\n"),
    params: {
      thresholdMs: { kind: "number", what: "slow call threshold in ms", default: 2000 },
    },
  },
  "window-records": {
    title: "Records in, out and late for one window",
    runbooks: ["window-completeness"],
    lookbackMinutes: 10,
    text: [
      "fields @timestamp, window_id, records_in, records_out, records_late",
      "| filter window_id = {{windowId}}",
    ].join("\n"),
    params: {
      windowId: { kind: "string", what: "the window, e.g. window-2025-01-13-10-10" },
    },
  },
  "late-arrivals-per-window": {
    title: "Late arrivals per window",
    runbooks: ["window-completeness"],
    lookbackMinutes: 30,
    text: [
      "fields window_id, records_late",
      "| filter records_late > 0",
      "| stats sum(records_late) as total_late by window_id",
    ].join("\n"),
    params: {},
  },
  "window-emit-counts": {
    title: "Log lines per window (are windows emitting?)",
    runbooks: ["window-completeness"],
    lookbackMinutes: 30,
    text: "fields window_id | stats count() by window_id | sort count desc",
    params: {},
  },
  "windows-emitted-since": {
    title: "Windows emitted per 5 minutes since a time",
    runbooks: ["window-completeness"],
    lookbackMinutes: 30,
    text: [
      "fields window_id",
      "| filter @timestamp > {{since}}",
      "| stats count() as windows by bin(5m)",
    ].join("\n"),
    params: {
      since: { kind: "timestamp", what: "count windows after this time (UTC)" },
    },
  },
  "checkpoint-sizes": {
    title: "Checkpoint sizes",
    runbooks: ["checkpoint-duration"],
    lookbackMinutes: 60,
    text: [
      "fields checkpoint_size_bytes",
      "| stats avg(checkpoint_size_bytes) as avg_bytes, max(checkpoint_size_bytes) as max_bytes",
    ].join("\n"),
    params: {},
  },
} as const satisfies Record<string, LogQueryTemplate>;

export type LogQueryId = keyof typeof LOG_QUERIES;

export const LOG_QUERY_IDS = Object.keys(LOG_QUERIES) as LogQueryId[];

export type LogQueryParamValue = string | number | Date;

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/** A double-quoted Logs Insights string literal. */
export function quoteLogString(value: string): string {
  if (/[\r\n\u0000-\u001f\u007f]/.test(value)) {
    throw new Error("a log query string parameter may not contain line breaks or control characters");
  }
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** "2025-01-13T10:20:00", the form the seed compares @timestamp with (UTC, whole seconds). */
export function formatLogTimestamp(at: Date): string {
  if (Number.isNaN(at.getTime())) throw new Error("invalid date for a log query timestamp");
  return at.toISOString().slice(0, 19);
}

function literal(name: string, spec: LogQueryParam, value: LogQueryParamValue): string {
  switch (spec.kind) {
    case "number": {
      const n = typeof value === "number" ? value : Number.NaN;
      if (!Number.isFinite(n)) throw new Error(`log query parameter ${name} must be a finite number`);
      return String(n);
    }
    case "string":
      if (typeof value !== "string") throw new Error(`log query parameter ${name} must be a string`);
      return quoteLogString(value);
    case "timestamp": {
      const at = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
      if (at === undefined || Number.isNaN(at.getTime())) {
        throw new Error(`log query parameter ${name} must be a date`);
      }
      return quoteLogString(formatLogTimestamp(at));
    }
  }
}

/** The exact query text for a template and its parameters. Unknown or missing parameters throw. */
export function renderLogQuery(
  id: LogQueryId,
  params: Readonly<Record<string, LogQueryParamValue>> = {},
): string {
  const template: LogQueryTemplate = LOG_QUERIES[id];
  for (const name of Object.keys(params)) {
    if (!(name in template.params)) throw new Error(`log query ${id} has no parameter ${name}`);
  }
  return template.text.replace(PLACEHOLDER, (_, name: string) => {
    const spec = template.params[name];
    if (spec === undefined) throw new Error(`log query ${id} uses an undeclared parameter ${name}`);
    const value = params[name] ?? spec.default;
    if (value === undefined) throw new Error(`log query ${id} needs parameter ${name} (${spec.what})`);
    return literal(name, spec, value);
  });
}

/** The time range a template reads by default, ending at `now`. */
export function logQueryRange(id: LogQueryId, now: Date): { start: Date; end: Date } {
  return { start: new Date(now.getTime() - LOG_QUERIES[id].lookbackMinutes * 60_000), end: now };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The `aws logs start-query` command that runs the same query, for a human to rerun. */
export function renderStartQueryCommand(request: {
  readonly logGroups: readonly string[];
  readonly query: string;
  readonly start: Date;
  readonly end: Date;
}): string {
  const groups =
    request.logGroups.length === 1
      ? `--log-group-name ${shellQuote(request.logGroups[0]!)}`
      : `--log-group-names ${request.logGroups.map(shellQuote).join(" ")}`;
  return [
    "aws logs start-query",
    `  ${groups}`,
    `  --start-time ${Math.floor(request.start.getTime() / 1000)}`,
    `  --end-time ${Math.ceil(request.end.getTime() / 1000)}`,
    `  --query-string ${shellQuote(request.query)}`,
  ].join(" \\\n");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const PATTERNS = LOG_QUERY_IDS.map((id) => {
  const template: LogQueryTemplate = LOG_QUERIES[id];
  const names: string[] = [];
  const source = template.text
    .split(PLACEHOLDER)
    .map((part, i) => {
      if (i % 2 === 0) return escapeRegExp(part);
      names.push(part);
      return template.params[part]?.kind === "number" ? "(-?\\d+(?:\\.\\d+)?)" : '"((?:[^"\\\\]|\\\\.)*)"';
    })
    .join("");
  return { id, names, template, regex: new RegExp(`^${source}$`) };
});

/**
 * Which catalogued query a text is, with its parameter values (strings unescaped, numbers parsed,
 * timestamps as written); undefined for any other query. The simulated logs use it to answer.
 */
export function matchLogQuery(
  text: string,
): { readonly id: LogQueryId; readonly params: Readonly<Record<string, string | number>> } | undefined {
  const trimmed = text.trim();
  for (const { id, names, template, regex } of PATTERNS) {
    const match = regex.exec(trimmed);
    if (!match) continue;
    const params: Record<string, string | number> = {};
    names.forEach((name, i) => {
      const raw = match[i + 1] ?? "";
      params[name] = template.params[name]?.kind === "number" ? Number(raw) : raw.replace(/\\(.)/g, "$1");
    });
    return { id, params };
  }
  return undefined;
}
