/**
 * Reset consumer group offsets to a time: the seed's "Reprocess lost records ... Can reset consumer
 * offset to reprocess" (`kafka-consumer-groups --reset-offsets --to-datetime ... --execute`), for the
 * pipeline's consumer group on its source topic. Each partition whose committed offset is after the
 * first record at or after the time goes back to that record (a partition with no committed offset
 * gets it too); partitions already at or before it stay. Only while the group has no active member
 * (Kafka refuses otherwise, and moving offsets under a running consumer would be overwritten by its
 * next commit). The consumers then read those records again: duplicates downstream, and the
 * previous positions are only in this request's details: high risk.
 */
import { z } from "zod";
import { formatUtc } from "../core/format-units.ts";
import { isFlinkError } from "../ports/flink.ts";
import {
  type KafkaPort,
  type OffsetResetPartition,
  type OffsetResetPlan,
  RESETTABLE_GROUP_STATES,
} from "../ports/kafka.ts";
import { type ActionContext, type ActionDefinition, ActionRefusal } from "./action.ts";
import { count, messageOf, parseParams } from "./parse-params.ts";
import { refusalOf, requirePort } from "./require-port.ts";

/** Kafka's legal group and topic characters (kafka.common.internals.Topic). */
const KAFKA_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** How far back a reprocessing may go: the seed's Kafka keeps 30 days. */
export const MAX_MINUTES_AGO = 30 * 24 * 60;

/** Partitions listed one by one in a preview; the rest are counted (the request's params hold all). */
const LISTED_PARTITIONS = 24;

const movedPartition = z
  .object({
    partition: z.number().int().min(0),
    /** The committed offset the preview saw (null: none). */
    from: z.number().int().min(0).nullable(),
    to: z.number().int().min(0),
  })
  .strict();

const paramsSchema = z
  .object({
    group: z.string().regex(KAFKA_NAME, "a Kafka consumer group name ([a-zA-Z0-9._-], up to 249)"),
    topic: z.string().regex(KAFKA_NAME, "a Kafka topic name ([a-zA-Z0-9._-], up to 249)"),
    /** Reprocess records from this time on (ISO 8601 with a zone, e.g. 2025-01-13T10:10:00Z). */
    fromTime: z.iso.datetime({ offset: true }).optional(),
    /** Or from this many minutes before the request is prepared (turned into fromTime then). */
    minutesAgo: z.number().int().min(1).max(MAX_MINUTES_AGO).optional(),
    /** The partitions the preview moves, with the committed offsets it was computed from. */
    partitions: z.array(movedPartition).min(1).optional(),
  })
  .strict();

export type ResetConsumerOffsetsParams = z.infer<typeof paramsSchema>;
export type MovedPartition = z.infer<typeof movedPartition>;

/** 2025-01-13 10:10:00 UTC */
function utc(ms: number): string {
  return formatUtc(new Date(ms));
}

/**
 * Which partitions a reset to the plan's time moves: those whose committed offset is after the
 * target (read again from it) and those with none (they start at it); the others stay.
 */
export function partitionsToMove(plan: OffsetResetPlan): MovedPartition[] {
  return plan.partitions
    .filter((p) => p.committedOffset === null || p.committedOffset > p.targetOffset)
    .map((p) => ({ partition: p.partition, from: p.committedOffset, to: p.targetOffset }));
}

function movedLine(p: MovedPartition, info: OffsetResetPartition | undefined): string {
  const aged =
    info !== undefined && p.to === info.logStartOffset && info.logStartOffset > 0
      ? ", the oldest record it still holds"
      : "";
  if (p.from === null) return `p${p.partition}: none -> ${p.to} (no committed offset${aged})`;
  return `p${p.partition}: ${p.from} -> ${p.to} (${count(p.from - p.to, "record")}${aged})`;
}

/** "orders.raw p0: 1200 -> 950 (250 records), p1: ... ; 410 records to re-read" */
export function resetPreview(plan: OffsetResetPlan, moved: readonly MovedPartition[]): string {
  const byPartition = new Map(plan.partitions.map((p) => [p.partition, p]));
  const listed = moved.slice(0, LISTED_PARTITIONS).map((p) => movedLine(p, byPartition.get(p.partition)));
  if (moved.length > LISTED_PARTITIONS)
    listed.push(`and ${moved.length - LISTED_PARTITIONS} more partitions`);
  const stay = plan.partitions.length - moved.length;
  const reread = moved.reduce((sum, p) => sum + (p.from === null ? 0 : p.from - p.to), 0);
  return (
    `reset consumer group ${plan.group} to ${utc(plan.fromTimestampMs)} on ${plan.topic} ${listed.join(", ")}` +
    (stay > 0 ? `; ${count(stay, "partition")} already at or before that time stay` : "") +
    `; ${count(reread, "record")} to re-read`
  );
}

/** Why a group's offsets cannot be reset now, or undefined. */
export function activeGroupRefusal(
  plan: Pick<OffsetResetPlan, "group" | "state" | "members">,
): string | undefined {
  if (plan.members === 0 && RESETTABLE_GROUP_STATES.includes(plan.state)) return undefined;
  return `consumer group ${plan.group} has ${count(plan.members, "active member")} (state ${plan.state}): stop its consumers first, offsets can only be reset while the group is empty`;
}

/** The changes since the preview, as "p0 committed 1300 now (was 1200)"; empty when none. */
export function movedSincePreview(plan: OffsetResetPlan, expected: readonly MovedPartition[]): string[] {
  const now = new Map(plan.partitions.map((p) => [p.partition, p.committedOffset]));
  return expected
    .filter((p) => (now.get(p.partition) ?? null) !== p.from)
    .map((p) => `p${p.partition} committed ${now.get(p.partition) ?? "none"} now (was ${p.from ?? "none"})`);
}

function fromTimeOf(params: ResetConsumerOffsetsParams, nowMs: number): number {
  if (params.fromTime !== undefined) return Date.parse(params.fromTime);
  if (params.minutesAgo !== undefined) return nowMs - params.minutesAgo * 60_000;
  throw new ActionRefusal("say from when to reprocess: fromTime or minutesAgo");
}

/**
 * Flink's KafkaSource does not join the group, so "no active member" does not mean the job is
 * stopped: a RUNNING job commits its own offsets at its next checkpoint and overwrites a reset, and
 * a job restored from a checkpoint reads the offsets in its state. While the job runs, refuse.
 * Without a Flink port the job cannot be checked: said in the preview, not refused.
 */
async function flinkJobRefusal(ctx: ActionContext): Promise<string | undefined> {
  const flink = ctx.ports.flink;
  if (flink === undefined) return undefined;
  try {
    const job = await flink.findJob(ctx.config.flink?.jobName);
    if (job.state !== "RUNNING" && job.state !== "RESTARTING" && job.state !== "CREATED") return undefined;
    return `the Flink job ${job.name} is ${job.state}: its Kafka source commits its own offsets at each checkpoint and would overwrite the reset. Stop it with a savepoint first; after the reset, start it without restoring state (or run a backfill job on the group)`;
  } catch (error) {
    if (isFlinkError(error) && error.kind === "no-job") return undefined;
    return `could not check that the Flink job is stopped (${messageOf(error)}); not resetting while it may be running`;
  }
}

async function readPlan(params: ResetConsumerOffsetsParams, ctx: ActionContext): Promise<OffsetResetPlan> {
  const kafka: KafkaPort = requirePort(ctx.ports.kafka, "Kafka");
  const now = ctx.ports.clock.now().getTime();
  const from = fromTimeOf(params, now);
  if (from > now) {
    throw new ActionRefusal(`${utc(from)} is in the future: there is nothing to reprocess yet`);
  }
  return kafka.planOffsetReset(params.group, params.topic, from);
}

export const resetConsumerOffsets: ActionDefinition<ResetConsumerOffsetsParams> = {
  id: "reset-consumer-offsets",
  title: "Reset consumer offsets (reprocess)",
  risk: "high",
  parse(raw, config) {
    const { consumerGroup, sourceTopic } = config.pipeline;
    const withDefaults =
      typeof raw === "object" && raw !== null && !Array.isArray(raw)
        ? { group: consumerGroup, topic: sourceTopic, ...raw }
        : raw;
    return parseParams(paramsSchema, withDefaults, (p) => [
      ...(p.group === consumerGroup ? [] : [`group: only ${consumerGroup} may be reset, not ${p.group}`]),
      ...(p.topic === sourceTopic ? [] : [`topic: only ${sourceTopic} may be reset, not ${p.topic}`]),
      ...(p.fromTime === undefined && p.minutesAgo === undefined
        ? ["fromTime or minutesAgo: say from when to reprocess"]
        : []),
      ...(p.fromTime !== undefined && p.minutesAgo !== undefined
        ? ["fromTime and minutesAgo: give one of them, not both"]
        : []),
      ...(p.fromTime !== undefined && Date.parse(p.fromTime) > Date.now()
        ? [`fromTime: ${p.fromTime} is in the future`]
        : []),
      ...(p.partitions !== undefined && p.fromTime === undefined
        ? ["partitions: only with the fromTime they were computed for"]
        : []),
    ]);
  },
  async prepare(params, ctx) {
    const plan = await readPlan(params, ctx);
    const active = activeGroupRefusal(plan) ?? (await flinkJobRefusal(ctx));
    if (active) throw new ActionRefusal(active);
    const moved = partitionsToMove(plan);
    if (moved.length === 0) {
      throw new ActionRefusal(
        `${plan.group} is at or before ${utc(plan.fromTimestampMs)} on every partition of ${plan.topic}: nothing to reprocess`,
      );
    }
    return {
      params: {
        group: params.group,
        topic: params.topic,
        fromTime: new Date(plan.fromTimestampMs).toISOString(),
        partitions: moved,
      },
      preview:
        resetPreview(plan, moved) +
        (ctx.ports.flink === undefined
          ? " (Flink is not configured: check by hand that the job is stopped)"
          : ""),
    };
  },
  async recheck(params, ctx) {
    return refusalOf(async () => {
      const plan = await readPlan(params, ctx);
      const active = activeGroupRefusal(plan) ?? (await flinkJobRefusal(ctx));
      if (active) throw new ActionRefusal(active);
      const changed = movedSincePreview(plan, params.partitions ?? []);
      if (changed.length > 0) {
        throw new ActionRefusal(
          `the offsets of ${plan.group} on ${plan.topic} moved since this request: ${changed.join(", ")}`,
        );
      }
    });
  },
  outcomeCheck(params) {
    return `the committed offsets of group ${params.group} on topic ${params.topic} (kafka-consumer-groups --describe): moved back if it applied`;
  },
  async execute(params, ctx) {
    const kafka = requirePort(ctx.ports.kafka, "Kafka");
    const moved = params.partitions;
    if (moved === undefined || params.fromTime === undefined) {
      throw new Error("the request has no partitions / fromTime: request it again");
    }
    const { group, topic } = params;
    await kafka.resetOffsets(
      group,
      topic,
      moved.map((p) => ({ partition: p.partition, offset: p.to })),
    );
    // The write is done: a failing read afterwards must not turn it into a failure.
    const committed = await kafka.groupLag(group, [topic]).then(
      (lag) => lag.partitions.map((p) => ({ partition: p.partition, offset: p.committedOffset })),
      (error: unknown) => `not readable: ${messageOf(error)}`,
    );
    const reread = moved.reduce((sum, p) => sum + (p.from === null ? 0 : p.from - p.to), 0);
    const lines = moved.map((p) => `p${p.partition} ${p.from ?? "none"} -> ${p.to}`);
    return {
      message: `offsets of ${group} on ${topic} reset to ${utc(Date.parse(params.fromTime))}: ${lines.join(", ")} (${count(reread, "record")} to re-read)`,
      details: {
        group,
        topic,
        fromTime: params.fromTime,
        partitions: moved.map((p) => ({ ...p })),
        recordsToReread: reread,
        committed,
      },
    };
  },
};
