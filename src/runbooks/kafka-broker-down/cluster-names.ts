/** Names and commands the kafka-broker-down steps show: the cluster ARN, bootstrap servers, the reboot proposal. */
import type { AppConfig } from "../../config/schema.ts";
import type { Proposal } from "../../core/finding.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import type { BrokerDiagnosis, BrokerDownCause } from "./diagnose.ts";
import { type MskView, mskClusterProbe } from "./probes.ts";

export const MAX_ROWS = 12;

export function arnOrPlaceholder(config: AppConfig): string {
  return config.msk?.clusterArn ?? "<cluster ARN: set msk.clusterArn in the config>";
}

export function bootstrapOf(config: AppConfig): string {
  return config.kafka?.brokers.join(",") ?? "<bootstrap servers: set kafka.brokers in the config>";
}

export function mskOf(results: ProbeResults): MskView | undefined {
  return read(results, mskClusterProbe) ?? undefined;
}

/** The button for a manual reboot: only with a cluster ARN, a broker to name and MSK idle (ACTIVE). */
export function rebootProposal(
  diagnosis: BrokerDiagnosis,
  results: ProbeResults,
  config: AppConfig,
): Proposal | undefined {
  const arn = config.msk?.clusterArn;
  const brokerId = diagnosis.rebootCandidate;
  if (arn === undefined || brokerId === undefined || diagnosis.recoveryRunning) return undefined;
  const msk = mskOf(results);
  if (msk !== undefined && msk.cluster.state !== "ACTIVE") return undefined;
  return {
    action: "reboot-broker",
    label: `Reboot broker ${brokerId}${msk ? ` of ${msk.cluster.name}` : ""}`,
    params: { clusterArn: arn, brokerId },
  };
}

export function rebootCommand(config: AppConfig, brokerId: number | string): string {
  return [
    "aws kafka reboot-broker \\",
    `  --cluster-arn ${arnOrPlaceholder(config)} \\`,
    `  --broker-ids ${brokerId}`,
  ].join("\n");
}

export function statusOf(cause: BrokerDownCause): StepAssessment["status"] {
  switch (cause) {
    case "all-brokers-up":
      return "ok";
    case "cluster-unusable":
      return "critical";
    case "unknown":
      return "info";
    default:
      return "warning";
  }
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
