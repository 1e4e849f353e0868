/**
 * The Firehose adapter against real peers, with faults.
 *
 * Who answers what:
 * - moto answers every Firehose call: CreateDeliveryStream (test seeding),
 *   DescribeDeliveryStream, UpdateDestination (version ids, ConcurrentModificationException).
 * - test/peers/msk-standin.ts sits in front of moto as a recording proxy (it answers no Firehose
 *   call itself) and injects the faults: throttling (400 ThrottlingException), denial (400
 *   AccessDeniedException), 500, a hang, and "another writer updates the stream first".
 * - A closed port plays a Firehose endpoint that is down.
 * Each test has its own stream.
 * moto runs privately for this file (startMotoPeer): other test files reset the shared moto of the
 * global setup in their beforeEach, which would wipe this file's resources mid-test.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import {
  CreateDeliveryStreamCommand,
  FirehoseClient,
  StartDeliveryStreamEncryptionCommand,
  UpdateDestinationCommand,
} from "@aws-sdk/client-firehose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AwsCallError } from "../../src/adapters/aws/aws-call.ts";
import { createFirehose } from "../../src/adapters/aws/firehose.ts";
import { createOrderStream } from "../contract/firehose.contract.ts";
import { type MotoPeer, startMotoPeer } from "../peers/moto-peer.ts";
import { type MskStandIn, startMskStandIn } from "../peers/msk-standin.ts";

const region = "us-east-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const DESTINATION = "destinationId-000000000001";

let moto: MotoPeer;
let seeder: FirehoseClient;
let proxy: MskStandIn;
let streamName: string;
beforeAll(async () => {
  moto = await startMotoPeer();
  seeder = new FirehoseClient({ region, endpoint: moto.endpoint, credentials });
  proxy = await startMskStandIn({ motoEndpoint: moto.endpoint });
});
afterAll(async () => {
  seeder?.destroy();
  await proxy?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  proxy.reset();
  streamName = `order-firehose-${randomUUID().slice(0, 8)}`;
  await createOrderStream(seeder, streamName);
});

const adapter = (timeoutMs = 10_000) =>
  createFirehose({ region, endpoint: proxy.endpoint, credentials, requestTimeoutMs: timeoutMs });

describe("Firehose adapter: requests as sent (moto answers, the proxy records)", () => {
  it("updates with UpdateDestination naming version and destination, sending only complete BufferingHints", async () => {
    const firehose = adapter();
    const result = await firehose.updateBuffering({
      streamName,
      expectedVersionId: "1",
      destinationId: DESTINATION,
      buffering: { sizeMb: 64, intervalSeconds: 60 },
    });
    expect(result.outcome).toBe("updated");
    expect(proxy.requests.map((r) => r.operation)).toEqual([
      "DescribeDeliveryStream",
      "UpdateDestination",
      "DescribeDeliveryStream",
    ]);
    const [update] = proxy.requestsFor("UpdateDestination");
    expect(update?.method).toBe("POST");
    expect(update?.path).toBe("/");
    expect(update?.contentType).toBe("application/x-amz-json-1.1");
    expect(JSON.parse(update?.body ?? "")).toEqual({
      DeliveryStreamName: streamName,
      CurrentDeliveryStreamVersionId: "1",
      DestinationId: DESTINATION,
      ExtendedS3DestinationUpdate: { BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 } },
    });
    expect(firehose.describeTarget).toBe(`Firehose us-east-1 (${proxy.endpoint})`);
  });

  it("refuses invalid buffering before any call", async () => {
    const result = await adapter().updateBuffering({
      streamName,
      expectedVersionId: "1",
      destinationId: DESTINATION,
      buffering: { sizeMb: 256, intervalSeconds: 60 },
    });
    expect(result).toEqual({
      outcome: "refused",
      problems: ["buffer size 256 MiB is outside 1..128 MiB (whole MiB)"],
    });
    expect(proxy.requests).toEqual([]);
  });

  it("turns ConcurrentModificationException (another writer between our describe and update) into a conflict, without retrying", async () => {
    // The other writer goes straight to moto, just before moto sees our UpdateDestination.
    proxy.beforeNext("UpdateDestination", async () => {
      await seeder.send(
        new UpdateDestinationCommand({
          DeliveryStreamName: streamName,
          CurrentDeliveryStreamVersionId: "1",
          DestinationId: DESTINATION,
          ExtendedS3DestinationUpdate: { BufferingHints: { SizeInMBs: 100, IntervalInSeconds: 200 } },
        }),
      );
    });
    const result = await adapter().updateBuffering({
      streamName,
      expectedVersionId: "1",
      destinationId: DESTINATION,
      buffering: { sizeMb: 64, intervalSeconds: 60 },
    });
    expect(result).toEqual({
      outcome: "conflict",
      expectedVersionId: "1",
      currentVersionId: "2",
      currentBuffering: { sizeMb: 100, intervalSeconds: 200 },
      message: `${streamName} changed since version 1 (now version 2); nothing was changed by this update`,
    });
    expect(proxy.requestsFor("UpdateDestination")).toHaveLength(1);
  });
});

describe("Firehose adapter: encryption and plain S3 destinations (moto answers)", () => {
  const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  it("reads KMS encryption of the objects and of the stream, and keeps the KMS key through a buffering update", async () => {
    const name = `kms-firehose-${randomUUID().slice(0, 8)}`;
    await seeder.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        DeliveryStreamEncryptionConfigurationInput: { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: KEY },
        ExtendedS3DestinationConfiguration: {
          BucketARN: "arn:aws:s3:::order-firehose-bucket",
          RoleARN: "arn:aws:iam::123456789012:role/FirehoseDeliveryRole",
          BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 300 },
          EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: KEY } },
        },
      }),
    );
    await seeder.send(
      new StartDeliveryStreamEncryptionCommand({
        DeliveryStreamName: name,
        DeliveryStreamEncryptionConfigurationInput: { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: KEY },
      }),
    );
    const firehose = adapter();
    const stream = await firehose.describeDeliveryStream(name);
    expect(stream.serverSideEncryption).toEqual({
      status: "ENABLED",
      keyType: "CUSTOMER_MANAGED_CMK",
      keyArn: KEY,
    });
    expect(stream.destinations[0]?.s3?.encryption).toEqual({ kind: "kms", keyArn: KEY });

    const result = await firehose.updateBuffering({
      streamName: name,
      expectedVersionId: stream.versionId,
      destinationId: DESTINATION,
      buffering: { sizeMb: 64, intervalSeconds: 60 },
    });
    if (result.outcome !== "updated") throw new Error(JSON.stringify(result));
    expect(result.stream.destinations[0]?.s3).toMatchObject({
      encryption: { kind: "kms", keyArn: KEY },
      buffering: { sizeMb: 64, intervalSeconds: 60 },
    });
  });

  it("updates a plain S3 destination with S3DestinationUpdate", async () => {
    const name = `s3-firehose-${randomUUID().slice(0, 8)}`;
    await seeder.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        S3DestinationConfiguration: {
          BucketARN: "arn:aws:s3:::order-firehose-bucket",
          RoleARN: "arn:aws:iam::123456789012:role/FirehoseDeliveryRole",
          BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 },
        },
      }),
    );
    const firehose = adapter();
    const stream = await firehose.describeDeliveryStream(name);
    expect(stream.destinations[0]?.s3?.flavour).toBe("s3");
    const result = await firehose.updateBuffering({
      streamName: name,
      expectedVersionId: stream.versionId,
      destinationId: DESTINATION,
      buffering: { sizeMb: 32, intervalSeconds: 120 },
    });
    expect(result).toMatchObject({ outcome: "updated", previous: { sizeMb: 5, intervalSeconds: 300 } });
    const [update] = proxy.requestsFor("UpdateDestination");
    expect(JSON.parse(update?.body ?? "")).toMatchObject({
      S3DestinationUpdate: { BufferingHints: { SizeInMBs: 32, IntervalInSeconds: 120 } },
    });
    expect(JSON.parse(update?.body ?? "")).not.toHaveProperty("ExtendedS3DestinationUpdate");
  });
});

describe("Firehose adapter: faults", () => {
  it("retries throttling with backoff and succeeds", async () => {
    proxy.fault({ operation: "DescribeDeliveryStream", fault: "throttle", times: 2 });
    const stream = await adapter().describeDeliveryStream(streamName);
    expect(stream.status).toBe("ACTIVE");
    expect(proxy.requestsFor("DescribeDeliveryStream").map((r) => r.answeredBy)).toEqual([
      "fault",
      "fault",
      "moto",
    ]);
  });

  it("gives up on constant throttling with a typed 'throttled' error after 3 attempts", async () => {
    proxy.fault({ operation: "DescribeDeliveryStream", fault: "throttle" });
    const error = await adapter()
      .describeDeliveryStream(streamName)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({ kind: "throttled", code: "ThrottlingException" });
    expect((error as Error).message).toMatch(
      /^Firehose throttled DescribeDeliveryStream 3 times; gave up after \d+(\.\d)? s$/,
    );
    expect(proxy.requestsFor("DescribeDeliveryStream")).toHaveLength(3);
  });

  it("reports a denial as 'denied' without retrying, and without credentials in the message", async () => {
    proxy.fault({ operation: "DescribeDeliveryStream", fault: "deny" });
    const error = await adapter()
      .describeDeliveryStream(streamName)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: "denied",
      code: "AccessDeniedException",
      message:
        "Firehose DescribeDeliveryStream failed: AccessDeniedException: User is not authorized to perform this action",
    });
    expect((error as Error).message).not.toContain("test");
  });

  it("reports a 500 as a 'service' error after the bounded retries", async () => {
    proxy.fault({ operation: "DescribeDeliveryStream", fault: "server-error" });
    await expect(adapter().describeDeliveryStream(streamName)).rejects.toMatchObject({
      kind: "service",
      code: "InternalFailure",
    });
    expect(proxy.requestsFor("DescribeDeliveryStream")).toHaveLength(3);
  });

  it("gives up within the timeout when the endpoint hangs", async () => {
    proxy.fault({ operation: "DescribeDeliveryStream", fault: "hang" });
    const began = Date.now();
    await expect(adapter(800).describeDeliveryStream(streamName)).rejects.toMatchObject({
      kind: "timeout",
      message: `Firehose DescribeDeliveryStream: no answer from ${proxy.endpoint} within 0.8 s`,
    });
    expect(Date.now() - began).toBeLessThan(800 + 1_000);
  });

  it("says 'could not reach' quickly when nothing listens", async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
    );
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const dead = `http://127.0.0.1:${port}`;
    const firehose = createFirehose({ region, endpoint: dead, credentials, requestTimeoutMs: 3_000 });
    const began = Date.now();
    await expect(firehose.describeDeliveryStream(streamName)).rejects.toMatchObject({
      kind: "unreachable",
      message: expect.stringContaining(`could not reach Firehose at ${dead}: `),
    });
    expect(Date.now() - began).toBeLessThan(3_000);
  });
});
