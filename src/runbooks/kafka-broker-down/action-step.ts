/** Step 2 (Action): what to do for the brokers found down. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding } from "../../core/finding.ts";
import type { ProbeResults, StepAssessment } from "../../core/runbook.ts";
import {
  arnOrPlaceholder,
  bootstrapOf,
  capitalize,
  mskOf,
  rebootCommand,
  rebootProposal,
  statusOf,
} from "./cluster-names.ts";
import { brokerDiagnosisOf } from "./signals.ts";
import { CAUSE_TITLE } from "./texts.ts";

export function assessAction(results: ProbeResults, config: AppConfig): StepAssessment {
  const diagnosis = brokerDiagnosisOf(results, config);
  const proposal = rebootProposal(diagnosis, results, config);
  const msk = mskOf(results);
  const candidate = diagnosis.rebootCandidate;
  const noButton =
    proposal === undefined && candidate !== undefined && !diagnosis.recoveryRunning
      ? config.msk === undefined
        ? " No button: the bot does not know the cluster ARN (set `msk.clusterArn`)."
        : msk !== undefined && msk.cluster.state !== "ACTIVE"
          ? ` No button: MSK only reboots a broker while the cluster is ACTIVE (it is ${msk.cluster.state}).`
          : ""
      : "";
  const findings: Finding[] = [];
  switch (diagnosis.cause) {
    case "one-broker-down": {
      const who = candidate === undefined ? "The broker" : `Broker ${candidate}`;
      findings.push(
        finding("warning", `${who} is down: AWS auto-recovery will most likely fix it (5-15 min)`, {
          detail: `The cluster still works, degraded. Check the MSK console for broker failure notifications; AWS usually restarts or replaces a failed broker by itself. Wait 5-15 minutes and re-run \`/runbook broker\`. If ${candidate === undefined ? "it" : `broker ${candidate}`} is still down after 15 minutes, reboot it manually.${noButton}`,
          evidence: [{ kind: "code", text: rebootCommand(config, candidate ?? "<broker id>") }],
          ...(proposal ? { proposals: [proposal] } : {}),
        }),
      );
      break;
    }
    case "broker-rebooting": {
      const op = msk?.operation;
      findings.push(
        finding("warning", "Recovery already under way: do not start a second reboot", {
          detail: `MSK reports ${msk?.cluster.state ?? "an operation in progress"}${
            op
              ? ` (${op.type}, ${op.state}${op.startedAt ? `, started ${op.startedAt.toISOString()}` : ""})`
              : ""
          }. MSK runs one operation at a time and refuses a reboot until the cluster is ACTIVE again. Follow it and re-run \`/runbook broker\` when it completes:`,
          evidence: [
            {
              kind: "code",
              text: msk?.cluster.activeOperationArn
                ? `aws kafka describe-cluster-operation --cluster-operation-arn ${msk.cluster.activeOperationArn}`
                : `aws kafka describe-cluster --cluster-arn ${arnOrPlaceholder(config)} --query 'ClusterInfo.State'`,
            },
          ],
        }),
      );
      break;
    }
    case "cluster-unusable": {
      findings.push(
        finding("critical", "Outage: the cluster cannot serve all partitions", {
          detail: `${capitalize(diagnosis.because)}. Producers and the Flink job fail on the affected partitions, and waiting for auto-recovery means an outage of 5-15 minutes or more. Open an AWS support case now (production system down) and check the MSK console for broker failure notifications. ${
            diagnosis.recoveryRunning
              ? "MSK is already working on a broker: do not start another reboot."
              : candidate !== undefined
                ? `Reboot the down brokers one at a time (MSK runs one reboot at a time), starting with broker ${candidate}.`
                : "The metadata does not say which broker is down: find it in the MSK console."
          }${noButton}`,
          evidence: [{ kind: "code", text: rebootCommand(config, candidate ?? "<broker id>") }],
          ...(proposal ? { proposals: [proposal] } : {}),
        }),
      );
      break;
    }
    case "all-brokers-up":
      findings.push(
        finding("ok", "All brokers are back: no action needed", {
          detail:
            "The alert should clear within a few minutes. Step 3 checks that replicas and consumers caught up.",
        }),
      );
      break;
    case "unknown":
      findings.push(
        finding("info", "Could not tell which brokers are down", {
          detail: `${capitalize(diagnosis.because)}. Check by hand:`,
          evidence: [
            {
              kind: "code",
              text: `aws kafka list-nodes --cluster-arn ${arnOrPlaceholder(config)} \\\n  --query 'NodeInfoList[].BrokerNodeInfo.{BrokerId:BrokerId,Endpoints:Endpoints}'\nkafka-broker-api-versions --bootstrap-server ${bootstrapOf(config)}`,
            },
          ],
        }),
      );
      break;
  }
  return {
    status: statusOf(diagnosis.cause),
    summary: proposal
      ? `${capitalize(CAUSE_TITLE[diagnosis.cause])}. If it does not recover: ${proposal.label}.`
      : `${capitalize(CAUSE_TITLE[diagnosis.cause])}.`,
    findings,
  };
}
