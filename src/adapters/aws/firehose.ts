/**
 * FirehosePort over Amazon Data Firehose (DescribeDeliveryStream, UpdateDestination).
 *
 * UpdateDestination merges the top-level fields of the destination update into the destination, but a
 * nested object it is given (BufferingHints, EncryptionConfiguration...) replaces the one there. So the
 * update sends BufferingHints complete (both fields, as the API requires) and nothing else, which
 * leaves bucket, role, prefix, compression and encryption as they are.
 *
 * Version ids: the update quotes the version the caller saw. When the stream moved on, Firehose
 * answers ConcurrentModificationException; that becomes the `conflict` outcome with the version the
 * stream has now, and is never retried (the SDK retries only throttling, 5xx and network errors).
 */
import {
  type DeliveryStreamDescription,
  DescribeDeliveryStreamCommand,
  type DestinationDescription,
  type EncryptionConfiguration,
  type ExtendedS3DestinationDescription,
  FirehoseClient,
  type S3DestinationDescription,
  UpdateDestinationCommand,
} from "@aws-sdk/client-firehose";
import {
  type BufferingUpdate,
  type BufferingUpdateResult,
  bufferingProblems,
  type DeliveryStreamDestination,
  type DeliveryStreamInfo,
  type FailureInfo,
  type FirehosePort,
  type S3DestinationInfo,
  type S3Encryption,
} from "../../ports/firehose.ts";
import {
  AwsCallError,
  type AwsClientOptions,
  awsClientConfig,
  callAws,
  describeAwsTarget,
} from "./aws-call.ts";

export type FirehoseOptions = AwsClientOptions;

const SERVICE = "Firehose";

function buffering(
  hints: { SizeInMBs?: number | undefined; IntervalInSeconds?: number | undefined } | undefined,
) {
  if (hints?.SizeInMBs === undefined || hints.IntervalInSeconds === undefined) return undefined;
  return { sizeMb: hints.SizeInMBs, intervalSeconds: hints.IntervalInSeconds };
}

function encryption(config: EncryptionConfiguration | undefined): S3Encryption | undefined {
  const keyArn = config?.KMSEncryptionConfig?.AWSKMSKeyARN;
  if (keyArn !== undefined) return { kind: "kms", keyArn };
  if (config?.NoEncryptionConfig !== undefined) return { kind: "none" };
  return undefined;
}

function failure(
  description: { Type?: string | undefined; Details?: string | undefined } | undefined,
): FailureInfo | undefined {
  if (description === undefined) return undefined;
  return { type: description.Type ?? "UNKNOWN_ERROR", details: description.Details ?? "" };
}

function s3Info(
  flavour: S3DestinationInfo["flavour"],
  d: S3DestinationDescription | ExtendedS3DestinationDescription,
): S3DestinationInfo {
  const hints = buffering(d.BufferingHints);
  const enc = encryption(d.EncryptionConfiguration);
  const dynamic =
    "DynamicPartitioningConfiguration" in d && d.DynamicPartitioningConfiguration?.Enabled === true;
  return {
    flavour,
    bucketArn: d.BucketARN ?? "",
    roleArn: d.RoleARN ?? "",
    ...(d.Prefix === undefined ? {} : { prefix: d.Prefix }),
    ...(d.ErrorOutputPrefix === undefined ? {} : { errorOutputPrefix: d.ErrorOutputPrefix }),
    ...(hints === undefined ? {} : { buffering: hints }),
    ...(enc === undefined ? {} : { encryption: enc }),
    ...(d.CompressionFormat === undefined ? {} : { compression: d.CompressionFormat }),
    dynamicPartitioning: dynamic,
  };
}

function destinationInfo(d: DestinationDescription): DeliveryStreamDestination {
  const id = d.DestinationId ?? "";
  if (d.ExtendedS3DestinationDescription !== undefined) {
    return { id, type: "s3", s3: s3Info("extended-s3", d.ExtendedS3DestinationDescription) };
  }
  if (d.S3DestinationDescription !== undefined) {
    return { id, type: "s3", s3: s3Info("s3", d.S3DestinationDescription) };
  }
  const other = Object.keys(d).find((key) => key.endsWith("DestinationDescription"));
  return { id, type: other?.replace(/DestinationDescription$/, "") ?? "unknown" };
}

function streamInfo(d: DeliveryStreamDescription): DeliveryStreamInfo {
  const sse = d.DeliveryStreamEncryptionConfiguration;
  const sseFailure = failure(sse?.FailureDescription);
  const streamFailure = failure(d.FailureDescription);
  return {
    name: d.DeliveryStreamName ?? "",
    arn: d.DeliveryStreamARN ?? "",
    status: d.DeliveryStreamStatus ?? "UNKNOWN",
    versionId: d.VersionId ?? "",
    type: d.DeliveryStreamType ?? "DirectPut",
    ...(d.CreateTimestamp === undefined ? {} : { createdAt: new Date(d.CreateTimestamp) }),
    ...(d.LastUpdateTimestamp === undefined ? {} : { lastUpdatedAt: new Date(d.LastUpdateTimestamp) }),
    ...(streamFailure === undefined ? {} : { failure: streamFailure }),
    ...(sse?.Status === undefined
      ? {}
      : {
          serverSideEncryption: {
            status: sse.Status,
            ...(sse.KeyType === undefined ? {} : { keyType: sse.KeyType }),
            ...(sse.KeyARN === undefined ? {} : { keyArn: sse.KeyARN }),
            ...(sseFailure === undefined ? {} : { failure: sseFailure }),
          },
        }),
    destinations: (d.Destinations ?? []).map(destinationInfo),
  };
}

export function createFirehose(options: FirehoseOptions): FirehosePort {
  const client = new FirehoseClient(awsClientConfig(options));
  const ctx = (operation: string) => ({ service: SERVICE, operation, options });

  async function describeDeliveryStream(name: string): Promise<DeliveryStreamInfo> {
    const output = await callAws(ctx("DescribeDeliveryStream"), (abortSignal) =>
      client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }), { abortSignal }),
    );
    if (output.DeliveryStreamDescription === undefined) {
      throw new AwsCallError(
        "service",
        "EmptyResponse",
        `${SERVICE} DescribeDeliveryStream returned no description for ${name}`,
      );
    }
    return streamInfo(output.DeliveryStreamDescription);
  }

  async function conflict(update: BufferingUpdate, why: string): Promise<BufferingUpdateResult> {
    const now = await describeDeliveryStream(update.streamName);
    const current = now.destinations.find((d) => d.id === update.destinationId)?.s3?.buffering;
    return {
      outcome: "conflict",
      expectedVersionId: update.expectedVersionId,
      currentVersionId: now.versionId,
      ...(current === undefined ? {} : { currentBuffering: current }),
      message: `${update.streamName} changed since version ${update.expectedVersionId} (now version ${now.versionId}); ${why}`,
    };
  }

  async function updateBuffering(update: BufferingUpdate): Promise<BufferingUpdateResult> {
    const invalid = bufferingProblems(update.buffering);
    if (invalid.length > 0) return { outcome: "refused", problems: invalid };

    const before = await describeDeliveryStream(update.streamName);
    if (before.versionId !== update.expectedVersionId) {
      return conflict(update, "nothing was changed");
    }
    const destination = before.destinations.find((d) => d.id === update.destinationId);
    if (destination === undefined) {
      return {
        outcome: "refused",
        problems: [`${update.streamName} has no destination ${update.destinationId}`],
      };
    }
    if (destination.s3 === undefined) {
      return {
        outcome: "refused",
        problems: [
          `destination ${update.destinationId} of ${update.streamName} is ${destination.type}, not S3`,
        ],
      };
    }
    const forDestination = bufferingProblems(update.buffering, {
      dynamicPartitioning: destination.s3.dynamicPartitioning,
    });
    if (forDestination.length > 0) return { outcome: "refused", problems: forDestination };

    const hints = { SizeInMBs: update.buffering.sizeMb, IntervalInSeconds: update.buffering.intervalSeconds };
    const command = new UpdateDestinationCommand({
      DeliveryStreamName: update.streamName,
      CurrentDeliveryStreamVersionId: update.expectedVersionId,
      DestinationId: update.destinationId,
      ...(destination.s3.flavour === "extended-s3"
        ? { ExtendedS3DestinationUpdate: { BufferingHints: hints } }
        : { S3DestinationUpdate: { BufferingHints: hints } }),
    });
    try {
      await callAws(ctx("UpdateDestination"), (abortSignal) => client.send(command, { abortSignal }));
    } catch (error) {
      if (error instanceof AwsCallError && error.kind === "conflict") {
        return conflict(update, "nothing was changed by this update");
      }
      throw error;
    }
    const after = await describeDeliveryStream(update.streamName);
    return {
      outcome: "updated",
      ...(destination.s3.buffering === undefined ? {} : { previous: destination.s3.buffering }),
      stream: after,
    };
  }

  return { describeTarget: describeAwsTarget(SERVICE, options), describeDeliveryStream, updateBuffering };
}
