/**
 * The seed's "reprocess lost records" as a proposal: reset the pipeline's consumer group on its
 * source topic to a time the runbook computed from its evidence (the action previews the
 * per-partition offsets and is refused while the group has active members).
 */
import type { AppConfig } from "../config/schema.ts";
import type { Proposal } from "../core/finding.ts";

export function reprocessProposal(config: AppConfig, from: Date): Proposal {
  const { consumerGroup: group, sourceTopic: topic } = config.pipeline;
  return {
    action: "reset-consumer-offsets",
    label: `Reprocess ${topic} from ${from.toISOString().slice(11, 16)} UTC`,
    params: { group, topic, fromTime: from.toISOString() },
  };
}

/**
 * What a job that starts from the group's offsets needs to re-read: Flink commits the offsets of
 * each completed checkpoint, so they stand at the checkpoint, and the windows open then lost the
 * records before it. Their start is the floor of the checkpoint time to the window size.
 */
export function windowStartAt(at: Date, windowMs: number): Date {
  return new Date(Math.floor(at.getTime() / windowMs) * windowMs);
}
