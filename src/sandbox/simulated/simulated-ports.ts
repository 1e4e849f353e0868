/**
 * Simulated adapters with the same ports as the real ones, telling the consumer-lag story.
 * The sandbox (npm start without credentials) and the benchmark run the real bot against them.
 */
import type { Clock } from "../../ports/clock.ts";
import type { Ports } from "../../ports/index.ts";
import type { GroupLag, KafkaPort } from "../../ports/kafka.ts";
import type { DeploymentScale, KubernetesPort, PodUsage } from "../../ports/kubernetes.ts";
import type { MetricPoint, MetricQuery, MetricsPort } from "../../ports/metrics.ts";
import { ConsumerLagScenario } from "./consumer-lag-scenario.ts";

const CPU_LIMIT_M = 2000;
const MEM_LIMIT = 8 * 2 ** 30;

export class SimulatedKafka implements KafkaPort {
  readonly describeTarget = "simulated Kafka (sandbox)";
  constructor(private readonly scenario: ConsumerLagScenario) {}

  async groupLag(group: string, topics?: readonly string[]): Promise<GroupLag> {
    const known = group === this.scenario.group;
    const wanted = topics === undefined || topics.includes(this.scenario.topic);
    const partitions =
      known && wanted
        ? this.scenario.partitionState().map((p) => ({
            topic: this.scenario.topic,
            partition: p.partition,
            committedOffset: p.committed,
            logEndOffset: p.logEnd,
            lag: p.lag,
          }))
        : [];
    return {
      group,
      state: known ? "Stable" : "Dead",
      members: known ? this.scenario.taskmanagers : 0,
      partitions,
      totalLag: partitions.reduce((a, p) => a + p.lag, 0),
    };
  }

  async close(): Promise<void> {}
}

export class SimulatedMetrics implements MetricsPort {
  readonly describeTarget = "simulated CloudWatch (sandbox)";
  constructor(private readonly scenario: ConsumerLagScenario) {}

  async series(q: MetricQuery): Promise<MetricPoint[]> {
    const perMinuteIn = this.scenario.arrivalPerSecond * 60;
    const perMinuteOut = Math.min(perMinuteIn, this.scenario.processingPerSecond() * 60);
    const value = (i: number): number | undefined => {
      switch (q.metric) {
        case "RecordsIn":
          return perMinuteIn + ((i * 37) % 11) * 100;
        case "RecordsOut":
        case "DeliveryToS3.Records":
          return perMinuteOut + ((i * 53) % 7) * 100;
        case "WatermarkLagMs":
          return 1800 + ((i * 29) % 5) * 100;
        case "window_emit_count":
          return 12;
        default:
          return undefined;
      }
    };
    const points: MetricPoint[] = [];
    const step = q.periodSeconds * 1000;
    const first = Math.ceil(q.start.getTime() / step) * step;
    for (let t = first, i = 0; t < q.end.getTime(); t += step, i++) {
      const v = value(i);
      if (v === undefined) return [];
      const raw = q.stat === "Sum" ? v * (q.periodSeconds / 60) : v;
      points.push({ at: new Date(t), value: raw });
    }
    return points;
  }
}

export class SimulatedKubernetes implements KubernetesPort {
  readonly describeTarget = "simulated Kubernetes (sandbox)";
  /** Every scale the bot made, for the sandbox's terminal and tests. */
  readonly scaleRequests: { namespace: string; deployment: string; replicas: number }[] = [];
  constructor(
    private readonly scenario: ConsumerLagScenario,
    private readonly namespace = "flink",
    private readonly deployment = "flink-taskmanager",
  ) {}

  async podUsage(namespace: string, labelSelector: string): Promise<PodUsage[]> {
    if (namespace !== this.namespace || !labelSelector.includes("flink-taskmanager")) return [];
    const cpu = this.scenario.cpuFraction();
    return Array.from({ length: this.scenario.taskmanagers }, (_, i) => ({
      pod: `${this.deployment}-${i}`,
      cpuMillicores: Math.round(CPU_LIMIT_M * (cpu - (i % 3) * 0.02)),
      memoryBytes: Math.round(MEM_LIMIT * (0.78 + (i % 2) * 0.03)),
      cpuLimitMillicores: CPU_LIMIT_M,
      memoryLimitBytes: MEM_LIMIT,
    }));
  }

  private check(namespace: string, deployment: string): void {
    if (namespace !== this.namespace || deployment !== this.deployment) {
      throw new Error(`deployment ${namespace}/${deployment} not found`);
    }
  }

  async getScale(namespace: string, deployment: string): Promise<DeploymentScale> {
    this.check(namespace, deployment);
    const n = this.scenario.taskmanagers;
    return { namespace, name: deployment, replicas: n, currentReplicas: n };
  }

  async scaleDeployment(namespace: string, deployment: string, replicas: number): Promise<DeploymentScale> {
    this.check(namespace, deployment);
    this.scaleRequests.push({ namespace, deployment, replicas });
    this.scenario.scale(replicas);
    return { namespace, name: deployment, replicas, currentReplicas: replicas };
  }
}

export interface SimulatedPlatform {
  readonly scenario: ConsumerLagScenario;
  readonly ports: Ports;
  readonly kubernetes: SimulatedKubernetes;
}

export function createSimulatedPlatform(
  clock: Clock,
  scenario = new ConsumerLagScenario(),
): SimulatedPlatform {
  const kubernetes = new SimulatedKubernetes(scenario);
  return {
    scenario,
    kubernetes,
    ports: {
      kafka: new SimulatedKafka(scenario),
      metrics: new SimulatedMetrics(scenario),
      kubernetes,
      clock,
    },
  };
}
