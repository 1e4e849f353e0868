import { describe, expect, it } from "vitest";
import {
  diagnoseLatency,
  type LatencyCause,
  type LatencySignals,
  type OperatorLatency,
} from "../../../../src/runbooks/latency-slo-breach/diagnose.ts";

const base: LatencySignals = { thresholdMs: 5000, cpuThreshold: 0.8 };

function ops(slowest: string, p99 = 3200): OperatorLatency[] {
  const rest = ["deserialization", "validation", "aggregation", "enrichment", "firehose_delay"]
    .filter((o) => o !== slowest)
    .map((operator, i) => ({ operator, avgMs: 20 + i, p95Ms: 40 + i, p99Ms: 80 + i * 10 }));
  return [{ operator: slowest, avgMs: 850, p95Ms: 1400, p99Ms: p99 }, ...rest];
}

interface Case {
  readonly name: string;
  readonly signals: Partial<LatencySignals>;
  readonly cause: LatencyCause;
  readonly alsoSeen?: readonly LatencyCause[];
  readonly because?: RegExp;
}

const breach = { p99Ms: 6400 };

const cases: Case[] = [
  // below-threshold
  {
    name: "p99 under the SLO",
    signals: { p99Ms: 2100 },
    cause: "below-threshold",
    because: /2\.1 s, at or under the 5 s SLO/,
  },
  {
    name: "p99 exactly at the SLO (the alert is p99 > 5 s), even with a slow enrichment",
    signals: { p99Ms: 5000, operators: ops("enrichment"), enrichmentApiLatencyMs: 1500 },
    cause: "below-threshold",
  },
  // enrichment branches
  {
    name: "enrichment slowest, API over 1000 ms, cache fine",
    signals: {
      ...breach,
      operators: ops("enrichment"),
      enrichmentApiLatencyMs: 1400,
      enrichmentCacheHitRate: 0.9,
    },
    cause: "enrichment-api-slow",
    because: /API averages 1\.4 s per call \(over 1000 ms\) with the cache hit rate at 90%/,
  },
  {
    name: "API exactly at 1000 ms is not high",
    signals: {
      ...breach,
      operators: ops("enrichment"),
      enrichmentApiLatencyMs: 1000,
      enrichmentCacheHitRate: 0.9,
    },
    cause: "enrichment",
  },
  {
    name: "cache hit rate under 80% wins over a slow API",
    signals: {
      ...breach,
      operators: ops("enrichment"),
      enrichmentApiLatencyMs: 1400,
      enrichmentCacheHitRate: 0.42,
    },
    cause: "enrichment-cache-miss",
    because: /cache hit rate is 42% \(under 80%\), so most orders call the API \(1\.4 s per call\)/,
  },
  {
    name: "cache hit rate exactly 80% is not low",
    signals: { ...breach, operators: ops("enrichment"), enrichmentCacheHitRate: 0.8 },
    cause: "enrichment",
  },
  {
    name: "slow calls concentrated on 3 customers",
    signals: {
      ...breach,
      operators: ops("enrichment"),
      enrichmentApiLatencyMs: 1400,
      enrichmentCacheHitRate: 0.5,
      slowCallCount: 20,
      topCustomerShare: 0.8,
    },
    cause: "enrichment-customer-hotspot",
    because: /80% of 20 slow enrichment calls/,
  },
  {
    name: "4 slow calls from 3 customers are too few to call a hotspot",
    signals: {
      ...breach,
      operators: ops("enrichment"),
      enrichmentApiLatencyMs: 1400,
      slowCallCount: 4,
      topCustomerShare: 1,
    },
    cause: "enrichment-api-slow",
  },
  {
    name: "top 3 at 59% is spread",
    signals: {
      ...breach,
      operators: ops("enrichment"),
      enrichmentApiLatencyMs: 1400,
      slowCallCount: 20,
      topCustomerShare: 0.59,
    },
    cause: "enrichment-api-slow",
  },
  {
    name: "enrichment signals while Firehose also falls: enrichment, Firehose noted",
    signals: {
      ...breach,
      operators: ops("enrichment"),
      enrichmentApiLatencyMs: 1400,
      firehoseRecentRatio: 0.3,
    },
    cause: "enrichment-api-slow",
    alsoSeen: ["firehose-slow"],
  },
  {
    name: "a slow API does not count when enrichment is not the slow operator",
    signals: { ...breach, operators: ops("aggregation"), enrichmentApiLatencyMs: 1400 },
    cause: "operator-slow",
  },
  // firehose
  {
    name: "firehose_delay slowest",
    signals: { ...breach, operators: ops("firehose_delay", 5400) },
    cause: "firehose-slow",
  },
  {
    name: "DeliveryToS3 falling with aggregation slowest",
    signals: { ...breach, operators: ops("aggregation"), firehoseRecentRatio: 0.33 },
    cause: "firehose-slow",
    because: /33% of its earlier rate/,
  },
  {
    name: "deliveries at 70% of before are not falling",
    signals: { ...breach, operators: ops("aggregation"), firehoseRecentRatio: 0.7 },
    cause: "operator-slow",
  },
  {
    name: "Firehose slow wins over backpressure (the sink is the downstream)",
    signals: {
      ...breach,
      operators: ops("firehose_delay"),
      backpressuredVertices: ["Source"],
      maxCpuFraction: 0.95,
    },
    cause: "firehose-slow",
  },
  // backpressure
  {
    name: "vertex back-pressured and CPU full",
    signals: {
      ...breach,
      operators: ops("aggregation"),
      backpressuredVertices: ["Source: Kafka"],
      maxCpuFraction: 0.95,
    },
    cause: "backpressure-cpu",
    because: /back pressure is high on Source: Kafka, and a taskmanager runs at 95% CPU/,
  },
  {
    name: "CPU exactly at the pressure threshold counts as full",
    signals: { ...breach, bufferOutPoolPercent: 92, maxCpuFraction: 0.8 },
    cause: "backpressure-cpu",
  },
  {
    name: "buffers over 80% with CPU fine",
    signals: { ...breach, operators: ops("aggregation"), bufferOutPoolPercent: 92, maxCpuFraction: 0.55 },
    cause: "backpressure",
    because: /output buffers are 92% full, while taskmanager CPU peaks at 55%/,
  },
  {
    name: "buffers exactly at 80% are not full",
    signals: { ...breach, operators: ops("aggregation"), bufferOutPoolPercent: 80 },
    cause: "operator-slow",
  },
  {
    name: "back pressure with CPU unknown",
    signals: { ...breach, backpressuredVertices: ["enrichment"] },
    cause: "backpressure",
    because: /taskmanager CPU is unknown/,
  },
  {
    name: "enrichment slowest without API data but back-pressured on full CPU: backpressure-cpu",
    signals: {
      ...breach,
      operators: ops("enrichment"),
      backpressuredVertices: ["Source"],
      maxCpuFraction: 0.97,
    },
    cause: "backpressure-cpu",
  },
  // generic
  {
    name: "enrichment slowest, nothing explains it",
    signals: { ...breach, operators: ops("enrichment") },
    cause: "enrichment",
  },
  {
    name: "aggregation slowest, nothing else",
    signals: { ...breach, operators: ops("aggregation") },
    cause: "operator-slow",
  },
  { name: "over the SLO, no other data", signals: { ...breach }, cause: "unknown" },
  { name: "nothing at all (p99 unknown)", signals: {}, cause: "unknown" },
  {
    name: "p99 unknown but enrichment clearly slow",
    signals: { operators: ops("enrichment"), enrichmentCacheHitRate: 0.3 },
    cause: "enrichment-cache-miss",
  },
];

describe("diagnoseLatency", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const d = diagnoseLatency({ ...base, ...c.signals });
    expect(d.cause).toBe(c.cause);
    expect(d.alsoSeen).toEqual(c.alsoSeen ?? []);
    if (c.because) expect(d.because).toMatch(c.because);
  });
});
