/** The consumer-lag runbook's steps, named as in the seed, each with a pure assess. */
import type { AppConfig } from "../../config/schema.ts";
import {
  type EvidenceBlock,
  type Finding,
  finding,
  type Proposal,
  seriesEvidence,
} from "../../core/finding.ts";
import { renderLogQuery } from "../../core/log-queries.ts";
import { formatCount, formatPercent, latestOf, sumOf, trendOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment, type StepSpec } from "../../core/runbook.ts";
import type { GroupLag } from "../../ports/kafka.ts";
import {
  flinkWatermarkLag,
  flinkWatermarksProbe,
  missingWatermarks,
  missingWatermarkText,
} from "../flink-watermarks.ts";
import { cannotScaleText, scaleProposal } from "../scale-proposal.ts";
import { podUsageProbe, scaleProbe } from "../taskmanager-probes.ts";
import { unreadStep } from "../unread-step.ts";
import { diagnoseLag, type LagDiagnosis } from "./diagnose.ts";
import {
  enrichmentLatencyProbe,
  firehoseDeliveryProbe,
  flinkBackpressureProbe,
  lagProbe,
  recordsInProbe,
  recordsOutProbe,
  watermarkProbe,
  windowEmitProbe,
} from "./probes.ts";
import { lagSignals, podPressure } from "./signals.ts";

export function diagnosisOf(results: ProbeResults, config: AppConfig): LagDiagnosis {
  return diagnoseLag(lagSignals(results, config));
}

function lagTable(lag: GroupLag, threshold: number): EvidenceBlock {
  const perPartitionAlarm = threshold / Math.max(1, lag.partitions.length);
  const worst = Math.max(...lag.partitions.map((p) => p.lag));
  return {
    kind: "table",
    columns: ["TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG"],
    rows: lag.partitions.map((p) => [
      p.topic,
      String(p.partition),
      p.committedOffset === null ? "-" : String(p.committedOffset),
      String(p.logEndOffset),
      p.lag === worst && p.lag > perPartitionAlarm ? `${p.lag}  <- HIGH` : String(p.lag),
    ]),
  };
}

export function assessLag(results: ProbeResults, config: AppConfig): StepAssessment {
  const samples = read(results, lagProbe);
  const threshold = config.thresholds.consumerLagRecords;
  if (samples === undefined) {
    // Not configured is a choice, not a failure: the engine adds the "add a `kafka` section" finding.
    return unreadStep(results, [lagProbe], "Kafka", "Consumer group lag could not be read.");
  }
  const latest = samples.second ?? samples.first;
  const { consumerGroup } = config.pipeline;
  const findings: Finding[] = [];
  const worst = [...latest.partitions].sort((a, b) => b.lag - a.lag)[0];
  const over = latest.totalLag > threshold;
  // Step 1 judges growth from its own two samples (later steps' probes have not run yet).
  const growth =
    samples.second === undefined
      ? undefined
      : (samples.second.totalLag - samples.first.totalLag) / samples.intervalSeconds;
  const growing = growth === undefined ? undefined : growth > config.runbooks.lagGrowthPerSecond;

  const trendText =
    samples.second === undefined
      ? samples.intervalSeconds === 0
        ? "one sample taken (growth check disabled)"
        : `growth unknown: the second sample failed (${samples.secondError ?? "no answer"})`
      : describeGrowth(samples.first.totalLag, samples.second.totalLag, samples.intervalSeconds);

  findings.push(
    finding(
      over ? (growing ? "critical" : "warning") : "ok",
      `Total lag ${formatCount(latest.totalLag)} records`,
      {
        detail: `Group \`${consumerGroup}\` on ${latest.partitions.length} partition(s), threshold ${formatCount(threshold)}. ${trendText}.${
          growing === true
            ? " Growing lag = falling behind (serious)."
            : growing === false
              ? " Stable lag = temporary spike (OK to monitor)."
              : ""
        }`,
        evidence: [
          lagTable(latest, threshold),
          {
            kind: "fields",
            fields: [
              { label: "Group state", value: latest.state },
              {
                label: "Members",
                // Flink's Kafka source assigns partitions itself: 0 members is normal for it.
                value: `${latest.members}${latest.members === 0 ? " (normal for Flink's Kafka source)" : ""}`,
              },
              ...(worst
                ? [
                    {
                      label: "Worst partition",
                      value: `${worst.topic}/${worst.partition}: ${formatCount(worst.lag)}`,
                    },
                  ]
                : []),
            ],
          },
        ],
      },
    ),
  );
  const status = over ? (growing ? "critical" : "warning") : "ok";
  return {
    status,
    summary: `Lag ${formatCount(latest.totalLag)} (threshold ${formatCount(threshold)})${worst ? `, worst ${worst.topic}/${worst.partition} at ${formatCount(worst.lag)}` : ""}; ${trendText}.`,
    findings,
  };
}

function describeGrowth(first: number, second: number, seconds: number): string {
  const rate = (second - first) / seconds;
  const sign = rate > 0 ? "+" : "";
  return `${formatCount(first)} -> ${formatCount(second)} in ${seconds} s (${sign}${rate.toFixed(1)} records/s)`;
}

export function assessThroughput(results: ProbeResults, config: AppConfig): StepAssessment {
  const inPts = read(results, recordsInProbe);
  const outPts = read(results, recordsOutProbe);
  if (inPts === undefined || outPts === undefined) {
    return unreadStep(
      results,
      [recordsInProbe, recordsOutProbe],
      "CloudWatch metrics",
      "RecordsIn / RecordsOut could not be read.",
    );
  }
  const ns = config.pipeline.metricsNamespace;
  if (inPts.length === 0 || outPts.length === 0) {
    const missing = [inPts.length === 0 ? "RecordsIn" : "", outPts.length === 0 ? "RecordsOut" : ""].filter(
      Boolean,
    );
    return {
      status: "warning",
      summary: `No datapoints for ${missing.join(" and ")} in ${ns} over the last 10 minutes.`,
      findings: [
        finding("warning", `No ${missing.join("/")} datapoints`, {
          detail: `CloudWatch has no ${missing.join(" or ")} data in namespace \`${ns}\` for the last 10 minutes: the job may not be publishing metrics.`,
        }),
      ],
    };
  }
  const totalIn = sumOf(inPts);
  const totalOut = sumOf(outPts);
  const ratio = totalIn === 0 ? 1 : totalOut / totalIn;
  const behind = totalIn > 0 && ratio < config.runbooks.throughputRatioFloor;
  const minutes = Math.max(inPts.length, 1);
  const f = finding(
    behind ? "warning" : "ok",
    behind ? "Processing is slower than input" : "Throughput keeps up with input",
    {
      detail: `RecordsIn ${formatCount(totalIn)} vs RecordsOut ${formatCount(totalOut)} over the last 10 minutes (${formatPercent(ratio)}; about ${formatCount(totalIn / minutes)}/min in, ${formatCount(totalOut / minutes)}/min out).${behind ? " RecordsOut < RecordsIn = we're too slow." : ""}`,
      evidence: [
        seriesEvidence("RecordsIn per minute", inPts),
        seriesEvidence("RecordsOut per minute", outPts),
      ],
    },
  );
  return {
    status: f.severity,
    summary: `RecordsOut is ${formatPercent(ratio)} of RecordsIn over 10 minutes${behind ? ": Flink is falling behind" : ""}.`,
    findings: [f],
  };
}

export function assessRootCause(results: ProbeResults, config: AppConfig): StepAssessment {
  const findings: Finding[] = [];
  const diagnosis = diagnosisOf(results, config);
  const threshold = config.runbooks.resourcePressurePercent / 100;

  const pods = read(results, podUsageProbe);
  if (pods !== undefined) {
    const pressured = pods.filter((p) => (podPressure(p) ?? 0) >= threshold);
    findings.push(
      finding(
        pressured.length > 0 ? "warning" : "ok",
        `B. Flink resources: ${pressured.length} of ${pods.length} taskmanager(s) near their limits`,
        {
          evidence: [
            {
              kind: "table",
              columns: ["POD", "CPU", "CPU LIMIT", "MEMORY", "MEMORY LIMIT"],
              rows: pods.map((p) => [
                p.pod,
                `${p.cpuMillicores}m`,
                p.cpuLimitMillicores === null
                  ? "none"
                  : `${p.cpuMillicores && p.cpuLimitMillicores ? formatPercent(p.cpuMillicores / p.cpuLimitMillicores) : "0%"} of ${p.cpuLimitMillicores}m`,
                `${Math.round(p.memoryBytes / 2 ** 20)}Mi`,
                p.memoryLimitBytes === null
                  ? "none"
                  : `${formatPercent(p.memoryBytes / p.memoryLimitBytes)} of ${Math.round(p.memoryLimitBytes / 2 ** 20)}Mi`,
              ]),
            },
          ],
        },
      ),
    );
  }

  const watermark = read(results, watermarkProbe);
  const flinkWm = read(results, flinkWatermarksProbe);
  const missing = flinkWm === undefined ? undefined : missingWatermarks(flinkWm);
  const flinkLag = flinkWm === undefined ? undefined : flinkWatermarkLag(flinkWm);
  if (missing !== undefined) {
    findings.push(
      finding(
        "warning",
        `C. Windowing: ${missing.none ? "no watermark at all" : "subtasks without a watermark"} in Flink`,
        {
          detail: `Flink reports ${missingWatermarkText(missing)}: windows never close, so nothing is emitted downstream. See \`/runbook window\`.`,
        },
      ),
    );
  } else if (watermark === undefined && flinkLag !== undefined) {
    const stuck = flinkLag > config.runbooks.watermarkStuckMs;
    findings.push(
      finding(
        stuck ? "warning" : "ok",
        `C. Windowing: Flink's lowest watermark ${formatCount(flinkLag / 1000)} s behind${stuck ? " (stuck: windows are not closing)" : ""}`,
      ),
    );
  }
  if (watermark !== undefined && missing === undefined) {
    const latest = latestOf(watermark);
    const stuck = latest !== undefined && latest.value > config.runbooks.watermarkStuckMs;
    findings.push(
      finding(
        latest === undefined ? "info" : stuck ? "warning" : "ok",
        latest === undefined
          ? "C. Windowing: no WatermarkLagMs datapoints"
          : `C. Windowing: watermark lag ${formatCount(latest.value / 1000)} s${stuck ? " (stuck: windows are not closing)" : ""}`,
        { evidence: latest === undefined ? [] : [seriesEvidence("WatermarkLagMs", watermark, "ms")] },
      ),
    );
  }
  const emits = read(results, windowEmitProbe);
  if (emits !== undefined && emits.length > 0) {
    const trend = trendOf(emits);
    findings.push(
      finding(
        trend?.direction === "falling" ? "warning" : "info",
        `Window emits per 5 min: ${emits.map((p) => formatCount(p.value)).join(", ")}`,
        {
          ...(trend?.direction === "falling" ? { detail: "Emits are dropping: check the watermark." } : {}),
        },
      ),
    );
  }

  const firehose = read(results, firehoseDeliveryProbe);
  if (firehose !== undefined) {
    const recent = firehose.slice(-3);
    const zero = recent.length > 0 && recent.every((p) => p.value === 0);
    findings.push(
      finding(
        firehose.length === 0 ? "info" : zero ? "warning" : "ok",
        firehose.length === 0
          ? `D. Backpressure: no DeliveryToS3.Records datapoints for ${config.pipeline.deliveryStream}`
          : zero
            ? `D. Backpressure: Firehose ${config.pipeline.deliveryStream} delivered 0 records in the last ${recent.length} min`
            : `D. Backpressure: Firehose delivers (${formatCount(sumOf(firehose))} records in 10 min)`,
        {
          ...(zero
            ? { detail: "0 records being delivered = Firehose is throttled. See `/runbook firehose`." }
            : {}),
          evidence:
            firehose.length === 0 ? [] : [seriesEvidence("DeliveryToS3.Records per minute", firehose)],
        },
      ),
    );
  }

  findings.push(enrichmentFinding(results, diagnosis.cause === "enrichment"));
  const bp = read(results, flinkBackpressureProbe);
  if (bp !== undefined) {
    const high = bp.vertices.filter((v) => v.level === "high");
    findings.push(
      finding(
        high.length > 0 ? "warning" : "ok",
        high.length > 0
          ? `Flink back pressure high on ${high.map((v) => v.name).join(", ")}`
          : `Flink back pressure ok on every vertex of ${bp.job}`,
        {
          ...(high.length > 0
            ? {
                detail:
                  "Back pressure spreads upstream from the slowest operator: the last back-pressured vertex feeds the bottleneck.",
              }
            : {}),
          evidence: [
            {
              kind: "table",
              columns: ["VERTEX", "BACK PRESSURE"],
              rows: bp.vertices.map((v) => [v.name, v.level]),
            },
          ],
        },
      ),
    );
  }

  const status =
    diagnosis.cause === "below-threshold" || diagnosis.cause === "transient"
      ? "ok"
      : diagnosis.cause === "unknown"
        ? "info"
        : "critical";
  return {
    status,
    summary: `Likely cause: ${CAUSE_TITLE[diagnosis.cause]} — ${diagnosis.because}.`,
    findings,
  };
}

const ENRICHMENT_QUERY = renderLogQuery("enrichment-latency-per-minute");

function enrichmentFinding(results: ProbeResults, isCause: boolean): Finding {
  const measured = read(results, enrichmentLatencyProbe);
  if (measured === undefined || measured.rows.length === 0) {
    return finding(isCause ? "warning" : "info", "A. Enrichment API latency: not measured", {
      detail: `${measured ? "Logs Insights returned no enrichment rows for the last 10 minutes. " : ""}Check the enrichment service's latency (over 500 ms per call is the bottleneck). In CloudWatch Logs Insights on the job's log group:`,
      evidence: [{ kind: "code", text: ENRICHMENT_QUERY }],
    });
  }
  const recent = measured.rows.slice(-3);
  const avg = recent.reduce((a, r) => a + r.apiLatencyMs, 0) / recent.length;
  const hit = recent.reduce((a, r) => a + r.cacheHitRate, 0) / recent.length;
  const slow = avg > 500;
  return finding(
    slow ? "critical" : "ok",
    `A. Enrichment API: ${formatCount(avg)} ms per call, cache hit ${formatPercent(hit)}`,
    {
      detail: slow
        ? "Over 500 ms per call: the enrichment API is the bottleneck. Fixes: add caching (5 min), increase the timeout (1 min), or scale the enrichment service (backend team)."
        : "Under 500 ms per call: not the bottleneck.",
      evidence: [
        {
          kind: "table",
          columns: ["MINUTE", "API LATENCY (ms)", "CACHE HIT"],
          rows: measured.rows.map((r) => [r.bin, formatCount(r.apiLatencyMs), formatPercent(r.cacheHitRate)]),
        },
        { kind: "code", text: measured.query },
      ],
    },
  );
}

export const CAUSE_TITLE: Record<LagDiagnosis["cause"], string> = {
  "below-threshold": "lag is back under the threshold",
  "not-consuming": "the Flink job is not consuming",
  backpressure: "backpressure from Firehose (D)",
  windowing: "windowing: watermark stuck (C)",
  resource: "Flink resource constraint (B)",
  enrichment: "enrichment API slow (A)",
  transient: "temporary spike",
  unknown: "not determined",
};

const FIX_TEXT: Record<LagDiagnosis["cause"], string> = {
  "below-threshold":
    "No fix needed now: lag is under the threshold. Keep watching it; the alert should clear.",
  "not-consuming":
    "Get the job consuming again: check the Flink job and taskmanager pods (`/runbook checkpoint` for a crashed job). Lag will drain once it runs.",
  backpressure:
    "Fix the downstream first: check Firehose (`/runbook firehose`). Scaling Flink will not help while Firehose refuses data.",
  windowing:
    "Check watermark lag (upstream issue): see `/runbook window`. If records are still arriving, the Flink job is stalled.",
  resource:
    "Scale up task managers (5 min) or increase resources per replica, then increase parallelism to use them (`env.setParallelism(8)` in KafkaStreamingJob.java).",
  enrichment:
    "Enrichment API: add caching (5 min fix), increase the timeout (1 min fix), or scale the enrichment service (contact the backend team).",
  transient: "Monitor: stable lag is a temporary spike. Re-run diagnostics if it starts growing.",
  unknown: "Work the branches by hand: the configured sources did not single out a cause.",
};

export function assessFix(results: ProbeResults, config: AppConfig): StepAssessment {
  const diagnosis = diagnosisOf(results, config);
  const proposals: Proposal[] = [];
  const findings: Finding[] = [];
  if (diagnosis.cause === "resource") {
    const p = scaleProposal(results, config);
    if (p) proposals.push(p);
    else {
      findings.push(
        finding("warning", "Cannot propose scaling", {
          detail: cannotScaleText(config),
        }),
      );
    }
  }
  findings.unshift(
    finding(
      diagnosis.cause === "resource" && proposals.length > 0 ? "warning" : "info",
      CAUSE_TITLE[diagnosis.cause],
      {
        detail: FIX_TEXT[diagnosis.cause],
        proposals,
      },
    ),
  );
  return {
    status: "info",
    summary:
      proposals.length > 0
        ? `Proposed: ${proposals.map((p) => p.label).join(", ")}.`
        : FIX_TEXT[diagnosis.cause],
    findings,
  };
}

export const consumerLagSteps: readonly StepSpec[] = [
  { id: "assess", title: "Step 1: Assess", budgetSeconds: 60, probes: [lagProbe], assess: assessLag },
  {
    id: "identify-bottleneck",
    title: "Step 2: Identify bottleneck",
    budgetSeconds: 120,
    probes: [recordsInProbe, recordsOutProbe],
    assess: assessThroughput,
  },
  {
    id: "root-cause",
    title: "Step 3: Root cause",
    budgetSeconds: 300,
    probes: [
      podUsageProbe,
      scaleProbe,
      watermarkProbe,
      flinkWatermarksProbe,
      windowEmitProbe,
      firehoseDeliveryProbe,
      enrichmentLatencyProbe,
      flinkBackpressureProbe,
    ],
    assess: assessRootCause,
  },
  { id: "fix", title: "Step 4: Fix", probes: [], assess: assessFix },
];
