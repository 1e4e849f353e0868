import type { Clock } from "./clock.ts";
import type { FirehosePort } from "./firehose.ts";
import type { FlinkPort } from "./flink.ts";
import type { KafkaPort } from "./kafka.ts";
import type { KubernetesPort } from "./kubernetes.ts";
import type { LogsPort } from "./logs.ts";
import type { MetricsPort } from "./metrics.ts";
import type { MskPort } from "./msk.ts";

/** The systems a runbook can reach. A port left out is "not configured", which probes report plainly. */
export interface Ports {
  readonly kafka?: KafkaPort;
  readonly metrics?: MetricsPort;
  readonly logs?: LogsPort;
  readonly firehose?: FirehosePort;
  readonly msk?: MskPort;
  readonly kubernetes?: KubernetesPort;
  readonly flink?: FlinkPort;
  readonly clock: Clock;
}

export type PortName = "kafka" | "metrics" | "logs" | "firehose" | "msk" | "kubernetes" | "flink";
