/** Builds the real adapters from the config; a section left out means that port is absent. */
import { readFileSync } from "node:fs";
import type { AppConfig } from "../config/schema.ts";
import { type Clock, systemClock } from "../ports/clock.ts";
import type { Ports } from "../ports/index.ts";
import type { AwsClientOptions } from "./aws/aws-call.ts";
import { createCloudWatchLogs } from "./aws/cloudwatch-logs.ts";
import { createCloudWatchMetrics } from "./aws/cloudwatch-metrics.ts";
import { createFirehose } from "./aws/firehose.ts";
import { createMsk } from "./aws/msk.ts";
import { createFlinkRest } from "./flink/flink-rest.ts";
import type { KafkaSasl, KafkaTls } from "./kafka/kafka-config.ts";
import { createKafkajsKafka } from "./kafka/kafkajs-kafka.ts";
import { createKubernetes } from "./kubernetes/index.ts";

type AwsService = "cloudwatch" | "logs" | "firehose" | "msk";

/** Client options for one AWS service: the per-service endpoint wins over the shared one. */
export function awsOptionsFor(
  config: AppConfig,
  service: AwsService,
  region?: string,
): AwsClientOptions | undefined {
  const aws = config.aws;
  if (!aws && !region) return undefined;
  const endpoint = aws?.endpoints[service] ?? aws?.endpoint;
  return {
    region: region ?? aws?.region ?? "us-east-1",
    ...(endpoint ? { endpoint } : {}),
    ...(aws ? { requestTimeoutMs: aws.requestTimeoutMs, maxAttempts: aws.maxAttempts } : {}),
  };
}

/** The region in an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/...). */
export function regionOfArn(arn: string): string | undefined {
  return arn.split(":")[3] || undefined;
}

/** kafka.ssl -> the adapter's TLS options, the CA read from its file (load-config checked it). */
function kafkaTls(config: AppConfig): { ssl?: KafkaTls } {
  const ssl = config.kafka?.ssl;
  if (ssl === undefined) return {}; // kafka-config.ts: off, or on for aws-msk-iam
  if (typeof ssl === "boolean") return { ssl };
  return {
    ssl: {
      ...(ssl.caFile === undefined ? {} : { ca: readFileSync(ssl.caFile, "utf8") }),
      ...(ssl.servername === undefined ? {} : { servername: ssl.servername }),
      ...(ssl.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: ssl.rejectUnauthorized }),
    },
  };
}

function kafkaSasl(config: AppConfig): { sasl?: KafkaSasl } {
  const sasl = config.kafka?.sasl;
  if (!sasl) return {};
  if (sasl.mechanism === "aws-msk-iam") {
    const region =
      sasl.region ?? config.aws?.region ?? (config.msk ? regionOfArn(config.msk.clusterArn) : undefined);
    return { sasl: { mechanism: "aws-msk-iam", region: region ?? "us-east-1" } };
  }
  const password = config.secrets.kafkaPassword;
  return password ? { sasl: { mechanism: sasl.mechanism, username: sasl.username, password } } : {};
}

export function createPorts(config: AppConfig, clock: Clock = systemClock): Ports {
  const { kafka, kubernetes, flink, msk } = config;
  const cloudwatch = awsOptionsFor(config, "cloudwatch");
  const logs = awsOptionsFor(config, "logs");
  const firehose = awsOptionsFor(config, "firehose");
  const mskOptions = msk
    ? awsOptionsFor(config, "msk", config.aws?.region ?? regionOfArn(msk.clusterArn))
    : undefined;
  return {
    clock,
    ...(kafka
      ? {
          kafka: createKafkajsKafka({
            brokers: kafka.brokers,
            clientId: kafka.clientId,
            ...kafkaTls(config),
            connectionTimeoutMs: kafka.connectionTimeoutMs,
            requestTimeoutMs: kafka.requestTimeoutMs,
            expectedBrokers: config.thresholds.minBrokersAlive,
            scratchGroupPrefix: kafka.scratchGroupPrefix,
            ...kafkaSasl(config),
          }),
        }
      : {}),
    ...(cloudwatch ? { metrics: createCloudWatchMetrics(cloudwatch) } : {}),
    ...(logs && config.aws
      ? { logs: createCloudWatchLogs({ ...logs, queryDeadlineMs: config.aws.logsQueryDeadlineMs }) }
      : {}),
    ...(firehose ? { firehose: createFirehose(firehose) } : {}),
    ...(mskOptions ? { msk: createMsk(mskOptions) } : {}),
    ...(flink
      ? { flink: createFlinkRest({ url: flink.url, timeoutMs: flink.requestTimeoutMs, clock }) }
      : {}),
    ...(kubernetes
      ? {
          kubernetes: createKubernetes({
            ...(kubernetes.kubeconfig ? { kubeconfigPath: kubernetes.kubeconfig } : {}),
            ...(kubernetes.context ? { context: kubernetes.context } : {}),
            inCluster: kubernetes.inCluster,
            flinkOperator: kubernetes.flinkOperator,
            ...(kubernetes.flinkDeployment ? { flinkDeployment: kubernetes.flinkDeployment } : {}),
          }),
        }
      : {}),
  };
}
