import type { MetricId } from "../../core/metric-catalog.ts";
import { probe } from "../../core/runbook.ts";
import type { DeliveryStreamInfo } from "../../ports/firehose.ts";
import type { LogRow } from "../../ports/logs.ts";
import type { MetricStatistic } from "../../ports/metrics.ts";
import { catalogMetricProbe } from "../catalog-metric-probe.ts";

/** Minutes of metrics read: the seed's 10 are shown; the rest bounds the incident window. */
export const HISTORY_MINUTES = 60;
/** Minutes of the delivery error log read. */
export const ERROR_LOG_MINUTES = 10;

/** Firehose's default error log group for a stream (error logging on, console defaults). */
export function errorLogGroup(stream: string): string {
  return `/aws/kinesisfirehose/${stream}`;
}

/** The delivery errors Firehose logged, newest first (fields of its error log records). */
export const ERROR_LOG_QUERY = [
  "fields @timestamp, errorCode, message",
  "| filter ispresent(errorCode)",
  "| sort @timestamp desc",
  "| limit 50",
].join("\n");

function metricProbe(id: string, title: string, metric: MetricId, stat?: MetricStatistic) {
  return catalogMetricProbe({
    id,
    title,
    metric,
    minutes: HISTORY_MINUTES,
    ...(stat === undefined ? {} : { stat }),
    dimensions: (config) =>
      metric === "recordsOut" ? {} : { DeliveryStreamName: config.pipeline.deliveryStream },
  });
}

export const streamProbe = probe<DeliveryStreamInfo>({
  id: "stream",
  title: "describe the Firehose delivery stream",
  needs: ["firehose"],
  run: ({ ports, config }) => ports.firehose!.describeDeliveryStream(config.pipeline.deliveryStream),
});

export const deliveredRecordsProbe = metricProbe(
  "delivery-records",
  "read Firehose DeliveryToS3.Records",
  "firehoseDeliveryRecords",
);

/** Average of DeliveryToS3.Success = successful puts / all puts (1 = every delivery succeeded). */
export const deliverySuccessProbe = metricProbe(
  "delivery-success",
  "read Firehose DeliveryToS3.Success",
  "firehoseDeliverySuccess",
  "Average",
);

export const recordsOutProbe = metricProbe("records-out", "read Flink RecordsOut", "recordsOut");

export type ErrorLog =
  | {
      readonly status: "read";
      readonly logGroup: string;
      readonly rows: readonly LogRow[];
      readonly start: Date;
      readonly end: Date;
    }
  | { readonly status: "absent"; readonly logGroup: string; readonly reason: string };

const NO_GROUP = /log group does not exist|ResourceNotFoundException/i;

export const errorLogProbe = probe<ErrorLog>({
  id: "delivery-errors",
  title: "read Firehose's delivery error log",
  needs: ["logs"],
  async run({ ports, config, startedAt, signal }) {
    const logGroup = errorLogGroup(config.pipeline.deliveryStream);
    const start = new Date(startedAt.getTime() - ERROR_LOG_MINUTES * 60_000);
    try {
      const result = await ports.logs!.query({
        logGroups: [logGroup],
        query: ERROR_LOG_QUERY,
        start,
        end: startedAt,
        signal,
      });
      return { status: "read", logGroup, rows: result.rows, start, end: startedAt };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (NO_GROUP.test(message)) return { status: "absent", logGroup, reason: message };
      throw error;
    }
  },
});
