/** Verify (seed Step 3): every broker answers again; AWS's own recovery takes 5-15 minutes. */
import type { RecoveryCheck } from "../../core/verification.ts";

export const brokerDownRecovery: RecoveryCheck = {
  watches: "the brokers the cluster reports alive",
  recoveredWhen: (config) => `${config.thresholds.minBrokersAlive} or more brokers alive and none missing`,
  withinMinutes: 15,
  everySeconds: 30,
  needs: ["kafka"],
  nextStep:
    "open an AWS support case for the MSK cluster (the seed's manual intervention), and re-run `/runbook broker` to check for offline partitions.",
  async read({ ports, config }) {
    const expected = config.thresholds.minBrokersAlive;
    const cluster = await ports.kafka!.describeCluster({ expectedBrokers: expected });
    const alive = cluster.brokers.length;
    const missing = cluster.missingBrokerIds;
    const recovered = alive >= expected && missing.length === 0;
    const text =
      `${alive} of ${expected} brokers alive` +
      (missing.length > 0 ? `, broker ${missing.join(", ")} still missing` : "");
    return { recovered, value: alive, text };
  },
};
