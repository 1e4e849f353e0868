/** Step 4 (Fix Based on Root Cause): the fix and restart proposal for the cause found. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, type Proposal } from "../../core/finding.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { reprocessProposal } from "../reprocess-proposal.ts";
import type { CompletenessDiagnosis } from "./diagnose.ts";
import { diagnosisOf, hhmm } from "./diagnosis.ts";
import { type CompletenessView, completenessProbe, latestCheckpointProbe } from "./probes.ts";

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
      f = finding("warning", "Late arrivals: increase allowedLateness (code change)", {
        detail:
          "A code change for a human: accept records up to 10 minutes late. This increases correctness but also latency. If the source system is delaying messages, raise it with its owners too.",
        evidence: [
          {
            kind: "code",
            text: "// KafkaStreamingJob.java\n.window(TumblingEventTimeWindows.of(Time.minutes(5)))\n.allowedLateness(Time.minutes(10))  // accept records 10 min late",
          },
        ],
      });
      break;
    case "watermark-stuck":
      f = finding("critical", "Watermark stuck: restart Flink", {
        detail:
          "Restarting the taskmanagers resets the watermark to current time; the job restores from its latest checkpoint. Check the taskmanager logs for what it is stuck on first if you can:",
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
      f = finding("warning", "Source idle: an upstream issue, not Flink", {
        detail: `Nothing new arrives on ${config.pipeline.sourceTopic}, so the watermark cannot advance. Restarting Flink will not help: check the producers (the source system) of ${config.pipeline.sourceTopic}. For a source that is idle on purpose, configure idleness on the watermark strategy so idle partitions do not hold windows back:`,
        evidence: [
          {
            kind: "code",
            text: "// KafkaStreamingJob.java\nWatermarkStrategy.<Order>forBoundedOutOfOrderness(Duration.ofSeconds(30))\n    .withIdleness(Duration.ofMinutes(1))",
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
      f = finding("critical", "State corruption: restore from the latest checkpoint", {
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
      f = finding("critical", "Window trigger bug: fix the trigger logic (code change)", {
        detail:
          "A code change for a human: if the job uses a custom trigger, revert to the standard EventTimeTrigger. A restart does not fix a trigger bug.",
        evidence: [
          {
            kind: "code",
            text: "// KafkaStreamingJob.java\n.window(TumblingEventTimeWindows.of(Time.minutes(5)))\n.trigger(EventTimeTrigger.create())  // instead of the custom trigger",
          },
        ],
      });
      break;
    case "recovered":
      f = finding("ok", "No fix needed now", {
        detail:
          "Completeness is back over the threshold; the alert should clear. Step 5 checks windows keep emitting.",
      });
      break;
    case "unknown":
      f = finding("info", "Work the branches by hand", {
        detail: "The configured sources did not single out a cause: see the queries in Steps 2 and 3.",
      });
      break;
  }
  return {
    status: "info",
    summary: proposals.length > 0 ? `Proposed: ${proposals.map((p) => p.label).join(", ")}.` : `${f.title}.`,
    findings: [f],
  };
}
