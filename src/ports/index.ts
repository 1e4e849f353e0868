import type { Clock } from "./clock.ts";
import type { KafkaPort } from "./kafka.ts";
import type { KubernetesPort } from "./kubernetes.ts";
import type { MetricsPort } from "./metrics.ts";

/** The systems a runbook can reach. A port left out is "not configured", which probes report plainly. */
export interface Ports {
  readonly kafka?: KafkaPort;
  readonly metrics?: MetricsPort;
  readonly kubernetes?: KubernetesPort;
  readonly clock: Clock;
}

export type PortName = "kafka" | "metrics" | "kubernetes";
