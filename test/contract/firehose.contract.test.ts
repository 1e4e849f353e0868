/**
 * The FirehosePort contract against the real adapter and the sandbox's simulated adapter.
 *
 * Real: moto answers DescribeDeliveryStream and UpdateDestination (moto implements both, version-id
 * conflicts included). Each test creates its own stream. moto runs privately for this file
 * (startMotoPeer): other test files reset the shared moto of the global setup in their beforeEach,
 * which would wipe this file's streams mid-test.
 * Simulated: SimulatedFirehose, as the sandbox builds it (order-firehose).
 */
import { randomUUID } from "node:crypto";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { afterAll, beforeAll } from "vitest";
import { createFirehose } from "../../src/adapters/aws/firehose.ts";
import {
  FIREHOSE_ROLE_ARN,
  ORDER_FIREHOSE,
  ORDER_FIREHOSE_BUCKET_ARN,
  SimulatedFirehose,
} from "../../src/sandbox/simulated/simulated-firehose.ts";
import { type MotoPeer, startMotoPeer } from "../peers/moto-peer.ts";
import { createOrderStream, firehoseContract } from "./firehose.contract.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let moto: MotoPeer;
let seeder: FirehoseClient;
beforeAll(async () => {
  moto = await startMotoPeer();
  seeder = new FirehoseClient({ region: "us-east-1", endpoint: moto.endpoint, credentials });
});
afterAll(async () => {
  seeder?.destroy();
  await moto?.stop();
});

firehoseContract("real adapter on moto", async () => {
  const streamName = `order-firehose-${randomUUID().slice(0, 8)}`;
  await createOrderStream(seeder, streamName);
  return {
    port: createFirehose({
      region: "us-east-1",
      endpoint: moto.endpoint,
      credentials,
      requestTimeoutMs: 10_000,
    }),
    streamName,
    bucketArn: ORDER_FIREHOSE_BUCKET_ARN,
    roleArn: FIREHOSE_ROLE_ARN,
  };
});

firehoseContract("simulated (sandbox)", async () => ({
  port: new SimulatedFirehose(),
  streamName: ORDER_FIREHOSE,
  bucketArn: ORDER_FIREHOSE_BUCKET_ARN,
  roleArn: FIREHOSE_ROLE_ARN,
}));
