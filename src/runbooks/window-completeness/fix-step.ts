/** Step 4 (Fix Based on Root Cause): the fix and restart proposal for the cause found. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, type Proposal } from "../../core/finding.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { reprocessProposal } from "../reprocess-proposal.ts";
import type { CompletenessDiagnosis } from "./diagnose.ts";
import { diagnosisOf, hhmm } from "./diagnosis.ts";
import { type CompletenessView, completenessProbe, latestCheckpointProbe } from "./probes.ts";
import { FIX_TEXT } from "./texts.ts";

export function restartProposal(config: AppConfig, label: string): Proposal {
  const { namespace, taskmanagerDeployment } = config.pipeline;
  return {
    action: "restart-taskmanagers",
    label,
    params: { namespace, deployment: taskmanagerDeployment },
  };
}

/**
 * Where the records lost in state start: the earliest 5-minute window under the threshold (the
 * worst one when none is under it); undefined without completeness data.
 */
export function firstShortWindow(
  view: CompletenessView | undefined,
  thresholdPercent: number,
): Date | undefined {
  const short = (view?.series ?? [])
    .filter((p) => p.value < thresholdPercent)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  return short[0]?.at ?? view?.worst?.at;
}

export function proposalsFor(d: CompletenessDiagnosis, config: AppConfig, results: ProbeResults): Proposal[] {
  switch (d.cause) {
    case "watermark-stuck":
      return [restartProposal(config, "Restart Flink taskmanagers (watermark resets)")];
    case "state-backend-loss": {
      const restart = restartProposal(config, "Restart taskmanagers from the latest checkpoint");
      const from = firstShortWindow(
        read(results, completenessProbe),
        config.thresholds.windowCompletenessPercent,
      );
      return from === undefined ? [restart] : [restart, reprocessProposal(config, from)];
    }
    default:
      return [];
  }
}

export function checkpointText(results: ProbeResults, config: AppConfig): { detail: string; code: string } {
  const latest = read(results, latestCheckpointProbe);
  const c = latest?.completed;
  if (c) {
    return {
      detail: `Flink restores from the latest completed checkpoint, chk-${c.id} (${c.triggerTime.toISOString()}${c.externalPath ? `, ${c.externalPath}` : ""}). The minutes since it are reprocessed from Kafka; state will be consistent.`,
      code: `aws s3 ls ${c.externalPath ?? `s3://${config.pipeline.checkpointBucket}/`}${c.externalPath ? "/" : " --recursive | tail -10"}`,
    };
  }
  return {
    detail:
      "Flink restores from the latest completed checkpoint (the bot could not read which one: find it in the bucket). Might lose the last few minutes, but state will be consistent.",
    code: `aws s3 ls s3://${config.pipeline.checkpointBucket}/ --recursive | tail -10`,
  };
}

export function assessFix(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const proposals = proposalsFor(d, config, results);
  const { namespace, taskmanagerSelector } = config.pipeline;
  let f: Finding;
  switch (d.cause) {
    case "late-arrivals":
      f = finding("warning", FIX_TEXT["late-arrivals"].title, {
        detail: FIX_TEXT["late-arrivals"].detail,
        evidence: [
          {
            kind: "code",
            text: FIX_TEXT["late-arrivals"].snippet,
          },
        ],
      });
      break;
    case "watermark-stuck":
      f = finding("critical", FIX_TEXT["watermark-stuck"].title, {
        detail: FIX_TEXT["watermark-stuck"].detail,
        evidence: [
          {
            kind: "code",
            text: `kubectl logs -n ${namespace} -l ${taskmanagerSelector} --tail=50 | grep -i stuck`,
          },
        ],
        proposals,
      });
      break;
    case "source-idle":
      f = finding("warning", FIX_TEXT["source-idle"].title, {
        detail: `Nothing new arrives on ${config.pipeline.sourceTopic}, so the watermark cannot advance. Restarting Flink will not help: check the producers (the source system) of ${config.pipeline.sourceTopic}. For a source that is idle on purpose, configure idleness on the watermark strategy so idle partitions do not hold windows back:`,
        evidence: [
          {
            kind: "code",
            text: FIX_TEXT["source-idle"].snippet,
          },
        ],
      });
      break;
    case "state-backend-loss": {
      const cp = checkpointText(results, config);
      const reprocess = proposals.find((p) => p.action === "reset-consumer-offsets");
      const from =
        typeof reprocess?.params.fromTime === "string"
          ? hhmm(new Date(reprocess.params.fromTime))
          : undefined;
      const { consumerGroup, sourceTopic } = config.pipeline;
      f = finding("critical", FIX_TEXT["state-backend-loss"].title, {
        detail: `Restart the taskmanagers: ${cp.detail}${
          from === undefined
            ? ""
            : ` Records lost in state before that checkpoint are not read again by a restart: to recompute the short windows, reprocess ${sourceTopic} from ${from} UTC, the first window under the threshold. That resets ${consumerGroup}'s offsets (only while no consumer is in the group) and takes effect when the job next starts from the group's offsets rather than its checkpoint; the windows are emitted again (duplicates downstream).`
        }`,
        evidence: [{ kind: "code", text: cp.code }],
        proposals,
      });
      break;
    }
    case "window-not-fired":
      f = finding("critical", FIX_TEXT["window-not-fired"].title, {
        detail: FIX_TEXT["window-not-fired"].detail,
        evidence: [
          {
            kind: "code",
            text: FIX_TEXT["window-not-fired"].snippet,
          },
        ],
      });
      break;
    case "recovered":
      f = finding("ok", FIX_TEXT.recovered.title, {
        detail: FIX_TEXT.recovered.detail,
      });
      break;
    case "unknown":
      f = finding("info", FIX_TEXT.unknown.title, {
        detail: FIX_TEXT.unknown.detail,
      });
      break;
  }
  return {
    status: "info",
    summary: proposals.length > 0 ? `Proposed: ${proposals.map((p) => p.label).join(", ")}.` : `${f.title}.`,
    findings: [f],
  };
}
