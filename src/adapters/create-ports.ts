/** Builds the real adapters from the config; a section left out means that port is absent (and its SDK unloaded). */
import { readFileSync } from "node:fs";
import type { AppConfig } from "../config/schema.ts";
import { type Clock, systemClock } from "../ports/clock.ts";
import type { Ports } from "../ports/index.ts";
import type { AwsClientOptions } from "./aws/aws-call.ts";
import type { KafkaSasl, KafkaTls } from "./kafka/kafka-config.ts";

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

/**
 * The ports of the configured systems. Each adapter (and so its SDK: kafkajs, the AWS SDK,
 * @kubernetes/client-node) is imported only when its section is configured, so a command that
 * needs Kafka alone does not pay for loading the rest.
 */
export async function createPorts(config: AppConfig, clock: Clock = systemClock): Promise<Ports> {
  const { kafka, kubernetes, flink, msk, aws } = config;
  const cloudwatch = awsOptionsFor(config, "cloudwatch");
  const logs = aws ? awsOptionsFor(config, "logs") : undefined;
  const firehose = awsOptionsFor(config, "firehose");
  const mskOptions = msk
    ? awsOptionsFor(config, "msk", config.aws?.region ?? regionOfArn(msk.clusterArn))
    : undefined;
  const [kafkaPort, metrics, logsPort, firehosePort, mskPort, flinkPort, kubernetesPort] = await Promise.all([
    kafka
      ? import("./kafka/kafkajs-kafka.ts").then(({ createKafkajsKafka }) =>
          createKafkajsKafka({
            brokers: kafka.brokers,
            clientId: kafka.clientId,
            ...kafkaTls(config),
            connectionTimeoutMs: kafka.connectionTimeoutMs,
            requestTimeoutMs: kafka.requestTimeoutMs,
            expectedBrokers: config.thresholds.minBrokersAlive,
            scratchGroupPrefix: kafka.scratchGroupPrefix,
            ...kafkaSasl(config),
          }),
        )
      : undefined,
    cloudwatch
      ? import("./aws/cloudwatch-metrics.ts").then(({ createCloudWatchMetrics }) =>
          createCloudWatchMetrics(cloudwatch),
        )
      : undefined,
    logs && aws
      ? import("./aws/cloudwatch-logs.ts").then(({ createCloudWatchLogs }) =>
          createCloudWatchLogs({ ...logs, queryDeadlineMs: aws.logsQueryDeadlineMs }),
        )
      : undefined,
    firehose ? import("./aws/firehose.ts").then(({ createFirehose }) => createFirehose(firehose)) : undefined,
    mskOptions ? import("./aws/msk.ts").then(({ createMsk }) => createMsk(mskOptions)) : undefined,
    flink
      ? import("./flink/flink-rest.ts").then(({ createFlinkRest }) =>
          createFlinkRest({ url: flink.url, timeoutMs: flink.requestTimeoutMs, clock }),
        )
      : undefined,
    kubernetes
      ? import("./kubernetes/index.ts").then(({ createKubernetes }) =>
          createKubernetes({
            ...(kubernetes.kubeconfig ? { kubeconfigPath: kubernetes.kubeconfig } : {}),
            ...(kubernetes.context ? { context: kubernetes.context } : {}),
            inCluster: kubernetes.inCluster,
            flinkOperator: kubernetes.flinkOperator,
            ...(kubernetes.flinkDeployment ? { flinkDeployment: kubernetes.flinkDeployment } : {}),
          }),
        )
      : undefined,
  ]);
  return {
    clock,
    ...(kafkaPort ? { kafka: kafkaPort } : {}),
    ...(metrics ? { metrics } : {}),
    ...(logsPort ? { logs: logsPort } : {}),
    ...(firehosePort ? { firehose: firehosePort } : {}),
    ...(mskPort ? { msk: mskPort } : {}),
    ...(flinkPort ? { flink: flinkPort } : {}),
    ...(kubernetesPort ? { kubernetes: kubernetesPort } : {}),
  };
}
