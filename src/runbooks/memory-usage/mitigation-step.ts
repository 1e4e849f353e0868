/** Step 4 (Immediate Mitigation): more memory or a restart from the last checkpoint. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, type Proposal } from "../../core/finding.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { fmtBytes, MEMORY_RULES } from "./diagnose.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { lastCheckpointProbe, podsProbe, podUsageProbe } from "./probes.ts";
import { formatQuantity, memorySignals, resourcePlan, taskmanagerContainer } from "./signals.ts";
import { GC_SNIPPET, STATE_TTL_SNIPPET } from "./texts.ts";

export function resourcesProposal(results: ProbeResults, config: AppConfig): Proposal | undefined {
  const plan = resourcePlan(read(results, podUsageProbe));
  const container = taskmanagerContainer(read(results, podsProbe));
  if (plan === undefined || container === undefined) return undefined;
  const { namespace, taskmanagerDeployment } = config.pipeline;
  const limit = formatQuantity(plan.limitBytes);
  const request = formatQuantity(plan.requestBytes);
  return {
    action: "set-taskmanager-resources",
    label: `Set taskmanager memory: limit ${formatQuantity(plan.currentLimitBytes)} -> ${limit}, request ${request}`,
    params: {
      namespace,
      deployment: taskmanagerDeployment,
      container,
      requests: { memory: request },
      limits: { memory: limit },
    },
  };
}

export function restartProposal(config: AppConfig): Proposal {
  const { namespace, taskmanagerDeployment } = config.pipeline;
  return {
    action: "restart-taskmanagers",
    label: "Restart taskmanagers (state reloads from the last checkpoint)",
    params: { namespace, deployment: taskmanagerDeployment },
  };
}

/** What a restart costs, from the latest completed checkpoint. */
export function restartCost(results: ProbeResults): string {
  const last = read(results, lastCheckpointProbe);
  if (last === undefined) {
    return "A restart reloads state from the last checkpoint; the bot could not read which one (Flink REST not reachable or not configured).";
  }
  const c = last.completed;
  if (c === null) {
    return `${last.jobName} has no completed checkpoint: a restart would start without state. Do not restart before a checkpoint completes.`;
  }
  const done = c.latestAckTime ?? c.triggerTime;
  const ageSeconds = Math.max(0, Math.round((last.observedAt.getTime() - done.getTime()) / 1000));
  return `A restart reloads ${fmtBytes(c.stateSizeBytes)} of state from checkpoint ${c.id} (completed ${done.toISOString().slice(11, 19)} UTC, ${ageSeconds} s before this run)${c.externalPath ? ` at ${c.externalPath}` : ""}; records after it are read again from Kafka, a short burst of lag while the job catches up.`;
}

/** The actions the conclusion suggests for a cause. */
export function suggestedProposals(results: ProbeResults, config: AppConfig): Proposal[] {
  const d = diagnosisOf(results, config);
  const s = memorySignals(results, config);
  const resources = resourcesProposal(results, config);
  const nearOom =
    Math.max(s.latestPercent ?? 0, (s.maxPodMemoryFraction ?? 0) * 100) >= MEMORY_RULES.nearOomPercent;
  switch (d.cause) {
    case "heap-leak":
      return [...(resources ? [resources] : []), restartProposal(config)];
    case "state-growth":
      return resources ? [resources] : [];
    case "spike":
      return nearOom && resources ? [resources] : [];
    default:
      return [];
  }
}

export function assessMitigation(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const proposals = suggestedProposals(results, config);
  const findings: Finding[] = [];
  const resources = proposals.find((p) => p.action === "set-taskmanager-resources");
  const restart = proposals.find((p) => p.action === "restart-taskmanagers");
  if (resources) {
    findings.push(
      finding("warning", "Option 1: Increase memory (temporary, buys time for the root-cause fix)", {
        detail:
          "The seed's `kubectl set resources deployment flink-taskmanager --limits memory=16Gi --requests memory=8Gi`, computed from the current limit (doubled, at most 32Gi). Pods restart with the new limit, reloading state from the last checkpoint.",
        proposals: [resources],
      }),
    );
  } else if (d.cause === "heap-leak" || d.cause === "state-growth") {
    findings.push(
      finding("info", "Cannot propose more memory", {
        detail:
          "The current memory limit or the taskmanager container could not be read, or the limit is already at the 32Gi cap.",
      }),
    );
  }
  if (restart) {
    findings.push(
      finding("warning", "Restart the taskmanagers (frees the leaked heap)", {
        detail: `${restartCost(results)} The leak comes back: fix its cause.`,
        proposals: [restart],
      }),
    );
  } else if (d.cause === "state-growth") {
    findings.push(
      finding("info", "A restart does not help here", {
        detail: `${restartCost(results)} The grown state comes back with it.`,
      }),
    );
  }
  if (d.cause !== "below-threshold" && d.cause !== "backpressure-buffers") {
    findings.push(
      finding("info", "Human steps: GC and state TTL (config and code changes)", {
        evidence: [
          { kind: "code", text: GC_SNIPPET },
          { kind: "code", text: STATE_TTL_SNIPPET },
        ],
      }),
    );
  }
  return {
    status: "info",
    summary:
      proposals.length > 0
        ? `Proposed: ${proposals.map((p) => p.label).join("; ")}.`
        : d.cause === "backpressure-buffers"
          ? "No memory change: fix the downstream (`/runbook firehose`, `/runbook lag`)."
          : d.cause === "unknown"
            ? "No mitigation proposed while the cause is unknown."
            : "No mitigation needed now.",
    findings,
  };
}
