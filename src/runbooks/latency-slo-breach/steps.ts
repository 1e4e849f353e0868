/** The latency-slo-breach runbook's steps, named as in the seed, each with a pure assess. */
import type { AppConfig } from "../../config/schema.ts";
import {
  type EvidenceBlock,
  type Finding,
  finding,
  type Proposal,
  seriesEvidence,
} from "../../core/finding.ts";
import { metricOptionsFor, resolveMetric } from "../../core/metric-catalog.ts";
import { breachStart, formatCount, latestOf, maxOf, sumOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment, type StepSpec } from "../../core/runbook.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import { cannotScaleText, scaleProposal } from "../scale-proposal.ts";
import { podUsageProbe, scaleProbe } from "../taskmanager-probes.ts";
import { unreadStep } from "../unread-step.ts";
import {
  diagnoseLatency,
  LATENCY_RULES,
  type LatencyCause,
  type LatencyDiagnosis,
  ms,
  pct,
  seconds,
} from "./diagnose.ts";
import {
  backpressureProbe,
  bufferUsageProbe,
  enrichmentLatencyProbe,
  firehoseDeliveryProbe,
  firehoseStreamProbe,
  type LogQueryAnswer,
  operatorLatencyProbe,
  percentilesProbe,
  slowEnrichmentProbe,
} from "./probes.ts";
import {
  cpuFraction,
  latencySignals,
  parseEnrichmentMinutes,
  parseOperators,
  RECENT_MINUTES,
  recentDeliveryRatio,
  slowCallsByCustomer,
} from "./signals.ts";

export function diagnosisOf(results: ProbeResults, config: AppConfig): LatencyDiagnosis {
  return diagnoseLatency(latencySignals(results, config));
}

export const CAUSE_TITLE: Record<LatencyCause, string> = {
  "below-threshold": "p99 is back under the SLO",
  "enrichment-customer-hotspot": "enrichment slow for a few customers (customer service)",
  "enrichment-cache-miss": "enrichment cache misses",
  "enrichment-api-slow": "enrichment API slow",
  enrichment: "enrichment operator slow (API and cache look normal)",
  "firehose-slow": "Firehose slow",
  "backpressure-cpu": "backpressure: task managers full (CPU)",
  backpressure: "backpressure from downstream",
  "operator-slow": "a slow operator without a seed fix",
  unknown: "not determined",
};

function hhmm(at: Date): string {
  return at.toISOString().slice(11, 16);
}

// ---------------------------------------------------------------------------------------------
// Step 1: Assess

export function assessPercentiles(results: ProbeResults, config: AppConfig): StepAssessment {
  const p = read(results, percentilesProbe);
  if (p === undefined)
    return unreadStep(
      results,
      [percentilesProbe],
      "CloudWatch metrics",
      "CloudWatch metrics could not be read.",
    );
  const thresholdMs = config.thresholds.latencyP99Seconds * 1000;
  const ns = config.pipeline.metricsNamespace;
  const p99 = latestOf(p.p99);
  if (p99 === undefined) {
    return {
      status: "warning",
      summary: `No LatencyP99 datapoints in ${ns} over the last 10 minutes.`,
      findings: [
        finding("warning", "No LatencyP99 datapoints", {
          detail: `CloudWatch has no LatencyP99 data in namespace \`${ns}\` for the last 10 minutes: the job may not be publishing latency metrics.`,
        }),
      ],
    };
  }
  const over = p99.value > thresholdMs;
  const since = breachStart(p.p99, thresholdMs);
  const row = (name: string, points: readonly MetricPoint[]) => {
    const latest = latestOf(points);
    const max = maxOf(points);
    return [
      name,
      latest === undefined ? "-" : ms(latest.value),
      max === undefined ? "-" : ms(max),
      name === "p99" && over ? "<- over SLO" : "",
    ];
  };
  const f = finding(over ? "critical" : "ok", `p99 latency ${ms(p99.value)} (SLO ${seconds(thresholdMs)})`, {
    detail: over
      ? `p99 has been above ${seconds(thresholdMs)} since ${since ? hhmm(since.at) : "before the window"} UTC: about 1% of orders reach customers late (real-time features stale).`
      : `p99 is at or under ${seconds(thresholdMs)}: the breach has cleared or was brief.`,
    evidence: [
      {
        kind: "table",
        columns: ["PERCENTILE", "LATEST", "MAX (10 MIN)", ""],
        rows: [row("p50", p.p50), row("p95", p.p95), row("p99", p.p99)],
      },
      seriesEvidence("LatencyP99", p.p99, "ms"),
    ],
  });
  const p50 = latestOf(p.p50);
  const tail =
    p50 !== undefined && p50.value > 0 && p99.value / p50.value >= 5
      ? " The tail is far from the median: a few slow calls, not everything slow."
      : "";
  return {
    status: f.severity,
    summary: `p50 ${p50 === undefined ? "?" : ms(p50.value)}, p95 ${latestOf(p.p95) === undefined ? "?" : ms(latestOf(p.p95)!.value)}, p99 ${ms(p99.value)} against the ${seconds(thresholdMs)} SLO.${tail}`,
    findings: [f],
  };
}

// ---------------------------------------------------------------------------------------------
// Step 2: Identify which operator is slow

function partialNote(answer: LogQueryAnswer): string {
  return answer.result.outcome === "stopped-at-deadline"
    ? ` The query was stopped at its deadline: these rows are partial.${answer.result.note ? ` ${answer.result.note}` : ""}`
    : "";
}

export function assessOperators(results: ProbeResults, config: AppConfig): StepAssessment {
  const answer = read(results, operatorLatencyProbe);
  if (answer === undefined)
    return unreadStep(
      results,
      [operatorLatencyProbe],
      "CloudWatch Logs",
      "CloudWatch Logs could not be read.",
    );
  const operators = parseOperators(answer.result.rows);
  const query: EvidenceBlock = { kind: "code", text: answer.query };
  if (operators.length === 0) {
    return {
      status: "warning",
      summary: `No operator latency in log group ${config.pipeline.logGroup} over the last 10 minutes.`,
      findings: [
        finding("warning", "No per-operator latency in the logs", {
          detail: `The query found no rows with \`operator\` and \`latency_ms\` in \`${config.pipeline.logGroup}\`.${partialNote(answer)}`,
          evidence: [query],
        }),
      ],
    };
  }
  const slowest = operators[0]!;
  const f = finding(
    slowest.p99Ms > config.thresholds.latencyP99Seconds * 1000 * 0.4 ? "warning" : "info",
    `${slowest.operator} is the slowest operator: p99 ${ms(slowest.p99Ms)}`,
    {
      detail: `Latency per operator over the last 10 minutes, slowest first.${partialNote(answer)}`,
      evidence: [
        {
          kind: "table",
          columns: ["OPERATOR", "AVG", "P95", "P99", ""],
          rows: operators.map((o, i) => [
            o.operator,
            formatCount(o.avgMs),
            formatCount(o.p95Ms),
            formatCount(o.p99Ms),
            i === 0 ? "<- SLOW" : "",
          ]),
        },
        query,
      ],
    },
  );
  return {
    status: f.severity,
    summary: `${slowest.operator} takes ${ms(slowest.p99Ms)} at p99 (avg ${ms(slowest.avgMs)}).`,
    findings: [f],
  };
}

// ---------------------------------------------------------------------------------------------
// Step 3: Drill into slow operator

function enrichmentFindings(results: ProbeResults): Finding[] {
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

function firehoseFindings(results: ProbeResults, config: AppConfig): Finding[] {
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

function backpressureFindings(results: ProbeResults, config: AppConfig): Finding[] {
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

// ---------------------------------------------------------------------------------------------
// Step 4: Fix

/** The seed's buffering (256 MiB / 60 s), held to S3's documented maximum of 128 MiB. */
export const SEED_BUFFERING = { sizeMb: 256, intervalSeconds: 60 } as const;
const S3_MAX_SIZE_MB = 128;

export function firehoseProposal(results: ProbeResults): { proposal?: Proposal; note: string } {
  const stream = read(results, firehoseStreamProbe);
  if (stream === undefined) {
    return { note: "The delivery stream could not be described, so no buffering change is offered." };
  }
  const destination = stream.destinations.find((d) => d.s3 !== undefined);
  if (destination?.s3 === undefined) {
    return { note: `${stream.name} has no S3 destination: buffering hints cannot be changed here.` };
  }
  const current = destination.s3.buffering;
  const sizeMb = Math.min(SEED_BUFFERING.sizeMb, S3_MAX_SIZE_MB);
  const intervalSeconds = Math.min(
    current?.intervalSeconds ?? SEED_BUFFERING.intervalSeconds,
    SEED_BUFFERING.intervalSeconds,
  );
  if (current !== undefined && current.sizeMb === sizeMb && current.intervalSeconds === intervalSeconds) {
    return {
      note: `${stream.name} already buffers ${current.sizeMb} MiB / ${current.intervalSeconds} s: buffering is not the lever; add a parallel stream (Option 2).`,
    };
  }
  const from = current === undefined ? "unset" : `${current.sizeMb} MiB / ${current.intervalSeconds} s`;
  return {
    proposal: {
      action: "firehose-buffering",
      label: `Firehose buffering ${from} -> ${sizeMb} MiB / ${intervalSeconds} s`,
      params: {
        streamName: stream.name,
        destinationId: destination.id,
        versionId: stream.versionId,
        sizeMb,
        intervalSeconds,
      },
    },
    note: `The seed says 256 MB; S3 destinations take at most ${S3_MAX_SIZE_MB} MiB, so ${sizeMb} MiB. Uploading every ${intervalSeconds} s bounds how long a record waits in Firehose.`,
  };
}

const CACHE_TTL_SNIPPET = [
  "# Option 1: Increase cache TTL (5 min fix)",
  "# File: KafkaStreamingJob.java",
  "customer_cache = TTLCache(ttl_seconds=3600)  # 1 hour instead of 10 min",
].join("\n");

const REDIS_SNIPPET = [
  "# Option 2: Add local Redis cache (10 min fix)",
  "# File: KafkaStreamingJob.java",
  "redis_client = redis.Redis(host='redis.default', port=6379)",
  "",
  "def enrich_order(order):",
  '    customer_id = order["customer_id"]',
  "    ",
  "    # Try cache first",
  '    cached = redis_client.get(f"customer:{customer_id}")',
  "    if cached:",
  '        return {..., "customer": json.loads(cached)}',
  "    ",
  "    # Cache miss, fetch from API",
  "    customer = fetch_customer_api(customer_id)",
  '    redis_client.setex(f"customer:{customer_id}", 3600, json.dumps(customer))',
  '    return {..., "customer": customer}',
].join("\n");

const BUFFER_POOL_SNIPPET = [
  "# Increase buffer pool (allow more queued records)",
  "# File: flink-config.yaml",
  "taskmanager.network.memory.buffers: 2048  # Increase from 1024",
].join("\n");

function enrichmentFix(results: ProbeResults, cause: LatencyCause): Finding[] {
  const out: Finding[] = [];
  if (cause === "enrichment-customer-hotspot") {
    const slow = read(results, slowEnrichmentProbe);
    const top = slow === undefined ? [] : slowCallsByCustomer(slow.result.rows).slice(0, 3);
    out.push(
      finding("warning", "Human step: the customer service is slow for a few customers", {
        detail: `Ask the team owning the customer service why lookups for ${top.map((c) => `${c.customer} (${c.calls} slow calls)`).join(", ") || "these customers"} take over ${formatCount(LATENCY_RULES.slowCallMs)} ms. Meanwhile caching their records longer (below) takes them off the hot path.`,
      }),
    );
  }
  out.push(
    finding(
      cause === "enrichment-customer-hotspot" ? "info" : "warning",
      "Human step: cache enrichment results (code change)",
      {
        detail:
          cause === "enrichment-cache-miss"
            ? "Most orders miss the cache and pay the API call: keep customers cached longer (Option 1), or share the cache across taskmanagers in Redis (Option 2)."
            : "Every cache hit skips the slow API: increase the cache TTL (Option 1) or add a Redis cache (Option 2).",
        evidence: [
          { kind: "code", text: CACHE_TTL_SNIPPET },
          { kind: "code", text: REDIS_SNIPPET },
        ],
      },
    ),
  );
  return out;
}

export function suggestedProposals(results: ProbeResults, config: AppConfig): Proposal[] {
  const { cause } = diagnosisOf(results, config);
  if (cause === "backpressure-cpu") {
    const p = scaleProposal(results, config);
    return p ? [p] : [];
  }
  if (cause === "firehose-slow") {
    const { proposal } = firehoseProposal(results);
    return proposal ? [proposal] : [];
  }
  return [];
}

export function assessFix(results: ProbeResults, config: AppConfig): StepAssessment {
  const diagnosis = diagnosisOf(results, config);
  const { cause } = diagnosis;
  const findings: Finding[] = [];
  switch (cause) {
    case "below-threshold":
      findings.push(
        finding("ok", "No fix needed now", {
          detail: "p99 is under the SLO. Keep watching it for 30 minutes; the alert clears by itself.",
        }),
      );
      break;
    case "enrichment-customer-hotspot":
    case "enrichment-cache-miss":
    case "enrichment-api-slow":
      findings.push(...enrichmentFix(results, cause));
      break;
    case "enrichment":
      findings.push(
        finding("info", "Human step: profile the enrichment operator", {
          detail:
            "Enrichment is slow although the API answers quickly and the cache hits: look at the operator itself (serialization, GC pauses, a lock) in a thread dump of a taskmanager. Caching still shortens the path:",
          evidence: [{ kind: "code", text: CACHE_TTL_SNIPPET }],
        }),
      );
      break;
    case "firehose-slow": {
      const { proposal, note } = firehoseProposal(results);
      findings.push(
        finding("warning", "Option 1: Increase the Firehose buffer", {
          detail: `Firehose batches more before each upload and uploads on a fixed interval. ${note}`,
          proposals: proposal ? [proposal] : [],
        }),
        finding("info", "Option 2 (human step): add a parallel Firehose stream", {
          detail: `If ${config.pipeline.deliveryStream} carries more than 5 MB/s: create a 2nd Firehose stream and split traffic (even order_ids -> stream 1, odd -> stream 2). See \`/runbook firehose\` if deliveries are failing rather than slow.`,
        }),
      );
      break;
    }
    case "backpressure-cpu": {
      const p = scaleProposal(results, config);
      findings.push(
        finding("warning", "Scale up Flink", {
          detail: p
            ? "The task managers are full: more replicas spread the load (the job's parallelism must follow)."
            : cannotScaleText(config),
          proposals: p ? [p] : [],
        }),
        finding("info", "Human step: increase the network buffer pool", {
          evidence: [{ kind: "code", text: BUFFER_POOL_SNIPPET }],
        }),
      );
      break;
    }
    case "backpressure":
      findings.push(
        finding("warning", "Fix the downstream first", {
          detail:
            "Buffers are full while CPU is not: the stage after the back-pressured vertices is slow. Check Firehose (`/runbook firehose`) and consumer lag (`/runbook lag`); scaling Flink does not help while downstream refuses data. To absorb bursts meanwhile:",
          evidence: [{ kind: "code", text: BUFFER_POOL_SNIPPET }],
        }),
      );
      break;
    case "operator-slow": {
      const slow = latencySignals(results, config).operators?.[0];
      findings.push(
        finding("info", `Human step: look into ${slow?.operator ?? "the slow operator"}`, {
          detail:
            "The seed's fixes cover enrichment, Firehose and backpressure. Check this operator's recent changes and a taskmanager thread dump; re-run `/runbook latency` after a change.",
        }),
      );
      break;
    }
    case "unknown":
      findings.push(
        finding("info", "Work the branches by hand", {
          detail:
            "The configured sources did not single out a slow operator: run the per-operator query in Logs Insights and check Flink's back pressure tab.",
        }),
      );
      break;
  }
  const proposals = findings.flatMap((f) => f.proposals);
  return {
    status: "info",
    summary:
      proposals.length > 0
        ? `Proposed: ${proposals.map((p) => p.label).join(", ")}.`
        : `${CAUSE_TITLE[cause]}: ${findings[0]?.title ?? "no fix"}.`,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// Step 5: Verify

export function assessVerify(results: ProbeResults, config: AppConfig): StepAssessment {
  const p = read(results, percentilesProbe);
  const p99 = p === undefined ? undefined : latestOf(p.p99);
  const thresholdMs = config.thresholds.latencyP99Seconds * 1000;
  const metric = resolveMetric("latencyP99", metricOptionsFor(config));
  const watch = `watch -n 30 'aws cloudwatch get-metric-statistics --namespace ${metric.namespace} --metric-name ${metric.metric} --start-time $(date -u -d "5 min ago" +%Y-%m-%dT%H:%M:%S) --end-time $(date -u +%Y-%m-%dT%H:%M:%S) --period 60 --statistics ${metric.stat} | jq ".Datapoints[-1].${metric.stat}"'`;
  const under = p99 !== undefined && p99.value <= thresholdMs;
  return {
    status: p99 === undefined ? "info" : under ? "ok" : "warning",
    summary:
      p99 === undefined
        ? `p99 unknown: confirm it falls under ${seconds(thresholdMs)} after the fix.`
        : under
          ? `p99 ${ms(p99.value)} is under ${seconds(thresholdMs)}: the alert should clear; watch the trend for 30 minutes.`
          : `p99 ${ms(p99.value)} is not yet under ${seconds(thresholdMs)}: after the fix it should drop within 1-2 minutes.`,
    findings: [
      finding("info", `Done when p99 < ${seconds(thresholdMs)} and stays there for 30 minutes`, {
        detail:
          "Re-run `/runbook latency` after the fix, or watch the metric (it should drop within 1-2 minutes; the alert clears by itself):",
        evidence: [{ kind: "code", text: watch }],
      }),
    ],
  };
}

export const latencySloBreachSteps: readonly StepSpec[] = [
  {
    id: "assess",
    title: "Step 1: Assess",
    budgetSeconds: 60,
    probes: [percentilesProbe],
    assess: assessPercentiles,
  },
  {
    id: "slow-operator",
    title: "Step 2: Identify Which Operator is Slow",
    budgetSeconds: 120,
    probes: [operatorLatencyProbe],
    assess: assessOperators,
  },
  {
    id: "drill-down",
    title: "Step 3: Drill Into Slow Operator",
    budgetSeconds: 120,
    probes: [
      enrichmentLatencyProbe,
      slowEnrichmentProbe,
      firehoseDeliveryProbe,
      backpressureProbe,
      bufferUsageProbe,
      podUsageProbe,
      scaleProbe,
      firehoseStreamProbe,
    ],
    assess: assessDrillDown,
  },
  { id: "fix", title: "Step 4: Fix", probes: [], assess: assessFix },
  { id: "verify", title: "Step 5: Verify", probes: [], assess: assessVerify },
];
