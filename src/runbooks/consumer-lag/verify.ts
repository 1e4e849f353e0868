/** Verify (seed Step 5): lag should start decreasing within 2-5 minutes of the fix. */
import { formatCount } from "../../core/metric-math.ts";
import type { RecoveryCheck } from "../../core/verification.ts";

/** Lag this much below the first look counts as draining. */
const FALLING_FRACTION = 0.9;

export const consumerLagRecovery: RecoveryCheck = {
  watches: "the consumer group's lag",
  recoveredWhen: (config) =>
    `lag at or below ${formatCount(config.thresholds.consumerLagRecords)} records, or at least 10% below the first look and falling`,
  withinMinutes: 5,
  everySeconds: 30,
  needs: ["kafka"],
  nextStep:
    "re-run `/runbook lag`: if the taskmanagers are no longer CPU-bound, the cause is elsewhere (enrichment, back pressure, windowing).",
  async read({ ports, config, first }) {
    const { consumerGroup, sourceTopic } = config.pipeline;
    const lag = await ports.kafka!.groupLag(consumerGroup, [sourceTopic]);
    const total = lag.totalLag;
    const threshold = config.thresholds.consumerLagRecords;
    const base = `lag of ${consumerGroup} on ${sourceTopic} ${formatCount(total)} records`;
    if (total <= threshold)
      return { recovered: true, value: total, text: `${base}, at or below ${formatCount(threshold)}` };
    if (first?.value !== undefined && total < first.value * FALLING_FRACTION) {
      return {
        recovered: true,
        value: total,
        text: `${base}, falling (${formatCount(first.value)} at the first look): draining`,
      };
    }
    const trend =
      first?.value === undefined
        ? ""
        : total > first.value
          ? `, still growing (${formatCount(first.value)} at the first look)`
          : `, not falling yet (${formatCount(first.value)} at the first look)`;
    return { recovered: false, value: total, text: `${base}${trend}` };
  },
};
