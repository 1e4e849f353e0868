/**
 * Firehose in the sandbox: the order-firehose stream, ACTIVE, delivering to an extended S3
 * destination (arn:aws:s3:::order-firehose-bucket) with 128 MiB / 300 s buffering. Updates follow
 * the real API: the caller quotes the version it saw, a stale version is a conflict, the version
 * moves on with every update, and values outside the documented limits are refused. Errors are the
 * same typed errors the real adapter throws.
 */
import { AwsCallError } from "../../ports/aws-error.ts";
import { type Clock, systemClock } from "../../ports/clock.ts";
import {
  type BufferingHints,
  type BufferingUpdate,
  type BufferingUpdateResult,
  bufferingProblems,
  type DeliveryStreamInfo,
  type FirehosePort,
  type S3DestinationInfo,
} from "../../ports/firehose.ts";

export const SIMULATED_ACCOUNT = "123456789012";
export const ORDER_FIREHOSE = "order-firehose";
export const ORDER_FIREHOSE_BUCKET_ARN = "arn:aws:s3:::order-firehose-bucket";
export const FIREHOSE_ROLE_ARN = `arn:aws:iam::${SIMULATED_ACCOUNT}:role/FirehoseDeliveryRole`;
export const FIRST_DESTINATION_ID = "destinationId-000000000001";

interface StreamState {
  versionId: number;
  lastUpdatedAt: Date;
  buffering: BufferingHints;
  readonly createdAt: Date;
  readonly destination: Omit<S3DestinationInfo, "buffering">;
}

export interface SimulatedFirehoseOptions {
  readonly clock?: Clock;
  readonly region?: string;
}

export class SimulatedFirehose implements FirehosePort {
  readonly describeTarget = "simulated Firehose (sandbox)";
  private readonly clock: Clock;
  private readonly region: string;
  private readonly streams = new Map<string, StreamState>();

  constructor(options: SimulatedFirehoseOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.region = options.region ?? "us-east-1";
    const now = this.clock.now();
    const createdAt = new Date(now.getTime() - 30 * 24 * 3600_000);
    this.streams.set(ORDER_FIREHOSE, {
      versionId: 1,
      createdAt,
      lastUpdatedAt: createdAt,
      buffering: { sizeMb: 128, intervalSeconds: 300 },
      destination: {
        flavour: "extended-s3",
        bucketArn: ORDER_FIREHOSE_BUCKET_ARN,
        roleArn: FIREHOSE_ROLE_ARN,
        prefix: "orders/",
        errorOutputPrefix: "errors/",
        encryption: { kind: "none" },
        compression: "GZIP",
        dynamicPartitioning: false,
      },
    });
  }

  async describeDeliveryStream(name: string): Promise<DeliveryStreamInfo> {
    return this.describe(name, "DescribeDeliveryStream");
  }

  async updateBuffering(update: BufferingUpdate): Promise<BufferingUpdateResult> {
    const invalid = bufferingProblems(update.buffering);
    if (invalid.length > 0) return { outcome: "refused", problems: invalid };
    const stream = this.describe(update.streamName, "DescribeDeliveryStream");
    const state = this.streams.get(update.streamName);
    if (state === undefined) throw new Error("unreachable: described stream vanished");
    if (stream.versionId !== update.expectedVersionId) {
      return {
        outcome: "conflict",
        expectedVersionId: update.expectedVersionId,
        currentVersionId: stream.versionId,
        currentBuffering: state.buffering,
        message: `${update.streamName} changed since version ${update.expectedVersionId} (now version ${stream.versionId}); nothing was changed`,
      };
    }
    if (update.destinationId !== FIRST_DESTINATION_ID) {
      return {
        outcome: "refused",
        problems: [`${update.streamName} has no destination ${update.destinationId}`],
      };
    }
    const forDestination = bufferingProblems(update.buffering, {
      dynamicPartitioning: state.destination.dynamicPartitioning,
    });
    if (forDestination.length > 0) return { outcome: "refused", problems: forDestination };
    const previous = state.buffering;
    state.buffering = { ...update.buffering };
    state.versionId += 1;
    state.lastUpdatedAt = this.clock.now();
    return {
      outcome: "updated",
      previous,
      stream: this.describe(update.streamName, "DescribeDeliveryStream"),
    };
  }

  private describe(name: string, operation: string): DeliveryStreamInfo {
    const state = this.streams.get(name);
    if (state === undefined) {
      throw new AwsCallError(
        "not-found",
        "ResourceNotFoundException",
        `Firehose ${operation} failed: ResourceNotFoundException: Firehose ${name} under account ${SIMULATED_ACCOUNT} not found.`,
      );
    }
    return {
      name,
      arn: `arn:aws:firehose:${this.region}:${SIMULATED_ACCOUNT}:deliverystream/${name}`,
      status: "ACTIVE",
      versionId: String(state.versionId),
      type: "DirectPut",
      createdAt: state.createdAt,
      lastUpdatedAt: state.lastUpdatedAt,
      destinations: [
        {
          id: FIRST_DESTINATION_ID,
          type: "s3",
          s3: { ...state.destination, buffering: { ...state.buffering } },
        },
      ],
    };
  }
}
