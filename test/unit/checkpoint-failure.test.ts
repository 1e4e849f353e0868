/**
 * The checkpoint failure classifier, table-driven from failure texts as Flink, Hadoop S3A, the
 * Presto S3 file system, RocksDB and the AWS SDK write them.
 */
import { describe, expect, it } from "vitest";
import {
  type CheckpointFailureKind,
  classifyCheckpointFailure,
  EVIDENCE_CHARS,
} from "../../src/core/checkpoint-failure.ts";

const cases: { name: string; text: string; kind: CheckpointFailureKind; evidence: RegExp | null }[] = [
  {
    name: "S3A AccessDeniedException with the S3 403 (the seed's example)",
    text: `org.apache.flink.runtime.checkpoint.CheckpointException: Asynchronous task checkpoint failed.
\tat org.apache.flink.runtime.checkpoint.CheckpointCoordinator.abortPendingCheckpoint(CheckpointCoordinator.java:2143)
Caused by: java.nio.file.AccessDeniedException: s3a://checkpoint-bucket/state/order-processing/chk-1041/_metadata: initiate MultiPartUpload on state/order-processing/chk-1041/_metadata: com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 7KX4M2Q9T1B8C3D5)
\tat org.apache.hadoop.fs.s3a.S3AUtils.translateException(S3AUtils.java:255)`,
    kind: "s3-access-denied",
    evidence: /AmazonS3Exception: Access Denied \(Service: Amazon S3; Status Code: 403/,
  },
  {
    name: "the seed's log line",
    text: "2025-01-13 10:30:45 ERROR CheckpointCoordinator: IOException: Access Denied to s3://checkpoint-bucket/state",
    kind: "s3-access-denied",
    evidence: /Access Denied to s3:\/\/checkpoint-bucket\/state$/,
  },
  {
    name: "Presto S3 file system, AWS SDK v1 403",
    text: "com.amazonaws.services.s3.model.AmazonS3Exception: Forbidden (Service: Amazon S3; Status Code: 403; Error Code: 403 Forbidden; Request ID: 1F2E3D4C5B6A)",
    kind: "s3-access-denied",
    evidence: /Status Code: 403/,
  },
  {
    name: "IAM wording for s3:PutObject",
    text: 'software.amazon.awssdk.services.s3.model.S3Exception: User: arn:aws:sts::123456789012:assumed-role/FlinkTaskExecutorRole/i-0abc is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::checkpoint-bucket/state/chk-7/_metadata" because no identity-based policy allows the s3:PutObject action (Service: S3, Status Code: 403)',
    kind: "s3-access-denied",
    evidence: /not authorized to perform: s3:PutObject/,
  },
  {
    name: "KMS GenerateDataKey denied, wrapped in an S3 403 AccessDenied",
    text: "java.nio.file.AccessDeniedException: s3a://checkpoint-bucket/state/chk-88/_metadata: PUT 0-byte object on state/chk-88/_metadata: com.amazonaws.services.s3.model.AmazonS3Exception: User: arn:aws:sts::123456789012:assumed-role/FlinkTaskExecutorRole/flink is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012 because no identity-based policy allows the kms:GenerateDataKey action (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)",
    kind: "kms-denied",
    evidence: /kms:GenerateDataKey on resource/,
  },
  {
    name: "KMS Decrypt denied on restore",
    text: "com.amazonaws.services.s3.model.AmazonS3Exception: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)\nCaused by: User is not authorized to perform: kms:Decrypt",
    kind: "kms-denied",
    evidence: /^Caused by: User is not authorized to perform: kms:Decrypt$/,
  },
  {
    name: "KMS AccessDeniedException from the KMS client",
    text: "com.amazonaws.services.kms.model.AWSKMSException: Access to KMS is not allowed (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: 9f8e7d6c)",
    kind: "kms-denied",
    evidence: /AWSKMSException/,
  },
  {
    name: "RocksDB: No space left on device",
    text: "java.io.IOException: Could not flush and close the file system output stream to file:/data/flink/checkpoints/chk-12 in order to obtain the stream state handle\nCaused by: org.rocksdb.RocksDBException: While appending to file: /data/flink-state/job_1/op_Window/db/000123.sst: No space left on device",
    kind: "disk-full",
    evidence: /000123\.sst: No space left on device$/,
  },
  {
    name: "Disk full (the runbook's words)",
    text: "Checkpoint failed: Disk full on /data",
    kind: "disk-full",
    evidence: /^Checkpoint failed: Disk full on \/data$/,
  },
  {
    name: "RocksDB IOError(NoSpace)",
    text: "org.rocksdb.RocksDBException: IO error: No space left on deviceIOError(NoSpace)",
    kind: "disk-full",
    evidence: /NoSpace/,
  },
  {
    name: "Checkpoint expired before completing (Flink's CHECKPOINT_EXPIRED)",
    text: "org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint expired before completing.",
    kind: "timeout",
    evidence: /Checkpoint expired before completing\.$/,
  },
  {
    name: "S3 RequestTimeout",
    text: "com.amazonaws.services.s3.model.AmazonS3Exception: Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed. (Service: Amazon S3; Status Code: 400; Error Code: RequestTimeout)",
    kind: "timeout",
    evidence: /Error Code: RequestTimeout/,
  },
  {
    name: "socket read timed out during upload",
    text: "Caused by: java.net.SocketTimeoutException: Read timed out\n\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(Unknown Source)",
    kind: "timeout",
    evidence: /^Caused by: java\.net\.SocketTimeoutException: Read timed out$/,
  },
  {
    name: "a local AccessDeniedException is not an S3 permission problem",
    text: "java.nio.file.AccessDeniedException: /opt/flink/log/flink--taskexecutor-0.log",
    kind: "unknown",
    evidence: null,
  },
  {
    name: "generic failure without a cause",
    text: "org.apache.flink.runtime.checkpoint.CheckpointException: Failure to finalize checkpoint.",
    kind: "unknown",
    evidence: null,
  },
  { name: "empty", text: "", kind: "unknown", evidence: null },
];

describe("classifyCheckpointFailure", () => {
  it.each(cases)("$name -> $kind", ({ text, kind, evidence }) => {
    const result = classifyCheckpointFailure(text);
    expect(result.kind).toBe(kind);
    if (evidence === null) expect(result.evidence).toBeNull();
    else expect(result.evidence).toMatch(evidence);
  });

  it("takes the first text (newest) that says anything: today's denial over yesterday's timeout", () => {
    const result = classifyCheckpointFailure([
      "org.apache.flink.runtime.checkpoint.CheckpointException: Failure to finalize checkpoint.",
      "IOException: Access Denied to s3://checkpoint-bucket/state",
      "Checkpoint expired before completing.",
    ]);
    expect(result).toEqual({
      kind: "s3-access-denied",
      evidence: "IOException: Access Denied to s3://checkpoint-bucket/state",
    });
  });

  it("within one text, KMS outranks the S3 403 it arrives in, and denial outranks a timeout", () => {
    expect(
      classifyCheckpointFailure(
        "Checkpoint expired before completing.\nIOException: Access Denied to s3://b/c",
      ).kind,
    ).toBe("s3-access-denied");
    expect(
      classifyCheckpointFailure(
        "Status Code: 403; Error Code: AccessDenied\nnot authorized to perform: kms:Decrypt",
      ).kind,
    ).toBe("kms-denied");
  });

  it("cuts long evidence lines around the match", () => {
    const denial = `Caused by: java.nio.file.AccessDeniedException: s3a://checkpoint-bucket/${"state/".repeat(80)}_metadata: com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403)`;
    const cut = classifyCheckpointFailure(denial).evidence ?? "";
    expect(cut.length).toBeLessThanOrEqual(EVIDENCE_CHARS);
    expect(cut.startsWith("…")).toBe(true);
    expect(cut).toContain("Access Denied (Service: Amazon S3; Status Code: 403)");
  });

  it("cuts long evidence lines", () => {
    const line = `java.io.IOException: No space left on device ${"x".repeat(1000)}`;
    const { evidence } = classifyCheckpointFailure(line);
    expect(evidence).toHaveLength(EVIDENCE_CHARS);
    expect(evidence?.endsWith("…")).toBe(true);
  });
});
