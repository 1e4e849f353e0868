/** Builds the real adapters from the config; a section left out means that port is absent. */
import type { AppConfig } from "../config/schema.ts";
import { type Clock, systemClock } from "../ports/clock.ts";
import type { Ports } from "../ports/index.ts";
import { createCloudWatchMetrics } from "./aws/cloudwatch-metrics.ts";
import { createKafkajsKafka } from "./kafka/kafkajs-kafka.ts";
import { createKubernetes } from "./kubernetes/index.ts";

export function createPorts(config: AppConfig, clock: Clock = systemClock): Ports {
  const { kafka, aws, kubernetes } = config;
  return {
    clock,
    ...(kafka
      ? {
          kafka: createKafkajsKafka({
            brokers: kafka.brokers,
            clientId: kafka.clientId,
            ssl: kafka.ssl,
            connectionTimeoutMs: kafka.connectionTimeoutMs,
            requestTimeoutMs: kafka.requestTimeoutMs,
            ...(kafka.sasl && config.secrets.kafkaPassword
              ? {
                  sasl: {
                    mechanism: kafka.sasl.mechanism,
                    username: kafka.sasl.username,
                    password: config.secrets.kafkaPassword,
                  },
                }
              : {}),
          }),
        }
      : {}),
    ...(aws
      ? {
          metrics: createCloudWatchMetrics({
            region: aws.region,
            ...(aws.endpoint ? { endpoint: aws.endpoint } : {}),
          }),
        }
      : {}),
    ...(kubernetes
      ? {
          kubernetes: createKubernetes({
            ...(kubernetes.kubeconfig ? { kubeconfigPath: kubernetes.kubeconfig } : {}),
            ...(kubernetes.context ? { context: kubernetes.context } : {}),
            inCluster: kubernetes.inCluster,
          }),
        }
      : {}),
  };
}
