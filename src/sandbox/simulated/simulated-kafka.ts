/** Kafka in the sandbox: the consumer-lag scenario's topic and group. */
import type { GroupLag, KafkaPort } from "../../ports/kafka.ts";
import type { ConsumerLagScenario } from "./consumer-lag-scenario.ts";

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
