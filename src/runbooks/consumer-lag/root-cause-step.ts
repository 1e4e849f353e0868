/** Step 3 (Identify Root Cause): resources, watermarks, Firehose back pressure and the enrichment API. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, seriesEvidence } from "../../core/finding.ts";
import { formatCount, formatPercent, latestOf, sumOf, trendOf } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import {
  flinkWatermarkLag,
  flinkWatermarksProbe,
  missingWatermarks,
  missingWatermarkText,
} from "../flink-watermarks.ts";
import { podUsageProbe } from "../taskmanager-probes.ts";
import { diagnosisOf } from "./diagnosis.ts";
import {
  enrichmentLatencyProbe,
  firehoseDeliveryProbe,
  flinkBackpressureProbe,
  watermarkProbe,
  windowEmitProbe,
} from "./probes.ts";
import { podPressure } from "./signals.ts";
import { CAUSE_TITLE, ENRICHMENT_QUERY } from "./texts.ts";

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

export function enrichmentFinding(results: ProbeResults, isCause: boolean): Finding {
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
