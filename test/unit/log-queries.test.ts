import { describe, expect, it } from "vitest";
import {
  LOG_QUERIES,
  LOG_QUERY_IDS,
  logQueryRange,
  matchLogQuery,
  quoteLogString,
  renderLogQuery,
  renderStartQueryCommand,
} from "../../src/core/log-queries.ts";
import {
  DEFAULT_METRIC_CATALOG,
  METRIC_IDS,
  metricSelector,
  resolveMetric,
} from "../../src/core/metric-catalog.ts";

describe("renderLogQuery: the seed's query strings", () => {
  // Each expected text is copied from the seed runbook (indentation of the start-query strings removed).
  it.each<[Parameters<typeof renderLogQuery>[0], Record<string, string | number | Date>, string]>([
    [
      "dlq-by-error-type",
      {},
      "fields @timestamp, order_id, error_type, @message\n| filter dlq = true\n| stats count() as count by error_type\n| sort count desc",
    ],
    ["parse-error-samples", {}, 'fields order_id, @message | filter error_type="parse_error" | limit 10'],
    [
      "validation-failures",
      {},
      'fields order_id, validation_error | filter error_type="validation_error" | limit 20',
    ],
    ["recent-error-types", {}, "fields error_type | stats count() by error_type"],
    [
      "operator-latency",
      {},
      "fields operator, latency_ms\n| stats avg(latency_ms) as avg, pct(latency_ms, 95) as p95, pct(latency_ms, 99) as p99 by operator\n| sort p99 desc",
    ],
    [
      "enrichment-latency-per-minute",
      {},
      'fields @timestamp, order_id, enrichment_api_latency, enrichment_cache_hit\n| filter operator = "enrichment"\n| stats avg(enrichment_api_latency) as api_latency,\n        avg(enrichment_cache_hit) as cache_hit_rate by bin(1m)',
    ],
    [
      "slow-enrichment-samples",
      {},
      'fields order_id, enrichment_api_latency, customer_id\n| filter operator = "enrichment" and enrichment_api_latency > 2000\n| limit 20',
    ],
    [
      "window-records",
      { windowId: "window-2025-01-13-10-10" },
      'fields @timestamp, window_id, records_in, records_out, records_late\n| filter window_id = "window-2025-01-13-10-10"',
    ],
    [
      "late-arrivals-per-window",
      {},
      "fields window_id, records_late\n| filter records_late > 0\n| stats sum(records_late) as total_late by window_id",
    ],
    ["window-emit-counts", {}, "fields window_id | stats count() by window_id | sort count desc"],
    [
      "windows-emitted-since",
      { since: new Date("2025-01-13T10:20:00Z") },
      'fields window_id\n| filter @timestamp > "2025-01-13T10:20:00"\n| stats count() as windows by bin(5m)',
    ],
    [
      "checkpoint-sizes",
      {},
      "fields checkpoint_size_bytes\n| stats avg(checkpoint_size_bytes) as avg_bytes, max(checkpoint_size_bytes) as max_bytes",
    ],
  ])("%s", (id, params, text) => {
    expect(renderLogQuery(id, params)).toBe(text);
  });

  it("covers every catalogued query", () => {
    expect(LOG_QUERY_IDS).toHaveLength(12);
  });

  it("substitutes a number parameter", () => {
    expect(renderLogQuery("slow-enrichment-samples", { thresholdMs: 1500 })).toContain(
      "enrichment_api_latency > 1500\n",
    );
  });

  it("escapes quotes and backslashes in string parameters, so a value cannot end the literal", () => {
    const text = renderLogQuery("window-records", { windowId: 'w" | stats count() by x | filter "a\\' });
    expect(text).toBe(
      'fields @timestamp, window_id, records_in, records_out, records_late\n| filter window_id = "w\\" | stats count() by x | filter \\"a\\\\"',
    );
    expect(matchLogQuery(text)).toEqual({
      id: "window-records",
      params: { windowId: 'w" | stats count() by x | filter "a\\' },
    });
  });

  it.each<[string, () => string, RegExp]>([
    ["a missing required parameter", () => renderLogQuery("window-records"), /needs parameter windowId/],
    ["an unknown parameter", () => renderLogQuery("dlq-by-error-type", { x: "1" }), /has no parameter x/],
    [
      "a line break in a string",
      () => renderLogQuery("window-records", { windowId: "a\n| stats" }),
      /line breaks/,
    ],
    [
      "a number that is not finite",
      () => renderLogQuery("slow-enrichment-samples", { thresholdMs: Number.NaN }),
      /finite number/,
    ],
    [
      "a string for a number",
      () => renderLogQuery("slow-enrichment-samples", { thresholdMs: "2000 or 1=1" }),
      /finite number/,
    ],
    [
      "an invalid date",
      () => renderLogQuery("windows-emitted-since", { since: "yesterday" }),
      /must be a date/,
    ],
  ])("refuses %s", (_, render, message) => {
    expect(render).toThrow(message);
  });

  it("quoteLogString", () => {
    expect(quoteLogString("plain")).toBe('"plain"');
    expect(quoteLogString('a"b')).toBe('"a\\"b"');
    expect(quoteLogString("a\\b")).toBe('"a\\\\b"');
  });
});

describe("matchLogQuery", () => {
  it("recognises every rendered query with its parameters", () => {
    for (const id of LOG_QUERY_IDS) {
      const params =
        id === "window-records"
          ? { windowId: "window-2025-01-13-10-10" }
          : id === "windows-emitted-since"
            ? { since: new Date("2025-01-13T10:20:00Z") }
            : {};
      const matched = matchLogQuery(renderLogQuery(id, params));
      expect(matched?.id).toBe(id);
    }
    expect(matchLogQuery(renderLogQuery("slow-enrichment-samples", { thresholdMs: 750 }))).toEqual({
      id: "slow-enrichment-samples",
      params: { thresholdMs: 750 },
    });
    expect(
      matchLogQuery(renderLogQuery("windows-emitted-since", { since: new Date("2025-01-13T10:20:00Z") })),
    ).toEqual({
      id: "windows-emitted-since",
      params: { since: "2025-01-13T10:20:00" },
    });
  });

  it("does not recognise other queries", () => {
    expect(matchLogQuery("fields @message | limit 5")).toBeUndefined();
    expect(matchLogQuery("fields error_type | stats count() by error_type | limit 1")).toBeUndefined();
  });
});

describe("ranges and the command a human can rerun", () => {
  it("uses the seed's look-back", () => {
    const now = new Date("2025-01-13T10:30:00Z");
    expect(logQueryRange("recent-error-types", now)).toEqual({
      start: new Date("2025-01-13T10:27:00Z"),
      end: now,
    });
    expect(logQueryRange("checkpoint-sizes", now).start).toEqual(new Date("2025-01-13T09:30:00Z"));
    expect(LOG_QUERIES["parse-error-samples"].lookbackMinutes).toBe(30);
  });

  it("renders aws logs start-query with shell-safe quoting", () => {
    const command = renderStartQueryCommand({
      logGroups: ["ecommerce-streaming"],
      query: renderLogQuery("parse-error-samples"),
      start: new Date("2025-01-13T10:00:00Z"),
      end: new Date("2025-01-13T10:30:00Z"),
    });
    expect(command).toBe(
      [
        "aws logs start-query \\",
        "  --log-group-name 'ecommerce-streaming' \\",
        "  --start-time 1736762400 \\",
        "  --end-time 1736764200 \\",
        `  --query-string 'fields order_id, @message | filter error_type="parse_error" | limit 10'`,
      ].join("\n"),
    );
    expect(
      renderStartQueryCommand({
        logGroups: ["a", "b"],
        query: "fields x | filter y = 'it''s'",
        start: new Date(0),
        end: new Date(1000),
      }),
    ).toContain(`--log-group-names 'a' 'b'`);
    expect(
      renderStartQueryCommand({
        logGroups: ["a"],
        query: "filter y = 'z'",
        start: new Date(0),
        end: new Date(1000),
      }),
    ).toContain(`--query-string 'filter y = '\\''z'\\'''`);
  });
});

describe("metric catalogue", () => {
  it("names every metric the seed reads, with namespace, dimensions and statistic", () => {
    const names = METRIC_IDS.map(
      (id) => `${DEFAULT_METRIC_CATALOG[id].namespace}/${DEFAULT_METRIC_CATALOG[id].metric}`,
    );
    expect(new Set(names)).toEqual(
      new Set([
        "pipeline/DLQRecordCount",
        "pipeline/RecordsIn",
        "pipeline/RecordsOut",
        "pipeline/LatencyP50",
        "pipeline/LatencyP95",
        "pipeline/LatencyP99",
        "pipeline/WindowCompleteness",
        "pipeline/WatermarkLagMs",
        "pipeline/memory_usage_percentage",
        "pipeline/StateBackendUsedBytes",
        "pipeline/StateBackendReadCount",
        "pipeline/checkpoint_duration_ms",
        "pipeline/task_buffer_out_pool_usage_percentage",
        "pipeline/window_emit_count",
        "AWS/Firehose/DeliveryToS3.Records",
        "AWS/Firehose/DeliveryToS3.Success",
      ]),
    );
    expect(DEFAULT_METRIC_CATALOG.windowCompletenessByWindow.dimensions).toEqual(["window_id"]);
    expect(DEFAULT_METRIC_CATALOG.windowEmitCount).toMatchObject({ stat: "Sum", periodSeconds: 300 });
  });

  it("resolves the pipeline namespace and applies overrides", () => {
    const options = { pipelineNamespace: "ecommerce-streaming" };
    expect(metricSelector("recordsIn", options)).toEqual({
      namespace: "ecommerce-streaming",
      metric: "RecordsIn",
      stat: "Sum",
    });
    expect(
      metricSelector("firehoseDeliveryRecords", options, { DeliveryStreamName: "order-firehose" }),
    ).toEqual({
      namespace: "AWS/Firehose",
      metric: "DeliveryToS3.Records",
      dimensions: { DeliveryStreamName: "order-firehose" },
      stat: "Sum",
    });
    expect(metricSelector("checkpointDurationMs", options, {}, "p99").stat).toBe("p99");
    const overridden = resolveMetric("latencyP99", {
      pipelineNamespace: "ecommerce-streaming",
      overrides: { latencyP99: { namespace: "flink-prod", metric: "latency_p99_ms" } },
    });
    expect(overridden).toMatchObject({ namespace: "flink-prod", metric: "latency_p99_ms", stat: "Average" });
  });

  it("refuses missing or unknown dimensions", () => {
    const options = { pipelineNamespace: "ns" };
    expect(() => metricSelector("firehoseDeliverySuccess", options)).toThrow(
      "needs dimension DeliveryStreamName",
    );
    expect(() => metricSelector("recordsIn", options, { window_id: "w" })).toThrow(
      "has no dimension window_id",
    );
  });
});
