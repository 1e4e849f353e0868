/** Step 1 (Assess): the consumer group lag, its partitions and whether it grows. */
import type { AppConfig } from "../../config/schema.ts";
import { type EvidenceBlock, type Finding, finding } from "../../core/finding.ts";
import { formatCount } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import type { GroupLag } from "../../ports/kafka.ts";
import { unreadStep } from "../unread-step.ts";
import { lagProbe } from "./probes.ts";

export function lagTable(lag: GroupLag, threshold: number): EvidenceBlock {
  const perPartitionAlarm = threshold / Math.max(1, lag.partitions.length);
  const worst = Math.max(...lag.partitions.map((p) => p.lag));
  return {
    kind: "table",
    columns: ["TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG"],
    rows: lag.partitions.map((p) => [
      p.topic,
      String(p.partition),
      p.committedOffset === null ? "-" : String(p.committedOffset),
      String(p.logEndOffset),
      p.lag === worst && p.lag > perPartitionAlarm ? `${p.lag}  <- HIGH` : String(p.lag),
    ]),
  };
}

export function assessLag(results: ProbeResults, config: AppConfig): StepAssessment {
  const samples = read(results, lagProbe);
  const threshold = config.thresholds.consumerLagRecords;
  if (samples === undefined) {
    // Not configured is a choice, not a failure: the engine adds the "add a `kafka` section" finding.
    return unreadStep(results, [lagProbe], "Kafka", "Consumer group lag could not be read.");
  }
  const latest = samples.second ?? samples.first;
  const { consumerGroup } = config.pipeline;
  const findings: Finding[] = [];
  const worst = [...latest.partitions].sort((a, b) => b.lag - a.lag)[0];
  const over = latest.totalLag > threshold;
  // Step 1 judges growth from its own two samples (later steps' probes have not run yet).
  const growth =
    samples.second === undefined
      ? undefined
      : (samples.second.totalLag - samples.first.totalLag) / samples.intervalSeconds;
  const growing = growth === undefined ? undefined : growth > config.runbooks.lagGrowthPerSecond;

  const trendText =
    samples.second === undefined
      ? samples.intervalSeconds === 0
        ? "one sample taken (growth check disabled)"
        : `growth unknown: the second sample failed (${samples.secondError ?? "no answer"})`
      : describeGrowth(samples.first.totalLag, samples.second.totalLag, samples.intervalSeconds);

  findings.push(
    finding(
      over ? (growing ? "critical" : "warning") : "ok",
      `Total lag ${formatCount(latest.totalLag)} records`,
      {
        detail: `Group \`${consumerGroup}\` on ${latest.partitions.length} partition(s), threshold ${formatCount(threshold)}. ${trendText}.${
          growing === true
            ? " Growing lag = falling behind (serious)."
            : growing === false
              ? " Stable lag = temporary spike (OK to monitor)."
              : ""
        }`,
        evidence: [
          lagTable(latest, threshold),
          {
            kind: "fields",
            fields: [
              { label: "Group state", value: latest.state },
              {
                label: "Members",
                // Flink's Kafka source assigns partitions itself: 0 members is normal for it.
                value: `${latest.members}${latest.members === 0 ? " (normal for Flink's Kafka source)" : ""}`,
              },
              ...(worst
                ? [
                    {
                      label: "Worst partition",
                      value: `${worst.topic}/${worst.partition}: ${formatCount(worst.lag)}`,
                    },
                  ]
                : []),
            ],
          },
        ],
      },
    ),
  );
  const status = over ? (growing ? "critical" : "warning") : "ok";
  return {
    status,
    summary: `Lag ${formatCount(latest.totalLag)} (threshold ${formatCount(threshold)})${worst ? `, worst ${worst.topic}/${worst.partition} at ${formatCount(worst.lag)}` : ""}; ${trendText}.`,
    findings,
  };
}

export function describeGrowth(first: number, second: number, seconds: number): string {
  const rate = (second - first) / seconds;
  const sign = rate > 0 ? "+" : "";
  return `${formatCount(first)} -> ${formatCount(second)} in ${seconds} s (${sign}${rate.toFixed(1)} records/s)`;
}
