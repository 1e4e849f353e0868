/**
 * Amazon Data Firehose, in our words: what the firehose-delivery-failure runbook reads (the stream's
 * status, its S3 destination, buffering and encryption) and the one thing it changes (the buffering
 * hints of the S3 destination).
 *
 * Errors: every method rejects with a typed error carrying a `kind` (unreachable, timeout, throttled,
 * denied, not-found, conflict, invalid, service) and a message fit for a thread. An update that lost a
 * race is not an error: it is the `conflict` outcome.
 */

/** As the API reports it: ACTIVE, CREATING, CREATING_FAILED, DELETING, DELETING_FAILED, SUSPENDED. */
export type DeliveryStreamStatus =
  | "ACTIVE"
  | "CREATING"
  | "CREATING_FAILED"
  | "DELETING"
  | "DELETING_FAILED"
  | "SUSPENDED"
  | (string & {});

export interface BufferingHints {
  /** Deliver once this many MiB are buffered (S3 destinations: 1..128; 64..128 with dynamic partitioning). */
  readonly sizeMb: number;
  /** Deliver at least this often, in seconds (0..900; 0 = no buffering by time). */
  readonly intervalSeconds: number;
}

/** Documented limits of BufferingHints for an S3 / extended S3 destination. */
export const S3_BUFFERING_LIMITS = {
  sizeMb: { min: 1, max: 128, minWithDynamicPartitioning: 64 },
  intervalSeconds: { min: 0, max: 900 },
} as const;

/** Why buffering values are refused, one line per problem; empty when they are valid. */
export function bufferingProblems(
  hints: BufferingHints,
  options: { readonly dynamicPartitioning?: boolean } = {},
): string[] {
  const problems: string[] = [];
  const { sizeMb, intervalSeconds } = S3_BUFFERING_LIMITS;
  const minSize = options.dynamicPartitioning ? sizeMb.minWithDynamicPartitioning : sizeMb.min;
  if (!Number.isInteger(hints.sizeMb) || hints.sizeMb < minSize || hints.sizeMb > sizeMb.max) {
    problems.push(
      `buffer size ${hints.sizeMb} MiB is outside ${minSize}..${sizeMb.max} MiB (whole MiB)` +
        (options.dynamicPartitioning ? " for a destination with dynamic partitioning" : ""),
    );
  }
  if (
    !Number.isInteger(hints.intervalSeconds) ||
    hints.intervalSeconds < intervalSeconds.min ||
    hints.intervalSeconds > intervalSeconds.max
  ) {
    problems.push(
      `buffer interval ${hints.intervalSeconds} s is outside ${intervalSeconds.min}..${intervalSeconds.max} s (whole seconds)`,
    );
  }
  return problems;
}

/** Encryption of the objects Firehose writes to S3. */
export type S3Encryption = { readonly kind: "none" } | { readonly kind: "kms"; readonly keyArn: string };

export interface S3DestinationInfo {
  /** "extended-s3" for ExtendedS3 destinations (the API then also reports a plain S3 view), else "s3". */
  readonly flavour: "extended-s3" | "s3";
  readonly bucketArn: string;
  readonly roleArn: string;
  readonly prefix?: string;
  readonly errorOutputPrefix?: string;
  /** Absent when the API returned none. */
  readonly buffering?: BufferingHints;
  /** Absent when the API returned none. */
  readonly encryption?: S3Encryption;
  /** UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY. */
  readonly compression?: string;
  readonly dynamicPartitioning: boolean;
}

export interface DeliveryStreamDestination {
  /** The DestinationId an update must name, e.g. destinationId-000000000001. */
  readonly id: string;
  /** "s3" for S3 and extended S3 destinations, else the API's destination type (Redshift, HttpEndpoint...). */
  readonly type: string;
  readonly s3?: S3DestinationInfo;
}

export interface FailureInfo {
  /** e.g. KMS_ACCESS_DENIED, INVALID_KMS_KEY, UNKNOWN_ERROR. */
  readonly type: string;
  readonly details: string;
}

export interface DeliveryStreamInfo {
  readonly name: string;
  readonly arn: string;
  readonly status: DeliveryStreamStatus;
  /** Changes with every configuration update; an update must quote the current one. */
  readonly versionId: string;
  /** DirectPut, KinesisStreamAsSource, MSKAsSource... */
  readonly type: string;
  readonly createdAt?: Date;
  readonly lastUpdatedAt?: Date;
  /** Why the stream is in a failed state, when the API says. */
  readonly failure?: FailureInfo;
  /** Server-side encryption of the stream itself (not of the S3 objects). */
  readonly serverSideEncryption?: {
    readonly status: string;
    readonly keyType?: string;
    readonly keyArn?: string;
    readonly failure?: FailureInfo;
  };
  /** A Firehose stream has one destination. */
  readonly destinations: readonly DeliveryStreamDestination[];
}

export interface BufferingUpdate {
  readonly streamName: string;
  /** The versionId the caller saw (and showed to the approver). */
  readonly expectedVersionId: string;
  readonly destinationId: string;
  readonly buffering: BufferingHints;
}

export type BufferingUpdateResult =
  | {
      readonly outcome: "updated";
      readonly previous?: BufferingHints;
      /** The stream as described after the update (its versionId is the new one). */
      readonly stream: DeliveryStreamInfo;
    }
  | {
      /** The stream changed since `expectedVersionId`: nothing was written by us. Not retried. */
      readonly outcome: "conflict";
      readonly expectedVersionId: string;
      readonly currentVersionId: string;
      readonly currentBuffering?: BufferingHints;
      readonly message: string;
    }
  | {
      /** Refused before any write: invalid values, no such destination, or not an S3 destination. */
      readonly outcome: "refused";
      readonly problems: readonly string[];
    };

export interface FirehosePort {
  /** e.g. "Firehose us-east-1". Never includes credentials. */
  readonly describeTarget: string;
  describeDeliveryStream(name: string): Promise<DeliveryStreamInfo>;
  /**
   * Sets the buffering hints of an S3 destination, keeping everything else of the destination.
   * Checks the values against the documented limits before any call.
   */
  updateBuffering(update: BufferingUpdate): Promise<BufferingUpdateResult>;
}
