import type { AppConfig } from "../../config/schema.ts";
import { findRunbook } from "../../core/catalog.ts";
import type { Conclusion, Confidence, ProbeResults, Runbook } from "../../core/runbook.ts";
import { read } from "../../core/runbook.ts";
import { rebootProposal } from "./cluster-names.ts";
import type { BrokerDiagnosis, BrokerSignals } from "./diagnose.ts";
import { roundTripProbe } from "./probes.ts";
import { brokerDiagnosisOf, brokerSignals } from "./signals.ts";
import { kafkaBrokerDownSteps } from "./steps.ts";
import { CAUSE_TITLE } from "./texts.ts";
import { brokerDownRecovery } from "./verify.ts";
import { capacityNote } from "./verify-step.ts";

function evidenceLines(s: BrokerSignals, results: ProbeResults, d: BrokerDiagnosis): string[] {
  const lines = [d.because];
  const trip = read(results, roundTripProbe);
  if (trip !== undefined) {
    lines.push(
      trip.ok
        ? `a test record was written and read back on ${trip.topic} (${trip.produceMs + trip.consumeMs} ms)`
        : `the test record failed at ${trip.failedAt}: ${trip.reason}`,
    );
  }
  if (s.underReplicatedPartitions !== undefined) {
    lines.push(
      `${s.underReplicatedPartitions} under-replicated, ${s.offlinePartitions ?? 0} offline partition(s)`,
    );
  }
  lines.push(
    s.mskState === undefined
      ? "MSK not read (no cluster ARN configured, or MSK unreachable): working from Kafka's metadata alone"
      : `MSK cluster state ${s.mskState}${s.mskOperationInProgress ? ", an operation in progress" : ""}`,
  );
  return lines;
}

function confidenceOf(s: BrokerSignals, d: BrokerDiagnosis): { confidence: Confidence; open: string[] } {
  const kafkaKnown = s.aliveBrokerIds !== undefined;
  const healthKnown = s.offlinePartitions !== undefined;
  const tripKnown = s.roundTripOk !== undefined;
  const open: string[] = [];
  switch (d.cause) {
    case "all-brokers-up":
      return { confidence: healthKnown && tripKnown ? "high" : "medium", open };
    case "one-broker-down":
      if (!s.mskKnown) open.push(CAUSE_TITLE["broker-rebooting"]);
      if (!tripKnown || !healthKnown) open.push(CAUSE_TITLE["cluster-unusable"]);
      return { confidence: open.length === 0 ? "high" : "medium", open };
    case "broker-rebooting":
      return { confidence: kafkaKnown && tripKnown ? "high" : "medium", open };
    case "cluster-unusable": {
      const agreeing = [(d.down ?? 0) >= 2, (s.offlinePartitions ?? 0) > 0, s.roundTripOk === false].filter(
        Boolean,
      ).length;
      if (!kafkaKnown) {
        open.push("the bot cannot reach the brokers (network or credentials) while the cluster is fine");
        return { confidence: "low", open };
      }
      return { confidence: agreeing >= 2 ? "high" : "medium", open };
    }
    case "unknown":
      return {
        confidence: "low",
        open: [
          CAUSE_TITLE["one-broker-down"],
          CAUSE_TITLE["cluster-unusable"],
          CAUSE_TITLE["broker-rebooting"],
        ],
      };
  }
}

export const kafkaBrokerDownRunbook: Runbook = {
  meta: findRunbook("kafka-broker-down")!,
  verify: brokerDownRecovery,
  steps: kafkaBrokerDownSteps,
  conclude(results, _steps, config: AppConfig): Conclusion {
    const signals = brokerSignals(results, config);
    const diagnosis = brokerDiagnosisOf(results, config);
    const proposal =
      diagnosis.cause === "one-broker-down" || diagnosis.cause === "cluster-unusable"
        ? rebootProposal(diagnosis, results, config)
        : undefined;
    const severity =
      diagnosis.cause === "cluster-unusable"
        ? "critical"
        : diagnosis.cause === "all-brokers-up"
          ? (signals.underReplicatedPartitions ?? 0) > 0
            ? "warning"
            : "ok"
          : "warning";
    const { confidence, open } = confidenceOf(signals, diagnosis);
    const next: Record<typeof diagnosis.cause, string> = {
      "one-broker-down": proposal
        ? `Wait 5-15 min for AWS auto-recovery; if it is stuck, reboot broker ${diagnosis.rebootCandidate}.`
        : "Wait 5-15 min for AWS auto-recovery; reboot the broker by hand if it is stuck.",
      "broker-rebooting": "Wait for the running MSK operation; do not start a second reboot.",
      "cluster-unusable": "Outage: open an AWS support case and bring the brokers back one at a time.",
      "all-brokers-up": "The alert is clearing.",
      unknown: "Check the brokers by hand (Step 2).",
    };
    const brokers = config.thresholds.minBrokersAlive;
    const capacity =
      brokers <= 3
        ? `Capacity: with ${brokers} brokers, ${diagnosis.cause === "all-brokers-up" ? "losing 2 is" : "one more failure is"} an outage; consider 4+.`
        : `Capacity: ${capacityNote(brokers)}`;
    return {
      summary: `${CAUSE_TITLE[diagnosis.cause]}: ${diagnosis.because}. ${next[diagnosis.cause]} ${capacity}`,
      severity,
      suggestedActions: proposal ? [proposal] : [],
      cause: diagnosis.cause,
      confidence,
      evidence: evidenceLines(signals, results, diagnosis),
      ...(open.length > 0 ? { openBranches: open } : {}),
    };
  },
};
