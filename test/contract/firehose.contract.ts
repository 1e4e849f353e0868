/**
 * The FirehosePort contract: what any adapter (real on its peer, or simulated) must do, so the
 * sandbox tells the truth about what Firehose returns.
 *
 * The subject holds one ACTIVE delivery stream with an extended S3 destination, buffering 128 MiB /
 * 300 s, GZIP, no encryption of the objects, prefix "orders/".
 */
import { CreateDeliveryStreamCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import { beforeEach, describe, expect, it } from "vitest";
import type { FirehosePort } from "../../src/ports/firehose.ts";
import {
  FIREHOSE_ROLE_ARN,
  ORDER_FIREHOSE_BUCKET_ARN,
} from "../../src/sandbox/simulated/simulated-firehose.ts";

export interface FirehoseContractSubject {
  readonly port: FirehosePort;
  readonly streamName: string;
  readonly bucketArn: string;
  readonly roleArn: string;
}

export function firehoseContract(label: string, setup: () => Promise<FirehoseContractSubject>): void {
  describe(`FirehosePort contract: ${label}`, () => {
    let subject: FirehoseContractSubject;
    beforeEach(async () => {
      subject = await setup();
    });

    it("describes the stream: status, version, S3 destination, buffering, encryption", async () => {
      const stream = await subject.port.describeDeliveryStream(subject.streamName);
      expect(stream.name).toBe(subject.streamName);
      expect(stream.arn).toMatch(
        new RegExp(`^arn:aws:firehose:us-east-1:\\d{12}:deliverystream/${subject.streamName}$`),
      );
      expect(stream.status).toBe("ACTIVE");
      expect(stream.versionId).toMatch(/^\d+$/);
      expect(stream.type).toBe("DirectPut");
      expect(stream.failure).toBeUndefined();
      expect(stream.lastUpdatedAt).toBeInstanceOf(Date);
      expect(stream.destinations).toEqual([
        {
          id: "destinationId-000000000001",
          type: "s3",
          s3: {
            flavour: "extended-s3",
            bucketArn: subject.bucketArn,
            roleArn: subject.roleArn,
            prefix: "orders/",
            errorOutputPrefix: "errors/",
            buffering: { sizeMb: 128, intervalSeconds: 300 },
            encryption: { kind: "none" },
            compression: "GZIP",
            dynamicPartitioning: false,
          },
        },
      ]);
    });

    it("reports an unknown stream as not-found", async () => {
      await expect(
        subject.port.describeDeliveryStream(`${subject.streamName}-missing`),
      ).rejects.toMatchObject({
        kind: "not-found",
        code: "ResourceNotFoundException",
        message: expect.stringContaining(`${subject.streamName}-missing`),
      });
    });

    it("updates the buffering, keeps the rest of the destination, and moves the version on", async () => {
      const before = await subject.port.describeDeliveryStream(subject.streamName);
      const result = await subject.port.updateBuffering({
        streamName: subject.streamName,
        expectedVersionId: before.versionId,
        destinationId: "destinationId-000000000001",
        buffering: { sizeMb: 64, intervalSeconds: 60 },
      });
      if (result.outcome !== "updated") throw new Error(`expected updated, got ${JSON.stringify(result)}`);
      expect(result.previous).toEqual({ sizeMb: 128, intervalSeconds: 300 });
      expect(result.stream.versionId).toBe(String(Number(before.versionId) + 1));
      const after = await subject.port.describeDeliveryStream(subject.streamName);
      expect(after.versionId).toBe(result.stream.versionId);
      expect(after.destinations).toEqual([
        {
          ...before.destinations[0],
          s3: { ...before.destinations[0]?.s3, buffering: { sizeMb: 64, intervalSeconds: 60 } },
        },
      ]);
    });

    it("answers a stale version with a conflict naming the current version, and changes nothing", async () => {
      const seen = await subject.port.describeDeliveryStream(subject.streamName);
      const first = await subject.port.updateBuffering({
        streamName: subject.streamName,
        expectedVersionId: seen.versionId,
        destinationId: "destinationId-000000000001",
        buffering: { sizeMb: 96, intervalSeconds: 120 },
      });
      expect(first.outcome).toBe("updated");
      const stale = await subject.port.updateBuffering({
        streamName: subject.streamName,
        expectedVersionId: seen.versionId,
        destinationId: "destinationId-000000000001",
        buffering: { sizeMb: 32, intervalSeconds: 60 },
      });
      const current = String(Number(seen.versionId) + 1);
      expect(stale).toEqual({
        outcome: "conflict",
        expectedVersionId: seen.versionId,
        currentVersionId: current,
        currentBuffering: { sizeMb: 96, intervalSeconds: 120 },
        message: `${subject.streamName} changed since version ${seen.versionId} (now version ${current}); nothing was changed`,
      });
      const after = await subject.port.describeDeliveryStream(subject.streamName);
      expect(after.versionId).toBe(current);
      expect(after.destinations[0]?.s3?.buffering).toEqual({ sizeMb: 96, intervalSeconds: 120 });
    });

    it("refuses buffering outside the documented limits (the runbook's 256 MiB among them)", async () => {
      const seen = await subject.port.describeDeliveryStream(subject.streamName);
      const refused = (sizeMb: number, intervalSeconds: number) =>
        subject.port.updateBuffering({
          streamName: subject.streamName,
          expectedVersionId: seen.versionId,
          destinationId: "destinationId-000000000001",
          buffering: { sizeMb, intervalSeconds },
        });
      expect(await refused(256, 60)).toEqual({
        outcome: "refused",
        problems: ["buffer size 256 MiB is outside 1..128 MiB (whole MiB)"],
      });
      expect(await refused(0, 901)).toEqual({
        outcome: "refused",
        problems: [
          "buffer size 0 MiB is outside 1..128 MiB (whole MiB)",
          "buffer interval 901 s is outside 0..900 s (whole seconds)",
        ],
      });
      expect(await refused(64, 30.5)).toMatchObject({ outcome: "refused" });
      expect(await refused(64, -1)).toMatchObject({ outcome: "refused" });
      const after = await subject.port.describeDeliveryStream(subject.streamName);
      expect(after.versionId).toBe(seen.versionId);
      expect(after.destinations[0]?.s3?.buffering).toEqual({ sizeMb: 128, intervalSeconds: 300 });
    });

    it("accepts the limits themselves (1 MiB / 0 s and 128 MiB / 900 s)", async () => {
      let version = (await subject.port.describeDeliveryStream(subject.streamName)).versionId;
      for (const buffering of [
        { sizeMb: 1, intervalSeconds: 0 },
        { sizeMb: 128, intervalSeconds: 900 },
      ]) {
        const result = await subject.port.updateBuffering({
          streamName: subject.streamName,
          expectedVersionId: version,
          destinationId: "destinationId-000000000001",
          buffering,
        });
        if (result.outcome !== "updated") throw new Error(`expected updated, got ${JSON.stringify(result)}`);
        expect(result.stream.destinations[0]?.s3?.buffering).toEqual(buffering);
        version = result.stream.versionId;
      }
    });

    it("refuses an update of a destination the stream does not have", async () => {
      const seen = await subject.port.describeDeliveryStream(subject.streamName);
      expect(
        await subject.port.updateBuffering({
          streamName: subject.streamName,
          expectedVersionId: seen.versionId,
          destinationId: "destinationId-000000000009",
          buffering: { sizeMb: 64, intervalSeconds: 60 },
        }),
      ).toEqual({
        outcome: "refused",
        problems: [`${subject.streamName} has no destination destinationId-000000000009`],
      });
    });
  });
}

/** Test-only wiring: creates the stream the contract expects, as an operator would have. */
export async function createOrderStream(client: FirehoseClient, name: string): Promise<void> {
  await client.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: name,
      DeliveryStreamType: "DirectPut",
      ExtendedS3DestinationConfiguration: {
        BucketARN: ORDER_FIREHOSE_BUCKET_ARN,
        RoleARN: FIREHOSE_ROLE_ARN,
        Prefix: "orders/",
        ErrorOutputPrefix: "errors/",
        BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 300 },
        CompressionFormat: "GZIP",
        EncryptionConfiguration: { NoEncryptionConfig: "NoEncryption" },
      },
    }),
  );
}
