/**
 * The deciding logic of the consumer-lag runbook, pure: signals in, likely cause out.
 * The causes are the seed's Step 3 branches (A enrichment, B resources, C windowing, D backpressure)
 * plus the cases the seed implies (lag already below threshold, a job that is not consuming, a transient spike).
 */

import { type MissingWatermarks, missingWatermarkText } from "../flink-watermarks.ts";

export type LagCause =
  | "below-threshold"
  | "not-consuming"
  | "backpressure"
  | "windowing"
  | "resource"
  | "enrichment"
  | "transient"
  | "unknown";

export interface LagSignals {
  readonly threshold: number;
  readonly totalLag?: number;
  /** Lag change per second between the two samples (positive = growing). */
  readonly growthPerSecond?: number;
  readonly growthThreshold: number;
  /**
   * RecordsIn of the latest minute. Flink's Kafka source assigns partitions itself and uses the
   * group only to commit offsets, so the group's member count says nothing about whether the job
   * consumes: the job's own input rate does.
   */
  readonly latestRecordsIn?: number;
  /** Records appended to the topic between the two lag samples. */
  readonly logEndGrowth?: number;
  readonly recordsIn?: number;
  readonly recordsOut?: number;
  readonly throughputFloor: number;
  /** Highest CPU or memory use of any taskmanager pod, as a fraction of its limit. */
  readonly maxPodPressure?: number;
  readonly pressureThreshold: number;
  readonly watermarkLagMs?: number;
  /** How far Flink's own lowest vertex watermark trails (used when WatermarkLagMs is missing). */
  readonly flinkWatermarkLagMs?: number;
  /** Flink vertices whose subtasks have no watermark at all (Long.MIN_VALUE): windows never fire. */
  readonly missingWatermarks?: MissingWatermarks;
  readonly watermarkStuckMs: number;
  /** Firehose DeliveryToS3.Records of the most recent minutes (oldest first). */
  readonly recentFirehoseDeliveries?: readonly number[];
  /** Average enrichment API latency of the last minutes (Logs Insights), when measured. */
  readonly enrichmentLatencyMs?: number;
  /** The seed: over 500 ms per call, enrichment is the bottleneck. */
  readonly enrichmentSlowMs?: number;
}

export interface LagDiagnosis {
  readonly cause: LagCause;
  readonly growing: boolean | undefined;
  readonly behind: boolean | undefined;
  /** Why, in one sentence with the numbers. */
  readonly because: string;
}

export function isGrowing(s: LagSignals): boolean | undefined {
  return s.growthPerSecond === undefined ? undefined : s.growthPerSecond > s.growthThreshold;
}

export function isBehind(s: LagSignals): boolean | undefined {
  if (s.recordsIn === undefined || s.recordsOut === undefined) return undefined;
  if (s.recordsIn === 0) return false;
  return s.recordsOut < s.throughputFloor * s.recordsIn;
}

export function diagnoseLag(s: LagSignals): LagDiagnosis {
  const growing = isGrowing(s);
  const behind = isBehind(s);
  const d = (cause: LagCause, because: string): LagDiagnosis => ({ cause, growing, behind, because });

  if (s.totalLag !== undefined && s.totalLag <= s.threshold && growing !== true) {
    return d(
      "below-threshold",
      `total lag ${fmt(s.totalLag)} is at or below the ${fmt(s.threshold)} threshold`,
    );
  }
  if (s.latestRecordsIn === 0 && ((s.logEndGrowth ?? 0) > 0 || (s.totalLag ?? 0) > 0)) {
    return d(
      "not-consuming",
      "the job read 0 records (RecordsIn) in the latest minute while the topic has records waiting: the Flink job is not consuming",
    );
  }
  const deliveries = s.recentFirehoseDeliveries;
  if (deliveries !== undefined && deliveries.length > 0 && deliveries.slice(-3).every((v) => v === 0)) {
    if ((s.recordsIn ?? 1) > 0) {
      return d(
        "backpressure",
        "Firehose delivered 0 records to S3 in the last minutes while records keep arriving",
      );
    }
  }
  if (s.missingWatermarks !== undefined) {
    return d("windowing", `Flink reports ${missingWatermarkText(s.missingWatermarks)}`);
  }
  const watermarkLag = s.watermarkLagMs ?? s.flinkWatermarkLagMs;
  if (watermarkLag !== undefined && watermarkLag > s.watermarkStuckMs) {
    return d(
      "windowing",
      `${s.watermarkLagMs === undefined ? "Flink's lowest watermark trails by" : "watermark lag is"} ${fmt(watermarkLag / 1000)} s (over ${fmt(s.watermarkStuckMs / 1000)} s): the watermark is stuck`,
    );
  }
  const slowMs = s.enrichmentSlowMs ?? 500;
  if (
    s.enrichmentLatencyMs !== undefined &&
    s.enrichmentLatencyMs > slowMs &&
    (behind === true || growing === true)
  ) {
    return d(
      "enrichment",
      `enrichment API calls take ${fmt(s.enrichmentLatencyMs)} ms on average (over ${fmt(slowMs)} ms per call is the bottleneck)`,
    );
  }
  if (s.maxPodPressure !== undefined && s.maxPodPressure >= s.pressureThreshold) {
    return d(
      "resource",
      `a taskmanager runs at ${Math.round(s.maxPodPressure * 100)}% of its limit (constraint from ${Math.round(s.pressureThreshold * 100)}%)`,
    );
  }
  if (behind === true && s.enrichmentLatencyMs !== undefined) {
    return d(
      "unknown",
      `Flink processes fewer records than arrive, yet resources, watermark, Firehose and the enrichment API (${fmt(s.enrichmentLatencyMs)} ms) look healthy`,
    );
  }
  if (behind === true) {
    return d(
      "enrichment",
      "Flink processes fewer records than arrive although resources, watermark and Firehose look healthy: the enrichment API is the remaining suspect",
    );
  }
  if (growing === false) {
    return d("transient", "lag is stable and throughput keeps up: a temporary spike to monitor");
  }
  return d("unknown", "the configured sources do not single out a cause");
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
