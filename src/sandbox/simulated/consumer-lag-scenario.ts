/**
 * The sandbox's story: orders arrive faster than four CPU-bound taskmanagers can process them, so
 * consumer lag on orders.raw grows; scaling to eight drains it. Time-driven and deterministic for a
 * given clock, shared by the simulated Kafka, CloudWatch and Kubernetes adapters.
 */

export interface ScenarioOptions {
  /** Records per second arriving on orders.raw. */
  readonly arrivalPerSecond?: number;
  /** Records per second one taskmanager processes. */
  readonly perReplicaPerSecond?: number;
  readonly initialReplicas?: number;
  /** Lag per partition when the sandbox starts. */
  readonly initialLag?: readonly number[];
  readonly now?: () => number;
}

export class ConsumerLagScenario {
  readonly topic = "orders.raw";
  readonly group = "order-processor";
  readonly partitions: number;
  readonly arrivalPerSecond: number;
  readonly perReplicaPerSecond: number;
  private readonly now: () => number;
  private replicas: number;
  /** Lag per partition at `since`. */
  private lagAt: number[];
  private since: number;
  /** Log-end offsets at `since`. */
  private logEndAt: number[];

  constructor(options: ScenarioOptions = {}) {
    this.now = options.now ?? Date.now;
    this.arrivalPerSecond = options.arrivalPerSecond ?? 1000;
    this.perReplicaPerSecond = options.perReplicaPerSecond ?? 190;
    this.replicas = options.initialReplicas ?? 4;
    this.lagAt = [...(options.initialLag ?? [25_000, 55_000, 15_000])];
    this.partitions = this.lagAt.length;
    this.logEndAt = this.lagAt.map((lag, i) => 4_000_000 + i * 250_000 + lag);
    this.since = this.now();
  }

  get taskmanagers(): number {
    return this.replicas;
  }

  /** Records per second the job processes now. */
  processingPerSecond(): number {
    return this.replicas * this.perReplicaPerSecond;
  }

  /** Partition skew: partition 1 gets the most traffic (as in the seed's example). */
  private share(i: number): number {
    const weights = this.lagAt.map((_, j) => (j === 1 ? 2 : 1));
    const total = weights.reduce((a, b) => a + b, 0);
    return weights[i]! / total;
  }

  partitionState(at = this.now()): { partition: number; logEnd: number; committed: number; lag: number }[] {
    const seconds = Math.max(0, (at - this.since) / 1000);
    const growth = (this.arrivalPerSecond - this.processingPerSecond()) * seconds;
    return this.lagAt.map((lag0, i) => {
      const logEnd = Math.round(this.logEndAt[i]! + this.arrivalPerSecond * this.share(i) * seconds);
      const lag = Math.max(0, Math.round(lag0 + growth * this.share(i)));
      return { partition: i, logEnd, committed: logEnd - lag, lag };
    });
  }

  /** Scaling changes the processing rate from now on. */
  scale(replicas: number): void {
    const state = this.partitionState();
    this.lagAt = state.map((s) => s.lag);
    this.logEndAt = state.map((s) => s.logEnd);
    this.since = this.now();
    this.replicas = replicas;
  }

  /** CPU use of one taskmanager, as a fraction of its 2-core limit. */
  cpuFraction(): number {
    const load = this.arrivalPerSecond / this.processingPerSecond();
    return Math.min(0.97, Math.max(0.2, load * 0.9));
  }
}
