/** Pure: probe results -> the signals the firehose-delivery-failure diagnosis decides on. */
import {
  breachStart,
  compareSeries,
  firstAbove,
  latestOf,
  type SeriesComparison,
} from "../../core/metric-math.ts";
import { type ProbeResults, read } from "../../core/runbook.ts";
import type {
  DeliveryStreamDestination,
  DeliveryStreamInfo,
  S3DestinationInfo,
} from "../../ports/firehose.ts";
import type { MetricPoint } from "../../ports/metrics.ts";
import {
  classifyDeliveryErrors,
  type DeliveryErrorClassification,
  type DeliveryErrorText,
} from "./classify.ts";
import type { FirehoseSignals } from "./diagnose.ts";
import {
  deliveredRecordsProbe,
  deliverySuccessProbe,
  type ErrorLog,
  errorLogProbe,
  recordsOutProbe,
  streamProbe,
} from "./probes.ts";

export function streamOf(results: ProbeResults): DeliveryStreamInfo | undefined {
  return read(results, streamProbe);
}

export function s3DestinationOf(
  stream: DeliveryStreamInfo | undefined,
): (DeliveryStreamDestination & { readonly s3: S3DestinationInfo }) | undefined {
  const d = stream?.destinations.find((x) => x.s3 !== undefined);
  return d?.s3 === undefined ? undefined : { ...d, s3: d.s3 };
}

/** Error log rows grouped by code and message, most frequent first. */
export function errorLogTexts(log: ErrorLog | undefined): DeliveryErrorText[] {
  if (log?.status !== "read") return [];
  const groups = new Map<string, DeliveryErrorText>();
  for (const row of log.rows) {
    const code = row.errorCode ?? "";
    const message = row.message ?? row["@message"] ?? "";
    if (code === "" && message === "") continue;
    const key = `${code}\u0000${message}`;
    const prev = groups.get(key);
    groups.set(key, {
      source: "error log",
      ...(code === "" ? {} : { code }),
      message,
      count: (prev?.count ?? 0) + 1,
    });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

export function errorTexts(results: ProbeResults): DeliveryErrorText[] {
  const stream = streamOf(results);
  const texts: DeliveryErrorText[] = [];
  if (stream?.failure) {
    texts.push({
      source: "failure description",
      code: stream.failure.type,
      message: stream.failure.details,
      count: 1,
    });
  }
  const sse = stream?.serverSideEncryption?.failure;
  if (sse) texts.push({ source: "encryption failure", code: sse.type, message: sse.details, count: 1 });
  texts.push(...errorLogTexts(read(results, errorLogProbe)));
  return texts;
}

export function classificationOf(results: ProbeResults): DeliveryErrorClassification | undefined {
  return classifyDeliveryErrors(errorTexts(results));
}

export function firehoseSignals(results: ProbeResults): FirehoseSignals {
  const stream = streamOf(results);
  const log = read(results, errorLogProbe);
  const success = read(results, deliverySuccessProbe);
  const records = read(results, deliveredRecordsProbe);
  const latest = success === undefined ? undefined : latestOf(success);
  const error = classificationOf(results);
  return {
    errorLog: log === undefined ? "unread" : log.status,
    ...(stream === undefined ? {} : { status: stream.status }),
    ...(error === undefined ? {} : { error }),
    ...(latest === undefined ? {} : { latestSuccess: latest.value }),
    ...(records === undefined || records.length === 0
      ? {}
      : { recentRecords: records.slice(-10).map((p) => p.value) }),
  };
}

/**
 * Where delivery started failing: the first minute of the current run with DeliveryToS3.Success
 * under 1 (else the first such minute, when it has recovered); from DeliveryToS3.Records at 0 when
 * Success has no data.
 */
export function incidentStart(results: ProbeResults): Date | undefined {
  const success = read(results, deliverySuccessProbe) ?? [];
  const failing = success.map((p) => ({ at: p.at, value: 1 - p.value }));
  const fromSuccess = breachStart(failing, 0) ?? firstAbove(failing, 0);
  if (fromSuccess) return fromSuccess.at;
  if (success.length > 0) return undefined;
  const records = read(results, deliveredRecordsProbe) ?? [];
  const zero = records.map((p) => ({ at: p.at, value: p.value === 0 ? 1 : 0 }));
  return (breachStart(zero, 0) ?? firstAbove(zero, 0))?.at;
}

/** Flink RecordsOut against DeliveryToS3.Records from the incident's start. */
export function lossComparison(
  results: ProbeResults,
): { start: Date; comparison: SeriesComparison } | undefined {
  const start = incidentStart(results);
  const out = read(results, recordsOutProbe);
  const delivered = read(results, deliveredRecordsProbe);
  if (start === undefined || out === undefined || delivered === undefined) return undefined;
  const since = (p: MetricPoint) => p.at.getTime() >= start.getTime();
  return { start, comparison: compareSeries(out.filter(since), delivered.filter(since)) };
}
