/**
 * Drill scenarios of the firehose-delivery-failure runbook: one per branch of the seed's Step 2
 * (A S3 access denied, B KMS key denied, C quota exceeded, D slow network) and its edges (a stream
 * that is not ACTIVE, deliveries that already succeed, failures nothing explains).
 */
import type { Clock } from "../../ports/clock.ts";
import type { DeliveryStreamInfo } from "../../ports/firehose.ts";
import type { Ports } from "../../ports/index.ts";
import type { LogRow } from "../../ports/logs.ts";
import { SIMULATED_ACCOUNT } from "../simulated/simulated-firehose.ts";
import type { DrillScenario } from "./drill.ts";
import { healthyPlatform } from "./healthy-world.ts";
import { overridePorts, type SeriesScript, scriptedMetrics } from "./override-ports.ts";

const ERROR_LOG_GROUP = "/aws/kinesisfirehose/order-firehose";
export const DRILL_KMS_KEY_ARN = `arn:aws:kms:us-east-1:${SIMULATED_ACCOUNT}:key/5c1f2a7e-8d4b-4e11-9a0c-3f6b2d9e7a41`;

interface WorldChanges {
  /** DeliveryToS3.Success per minute (i = minutes from the end). */
  readonly success?: SeriesScript;
  /** DeliveryToS3.Records per minute. */
  readonly records?: SeriesScript;
  /** Rows of the stream's error log; undefined = the log group does not exist (as in the healthy world). */
  readonly errorLog?: readonly LogRow[];
  readonly stream?: (base: DeliveryStreamInfo) => DeliveryStreamInfo;
}

/** Failing for the last `minutes` minutes: Success 0 and nothing delivered. */
const failingFor = (minutes: number) => ({
  success: (i: number) => (i < minutes ? 0 : 1),
  records: (i: number) => (i < minutes ? 0 : 60_000),
});

function world(clock: Clock, changes: WorldChanges): Ports {
  const ports = healthyPlatform(clock).ports;
  const logs = ports.logs!;
  const firehose = ports.firehose!;
  const scripts: Record<string, SeriesScript> = {};
  if (changes.success) scripts["AWS/Firehose/DeliveryToS3.Success"] = changes.success;
  if (changes.records) scripts["AWS/Firehose/DeliveryToS3.Records"] = changes.records;
  return overridePorts(ports, {
    metrics: scriptedMetrics(ports.metrics!, scripts),
    logs: {
      query: async (request) => {
        if (!request.logGroups.includes(ERROR_LOG_GROUP) || changes.errorLog === undefined) {
          return logs.query(request);
        }
        return {
          queryId: "drill-firehose-errors",
          outcome: "complete",
          rows: changes.errorLog,
          elapsedMs: 0,
        };
      },
    },
    firehose: {
      describeDeliveryStream: async (name) => {
        const base = await firehose.describeDeliveryStream(name);
        return changes.stream ? changes.stream(base) : base;
      },
    },
  });
}

function errorRows(count: number, errorCode: string, message: string): LogRow[] {
  return Array.from({ length: count }, (_, i) => ({
    "@timestamp": `2026-01-13 10:${String(29 - Math.floor(i / 2)).padStart(2, "0")}:${i % 2 === 0 ? "12" : "42"}.000`,
    errorCode,
    message,
  }));
}

function withKmsEncryption(base: DeliveryStreamInfo): DeliveryStreamInfo {
  return {
    ...base,
    destinations: base.destinations.map((d) =>
      d.s3 ? { ...d, s3: { ...d.s3, encryption: { kind: "kms" as const, keyArn: DRILL_KMS_KEY_ARN } } } : d,
    ),
  };
}

export const firehoseDeliveryFailureDrills: readonly DrillScenario[] = [
  {
    id: "firehose-delivery-failure/s3-access-denied",
    runbook: "firehose-delivery-failure",
    title: "Firehose role lost s3:PutObject",
    story:
      "An IAM clean-up removed s3:PutObject from FirehoseDeliveryRole 6 minutes ago: every delivery to order-firehose-bucket is denied.",
    build: (clock) =>
      world(clock, {
        ...failingFor(6),
        errorLog: errorRows(
          12,
          "S3.AccessDenied",
          "Access was denied. Ensure that the trust policy for the provided IAM role allows Firehose to assume the role, and the access policy allows access to the S3 bucket.",
        ),
      }),
    expect: { cause: "s3-access-denied", severity: "critical", proposes: [] },
  },
  {
    id: "firehose-delivery-failure/kms-denied",
    runbook: "firehose-delivery-failure",
    title: "KMS key policy no longer lets Firehose encrypt",
    story:
      "The destination encrypts with a customer KMS key; its key policy was rewritten and FirehoseDeliveryRole lost kms:GenerateDataKey.",
    build: (clock) =>
      world(clock, {
        ...failingFor(5),
        stream: withKmsEncryption,
        errorLog: errorRows(
          10,
          "S3.KMS.AccessDeniedException",
          `The provided IAM role is not authorized to perform kms:GenerateDataKey on ${DRILL_KMS_KEY_ARN}.`,
        ),
      }),
    expect: { cause: "kms-denied", severity: "critical", proposes: [] },
  },
  {
    id: "firehose-delivery-failure/quota-exceeded",
    runbook: "firehose-delivery-failure",
    title: "S3 throttles the puts (SlowDown)",
    story: "A traffic peak makes S3 answer SlowDown to 60% of the puts of the last 5 minutes.",
    build: (clock) =>
      world(clock, {
        success: (i) => (i < 5 ? 0.4 : 1),
        records: (i) => (i < 5 ? 24_000 : 60_000),
        errorLog: errorRows(14, "S3.SlowDown", "Please reduce your request rate."),
      }),
    expect: { cause: "quota-exceeded", severity: "critical", proposes: ["firehose-buffering"] },
  },
  {
    id: "firehose-delivery-failure/slow-network",
    runbook: "firehose-delivery-failure",
    title: "Slow uploads to S3",
    story:
      "Uploads to S3 crawl: 30% of the 128 MiB puts do not complete in time; nothing is denied or throttled and the error log is empty.",
    build: (clock) =>
      world(clock, {
        success: (i) => (i < 4 ? 0.7 : 1),
        records: (i) => (i < 4 ? 42_000 : 60_000),
        errorLog: [],
      }),
    expect: { cause: "slow-network", severity: "critical", proposes: ["firehose-buffering"] },
  },
  {
    id: "firehose-delivery-failure/stream-not-active",
    runbook: "firehose-delivery-failure",
    title: "Delivery stream suspended",
    story: "order-firehose is SUSPENDED: it neither accepts nor delivers records.",
    build: (clock) =>
      world(clock, {
        ...failingFor(4),
        stream: (base) => ({ ...base, status: "SUSPENDED" }),
      }),
    expect: { cause: "stream-not-active", severity: "critical", proposes: [] },
  },
  {
    id: "firehose-delivery-failure/delivering",
    runbook: "firehose-delivery-failure",
    title: "Deliveries already resumed",
    story: "A one-minute blip fired the alert; every put of the last minutes succeeded.",
    build: (clock) => world(clock, { success: (i) => (i === 6 ? 0.5 : 1) }),
    expect: { cause: "delivering", severity: "ok", proposes: [] },
  },
  {
    id: "firehose-delivery-failure/unknown",
    runbook: "firehose-delivery-failure",
    title: "Nothing delivered, no error logged",
    story: "No put has succeeded for 5 minutes; error logging is off, so nothing says why.",
    build: (clock) => world(clock, failingFor(5)),
    expect: { cause: "unknown", severity: "warning", proposes: [] },
  },
];
