/** Static text of the kafka-broker-down runbook, beside its logic: what each cause means, the seed's snippets and fix lines, by cause. */
import type { BrokerDownCause } from "./diagnose.ts";

export const CAUSE_TITLE: Record<BrokerDownCause, string> = {
  "all-brokers-up": "all brokers are back (the alert is clearing)",
  "broker-rebooting": "a broker is already rebooting / MSK is recovering",
  "one-broker-down": "one broker down (degraded, AWS auto-recovery likely)",
  "cluster-unusable": "cluster unusable (more than one broker down or partitions offline)",
  unknown: "not determined",
};
