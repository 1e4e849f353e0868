/**
 * Firehose buffering: the seed's `aws firehose update-destination ... BufferingHints` for the
 * pipeline's delivery stream (its S3 destination): new SizeInMBs / IntervalInSeconds within the
 * service's limits. The update names the stream version the preview was computed from, so a
 * change made meanwhile is refused rather than overwritten. Reversible, nothing restarts: low risk.
 */
import { z } from "zod";
import {
  type BufferingHints,
  bufferingProblems,
  type DeliveryStreamDestination,
  type DeliveryStreamInfo,
  type FirehosePort,
} from "../ports/firehose.ts";
import { type ActionContext, type ActionDefinition, ActionRefusal } from "./action.ts";
import { parseParams } from "./parse-params.ts";
import { refusalOf, requirePort } from "./require-port.ts";

const paramsSchema = z
  .object({
    streamName: z.string().min(1),
    /** The S3 destination; the stream's only destination when absent. */
    destinationId: z.string().min(1).optional(),
    /** The stream version the preview was computed from; the update is refused if it changed. */
    versionId: z.string().min(1).optional(),
    sizeMb: z.number().int(),
    intervalSeconds: z.number().int(),
  })
  .strict();

export type FirehoseBufferingParams = z.infer<typeof paramsSchema>;

export function describeBuffering(hints: BufferingHints | undefined): string {
  return hints === undefined
    ? "unset (service defaults)"
    : `${hints.sizeMb} MiB / ${hints.intervalSeconds} s`;
}

export function bufferingPreview(
  streamName: string,
  current: BufferingHints | undefined,
  next: BufferingHints,
): string {
  return `${streamName} buffering: ${describeBuffering(current)} -> ${describeBuffering(next)}`;
}

/** The S3 destination the params name (or the only one), else a refusal. */
export function pickDestination(
  stream: DeliveryStreamInfo,
  destinationId: string | undefined,
): DeliveryStreamDestination & Required<Pick<DeliveryStreamDestination, "s3">> {
  const ids = stream.destinations.map((d) => d.id).join(", ") || "none";
  const destination =
    destinationId === undefined
      ? stream.destinations.length === 1
        ? stream.destinations[0]
        : undefined
      : stream.destinations.find((d) => d.id === destinationId);
  if (destination === undefined) {
    throw new ActionRefusal(
      destinationId === undefined
        ? `${stream.name} has ${stream.destinations.length} destinations (${ids}): name one`
        : `${stream.name} has no destination ${destinationId} (destinations: ${ids})`,
    );
  }
  if (destination.s3 === undefined) {
    throw new ActionRefusal(
      `destination ${destination.id} of ${stream.name} is ${destination.type}, not S3: its buffering is not changed here`,
    );
  }
  return { ...destination, s3: destination.s3 };
}

async function plan(params: FirehoseBufferingParams, ctx: ActionContext) {
  const firehose: FirehosePort = requirePort(ctx.ports.firehose, "Firehose");
  const stream = await firehose.describeDeliveryStream(params.streamName);
  if (stream.status !== "ACTIVE") {
    throw new ActionRefusal(`${stream.name} is ${stream.status}: Firehose only updates an ACTIVE stream`);
  }
  const destination = pickDestination(stream, params.destinationId);
  const next = { sizeMb: params.sizeMb, intervalSeconds: params.intervalSeconds };
  const problems = bufferingProblems(next, { dynamicPartitioning: destination.s3.dynamicPartitioning });
  if (problems.length > 0) throw new ActionRefusal(problems.join("; "));
  const current = destination.s3.buffering;
  if (
    current !== undefined &&
    current.sizeMb === next.sizeMb &&
    current.intervalSeconds === next.intervalSeconds
  ) {
    throw new ActionRefusal(
      `${stream.name} already buffers ${describeBuffering(current)}: nothing to change`,
    );
  }
  return { stream, destination, current, next };
}

export const firehoseBuffering: ActionDefinition<FirehoseBufferingParams> = {
  id: "firehose-buffering",
  title: "Change Firehose buffering",
  risk: "high",
  parse(raw, config) {
    return parseParams(paramsSchema, raw, (p) => {
      const allowed = config.pipeline.deliveryStream;
      return [
        ...(p.streamName === allowed
          ? []
          : [`streamName: only ${allowed} may be changed, not ${p.streamName}`]),
        ...bufferingProblems({ sizeMb: p.sizeMb, intervalSeconds: p.intervalSeconds }),
      ];
    });
  },
  async prepare(params, ctx) {
    const { stream, destination, current, next } = await plan(params, ctx);
    return {
      params: { ...params, destinationId: destination.id, versionId: stream.versionId },
      preview: bufferingPreview(stream.name, current, next),
    };
  },
  async recheck(params, ctx) {
    return refusalOf(async () => {
      const { stream, current } = await plan(params, ctx);
      if (params.versionId !== undefined && stream.versionId !== params.versionId) {
        throw new ActionRefusal(
          `${stream.name} changed since this request (version ${stream.versionId}, not ${params.versionId}; buffering now ${describeBuffering(current)})`,
        );
      }
    });
  },
  outcomeCheck(params) {
    return `the S3 destination's BufferingHints of Firehose stream ${params.streamName} (${params.sizeMb} MB / ${params.intervalSeconds} s if it applied), e.g. with DescribeDeliveryStream`;
  },
  async execute(params, ctx) {
    const firehose = requirePort(ctx.ports.firehose, "Firehose");
    if (params.destinationId === undefined || params.versionId === undefined) {
      throw new Error("the request has no destinationId / versionId: request it again");
    }
    const buffering = { sizeMb: params.sizeMb, intervalSeconds: params.intervalSeconds };
    const result = await firehose.updateBuffering({
      streamName: params.streamName,
      expectedVersionId: params.versionId,
      destinationId: params.destinationId,
      buffering,
    });
    if (result.outcome === "conflict") throw new Error(result.message);
    if (result.outcome === "refused") throw new Error(result.problems.join("; "));
    return {
      message: `${bufferingPreview(params.streamName, result.previous, buffering)} (stream version ${params.versionId} -> ${result.stream.versionId})`,
      details: {
        streamName: params.streamName,
        destinationId: params.destinationId,
        previous: result.previous === undefined ? null : { ...result.previous },
        buffering,
        fromVersionId: params.versionId,
        versionId: result.stream.versionId,
      },
    };
  },
};
