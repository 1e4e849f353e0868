/** Step 3 (Drill Down): enrichment, Firehose and back pressure. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, seriesEvidence } from "../../core/finding.ts";
import { formatCount, latestOf, sumOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { podUsageProbe } from "../taskmanager-probes.ts";
import { LATENCY_RULES, ms, pct } from "./diagnose.ts";
import { diagnosisOf, partialNote } from "./diagnosis.ts";
import {
  backpressureProbe,
  bufferUsageProbe,
  enrichmentLatencyProbe,
  firehoseDeliveryProbe,
  slowEnrichmentProbe,
} from "./probes.ts";
import {
  cpuFraction,
  parseEnrichmentMinutes,
  RECENT_MINUTES,
  recentDeliveryRatio,
  slowCallsByCustomer,
} from "./signals.ts";
import { CAUSE_TITLE } from "./texts.ts";

export function enrichmentFindings(results: ProbeResults): Finding[] {
  const out: Finding[] = [];
  const perMinute = read(results, enrichmentLatencyProbe);
  if (perMinute !== undefined) {
    const minutes = parseEnrichmentMinutes(perMinute.result.rows);
    const recent = minutes.slice(-RECENT_MINUTES);
    const api = recent.map((m) => m.apiLatencyMs).filter((v): v is number => v !== undefined);
    const hits = recent.map((m) => m.cacheHitRate).filter((v): v is number => v !== undefined);
    const apiAvg = api.length === 0 ? undefined : api.reduce((a, b) => a + b, 0) / api.length;
    const hitAvg = hits.length === 0 ? undefined : hits.reduce((a, b) => a + b, 0) / hits.length;
    const apiHigh = apiAvg !== undefined && apiAvg > LATENCY_RULES.apiLatencyHighMs;
    const cacheLow = hitAvg !== undefined && hitAvg < LATENCY_RULES.cacheHitLow;
    out.push(
      finding(
        minutes.length === 0 ? "info" : apiHigh || cacheLow ? "warning" : "ok",
        minutes.length === 0
          ? "Enrichment: no API latency rows in the logs"
          : `Enrichment: API ${apiAvg === undefined ? "latency unknown" : ms(apiAvg)}${apiHigh ? " (high, > 1000 ms)" : ""}, cache hit rate ${hitAvg === undefined ? "unknown" : pct(hitAvg)}${cacheLow ? " (low, < 80%)" : ""}`,
        {
          detail: `Average of the last ${RECENT_MINUTES} minutes.${partialNote(perMinute)}`,
          evidence: [
            ...(minutes.length === 0
              ? []
              : [
                  {
                    kind: "table" as const,
                    columns: ["MINUTE", "API LATENCY", "CACHE HIT RATE"],
                    rows: minutes.map((m) => [
                      m.bin,
                      m.apiLatencyMs === undefined ? "-" : ms(m.apiLatencyMs),
                      m.cacheHitRate === undefined ? "-" : pct(m.cacheHitRate),
                    ]),
                  },
                ]),
            { kind: "code", text: perMinute.query },
          ],
        },
      ),
    );
  }
  const slow = read(results, slowEnrichmentProbe);
  if (slow !== undefined) {
    const rows = slow.result.rows;
    const byCustomer = slowCallsByCustomer(rows);
    const top = byCustomer.slice(0, 3);
    const share = rows.length === 0 ? 0 : top.reduce((a, c) => a + c.calls, 0) / rows.length;
    const few = rows.length < LATENCY_RULES.hotspotMinSamples;
    const hotspot = !few && share >= LATENCY_RULES.hotspotShare;
    out.push(
      finding(
        hotspot ? "warning" : rows.length === 0 ? "ok" : "info",
        rows.length === 0
          ? `Enrichment: no calls slower than ${formatCount(LATENCY_RULES.slowCallMs)} ms`
          : few
            ? `Enrichment: only ${rows.length} call(s) slower than ${formatCount(LATENCY_RULES.slowCallMs)} ms`
            : `Enrichment: ${rows.length} slow call(s) sampled; the top 3 customers hold ${pct(share)}`,
        {
          ...(rows.length === 0
            ? {}
            : {
                detail: few
                  ? "Too few slow calls to be the cause or to show a pattern."
                  : hotspot
                    ? `Slow calls concentrate on ${top.map((c) => c.customer).join(", ")}: the customer service is slow for these customers, not for everyone.`
                    : "Slow calls are spread over many customers: the API is slow in general, not for one customer.",
              }),
          evidence: [
            ...(rows.length === 0
              ? []
              : [
                  {
                    kind: "table" as const,
                    columns: ["CUSTOMER_ID", "SLOW CALLS"],
                    rows: byCustomer.slice(0, 10).map((c) => [c.customer, String(c.calls)]),
                    ...(byCustomer.length > 10 ? { omittedRows: byCustomer.length - 10 } : {}),
                  },
                ]),
            { kind: "code", text: slow.query },
          ],
        },
      ),
    );
  }
  return out;
}

export function firehoseFindings(results: ProbeResults, config: AppConfig): Finding[] {
  const points = read(results, firehoseDeliveryProbe);
  if (points === undefined) return [];
  const stream = config.pipeline.deliveryStream;
  if (points.length === 0) {
    return [finding("info", `Firehose: no DeliveryToS3.Records datapoints for ${stream}`)];
  }
  const ratio = recentDeliveryRatio(points);
  const falling = ratio !== undefined && ratio < LATENCY_RULES.firehoseDropRatio;
  return [
    finding(
      falling ? "warning" : "ok",
      falling
        ? `Firehose ${stream}: deliveries fell to ${pct(ratio)} of their earlier rate`
        : `Firehose ${stream}: delivering steadily (${formatCount(sumOf(points))} records in 30 min)`,
      {
        ...(falling
          ? {
              detail:
                "DeliveryToS3.Records is falling: Firehose is slow to take data, and records wait in the sink.",
            }
          : {}),
        evidence: [seriesEvidence("DeliveryToS3.Records per minute", points)],
      },
    ),
  ];
}

export function backpressureFindings(results: ProbeResults, config: AppConfig): Finding[] {
  const out: Finding[] = [];
  const bp = read(results, backpressureProbe);
  if (bp !== undefined) {
    const high = bp.vertices.filter((v) => v.level === "high");
    out.push(
      finding(
        high.length > 0 ? "warning" : "ok",
        high.length > 0
          ? `Back pressure high on ${high.length} of ${bp.vertices.length} vertices of ${bp.jobName}`
          : `No vertex of ${bp.jobName} is highly back-pressured`,
        {
          ...(high.length > 0
            ? {
                detail:
                  "A back-pressured vertex waits for the one after it: the first vertex after the back-pressured ones is the bottleneck.",
              }
            : {}),
          evidence: [
            {
              kind: "table",
              columns: ["VERTEX", "BACK PRESSURE", "MAX SUBTASK"],
              rows: bp.vertices.map((v) => [
                v.name,
                v.error ? `unavailable: ${v.error}` : (v.level ?? "not sampled yet"),
                v.maxRatio === null ? "-" : pct(v.maxRatio),
              ]),
            },
          ],
        },
      ),
    );
  }
  const buffers = read(results, bufferUsageProbe);
  if (buffers !== undefined) {
    const latest = latestOf(buffers);
    const full = latest !== undefined && latest.value > LATENCY_RULES.bufferFullPercent;
    out.push(
      finding(
        latest === undefined ? "info" : full ? "warning" : "ok",
        latest === undefined
          ? "No task_buffer_out_pool_usage_percentage datapoints"
          : `Output buffer pool ${Math.round(latest.value)}% used${full ? " (> 80%: buffers full, downstream slow)" : ""}`,
        {
          evidence:
            latest === undefined
              ? []
              : [seriesEvidence("task_buffer_out_pool_usage_percentage", buffers, "%")],
        },
      ),
    );
  }
  const pods = read(results, podUsageProbe);
  if (pods !== undefined && pods.length > 0) {
    const threshold = config.runbooks.resourcePressurePercent / 100;
    const hot = pods.filter((p) => (cpuFraction(p) ?? 0) >= threshold);
    out.push(
      finding(
        hot.length > 0 ? "warning" : "ok",
        `${hot.length} of ${pods.length} taskmanager(s) at ${pct(threshold)}+ CPU`,
        {
          evidence: [
            {
              kind: "table",
              columns: ["POD", "CPU", "OF LIMIT"],
              rows: pods.map((p) => [
                p.pod,
                `${p.cpuMillicores}m`,
                p.cpuLimitMillicores === null ? "no limit" : pct(cpuFraction(p) ?? 0),
              ]),
            },
          ],
        },
      ),
    );
  }
  return out;
}

export function assessDrillDown(results: ProbeResults, config: AppConfig): StepAssessment {
  const diagnosis = diagnosisOf(results, config);
  const enrichment = enrichmentFindings(results);
  const firehose = firehoseFindings(results, config);
  const backpressure = backpressureFindings(results, config);
  // The branch the evidence points to comes first.
  const ordered = diagnosis.cause.startsWith("enrichment")
    ? [...enrichment, ...firehose, ...backpressure]
    : diagnosis.cause === "firehose-slow"
      ? [...firehose, ...backpressure, ...enrichment]
      : [...backpressure, ...firehose, ...enrichment];
  const status =
    diagnosis.cause === "below-threshold"
      ? "ok"
      : diagnosis.cause === "unknown" || diagnosis.cause === "operator-slow"
        ? "info"
        : "warning";
  return {
    status,
    summary: `Likely cause: ${CAUSE_TITLE[diagnosis.cause]} — ${diagnosis.because}.`,
    findings: ordered,
  };
}
