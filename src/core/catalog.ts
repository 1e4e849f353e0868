/**
 * The nine runbooks of the seed. Ids, alert names and aliases are a public contract
 * (see DESIGN.md): scripts and people type them.
 */
export type RunbookSeverity = "critical" | "high" | "medium";

export interface RunbookMeta {
  /** Stable runbook id, e.g. `consumer-lag`. */
  readonly id: string;
  /** Alert name as alarms fire it, e.g. `kafka-consumer-lag-high`. */
  readonly alert: string;
  readonly aliases: readonly string[];
  /** Title as the seed's table of contents names it. */
  readonly title: string;
  readonly severity: RunbookSeverity;
  /** Alert condition as the seed states it. */
  readonly condition: string;
  /** The seed's expected impact line. */
  readonly impact: string;
}

export const RUNBOOK_CATALOG: readonly RunbookMeta[] = [
  {
    id: "dlq-spike",
    alert: "dlq-spike-critical",
    aliases: ["dlq"],
    title: "DLQ Spike",
    severity: "critical",
    condition: ">100 records/min in DLQ",
    impact: "Data loss (unparseable/invalid records are being discarded)",
  },
  {
    id: "checkpoint-failure",
    alert: "checkpoint-failure-critical",
    aliases: ["checkpoint", "ckpt"],
    title: "Checkpoint Failure",
    severity: "critical",
    condition: ">0 failures in 5 min window",
    impact: "Job can't save state. On restart, state is lost = data loss risk.",
  },
  {
    id: "kafka-broker-down",
    alert: "kafka-broker-down-critical",
    aliases: ["broker", "kafka"],
    title: "Kafka Broker Down",
    severity: "critical",
    condition: "< 3 brokers alive",
    impact: "Possible data loss if 2nd broker fails before recovery",
  },
  {
    id: "firehose-delivery-failure",
    alert: "firehose-delivery-failure-critical",
    aliases: ["firehose"],
    title: "Firehose Delivery Failure",
    severity: "critical",
    condition: ">0 failed puts in 1 min",
    impact: "Records buffered in Firehose but not in S3. Buffer full after 5 min = data loss.",
  },
  {
    id: "consumer-lag",
    alert: "kafka-consumer-lag-high",
    aliases: ["lag"],
    title: "Consumer Lag High",
    severity: "high",
    condition: ">50K records",
    impact: "Delayed real-time features (dashboard data stale by X minutes)",
  },
  {
    id: "latency-slo-breach",
    alert: "processing-latency-slo-breach",
    aliases: ["latency", "slo"],
    title: "Processing Latency SLO Breach",
    severity: "high",
    condition: "p99 > 5 seconds",
    impact: "1% of customers see stale data (real-time features broken)",
  },
  {
    id: "window-completeness",
    alert: "window-completeness-low",
    aliases: ["completeness", "window"],
    title: "Window Completeness Low",
    severity: "high",
    condition: "< 95%",
    impact: "Up to 5%+ of records missing from aggregations",
  },
  {
    id: "memory-usage",
    alert: "memory-usage-high",
    aliases: ["memory", "mem"],
    title: "Memory Usage High",
    severity: "medium",
    condition: ">85%",
    impact: "If memory reaches 95%, task manager OOMKills (restart loses state)",
  },
  {
    id: "checkpoint-duration",
    alert: "checkpoint-duration-high",
    aliases: ["ckpt-duration"],
    title: "Checkpoint Duration High",
    severity: "medium",
    condition: ">30 seconds",
    impact: "Job pauses every checkpoint, customer latency spikes",
  },
];

/** Finds a runbook by id, alias or alert name, case-insensitively. */
export function findRunbook(name: string): RunbookMeta | undefined {
  const key = name.trim().toLowerCase();
  return RUNBOOK_CATALOG.find((r) => r.id === key || r.alert === key || r.aliases.includes(key));
}

/** Every name a person may type for a runbook. */
export function runbookNames(): string[] {
  return RUNBOOK_CATALOG.flatMap((r) => [r.id, ...r.aliases]);
}
