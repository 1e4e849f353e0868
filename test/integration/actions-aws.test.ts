/**
 * reboot-broker and firehose-buffering through prepare -> recheck -> execute, on the real MSK and
 * Firehose adapters against moto (the run's shared moto, from the global setup) behind the
 * recording stand-in (test/peers/msk-standin.ts: it answers ListNodes, RebootBroker and
 * DescribeClusterOperation, which moto does not implement, and proxies the rest to moto). The
 * writes are asserted exactly as the stand-in received them.
 * moto's clusters stay CREATING (it has no state changes), so the "a reboot is already running"
 * refusal is shown on the simulated MSK in test/unit/actions/previews.test.ts; here MSK's own
 * guard (one operation at a time) is what a second reboot meets.
 */
import { randomUUID } from "node:crypto";
import { FirehoseClient, UpdateDestinationCommand } from "@aws-sdk/client-firehose";
import { KafkaClient } from "@aws-sdk/client-kafka";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type ActionContext, ActionRefusal } from "../../src/actions/action.ts";
import { firehoseBuffering } from "../../src/actions/firehose-buffering.ts";
import { rebootBroker } from "../../src/actions/reboot-broker.ts";
import { createFirehose } from "../../src/adapters/aws/firehose.ts";
import { createMsk } from "../../src/adapters/aws/msk.ts";
import { systemClock } from "../../src/ports/clock.ts";
import { createOrderStream } from "../contract/firehose.contract.ts";
import { createOrderProcessing } from "../contract/msk.contract.ts";
import { type MskStandIn, startMskStandIn } from "../peers/msk-standin.ts";
import { testConfig } from "../unit/actions/config.ts";

const region = "us-east-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const SUBNETS = ["subnet-0cc0000000000001", "subnet-0cc0000000000002", "subnet-0cc0000000000003"];
const DESTINATION = "destinationId-000000000001";

let standIn: MskStandIn;
let kafkaSeeder: KafkaClient;
let firehoseSeeder: FirehoseClient;

beforeAll(async () => {
  const moto = inject("motoEndpoint");
  kafkaSeeder = new KafkaClient({ region, endpoint: moto, credentials });
  firehoseSeeder = new FirehoseClient({ region, endpoint: moto, credentials });
  standIn = await startMskStandIn({ motoEndpoint: moto, rebootMs: 60_000 });
});
afterAll(async () => {
  kafkaSeeder?.destroy();
  firehoseSeeder?.destroy();
  await standIn?.stop();
});
beforeEach(() => standIn.reset());

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActionRefusal);
  return (error as Error).message;
}

describe("reboot-broker", () => {
  let clusterArn: string;
  let ctx: ActionContext;
  beforeEach(async () => {
    clusterArn = await createOrderProcessing(kafkaSeeder, SUBNETS);
    ctx = {
      config: testConfig({ msk: { clusterArn } }),
      ports: {
        clock: systemClock,
        msk: createMsk({ region, endpoint: standIn.endpoint, credentials, requestTimeoutMs: 10_000 }),
      },
    };
  });

  it("previews the broker with its endpoint, re-checks, and sends RebootBroker for that one id", async () => {
    const params = { clusterArn, brokerId: 2 };
    const parsed = rebootBroker.parse(params, ctx.config);
    expect(parsed).toEqual({ ok: true, params });
    const prepared = await rebootBroker.prepare(params, ctx);
    expect(prepared.params).toEqual(params);
    expect(prepared.preview).toMatch(
      /^reboot MSK broker 2 of OrderProcessing \(b-2\.orderprocessing\.[a-z0-9]+\.c2\.kafka\.us-east-1\.amazonaws\.com\)$/,
    );
    expect(await rebootBroker.recheck(params, ctx)).toBeUndefined();
    expect(standIn.requestsFor("RebootBroker")).toEqual([]);

    const result = await rebootBroker.execute(params, ctx);
    const [reboot, ...more] = standIn.requestsFor("RebootBroker");
    expect(more).toEqual([]);
    expect(reboot).toMatchObject({
      method: "PUT",
      path: `/v1/clusters/${clusterArn}/reboot-broker`,
      contentType: "application/json",
      answeredBy: "standin",
    });
    expect(JSON.parse(reboot?.body ?? "")).toEqual({ brokerIds: ["2"] });
    const operationArn = result.details.operationArn as string;
    expect(operationArn).toMatch(/^arn:aws:kafka:us-east-1:\d{12}:cluster-operation\/OrderProcessing\//);
    expect(result).toEqual({
      message: `reboot of MSK broker 2 started: operation ${operationArn} is UPDATE_IN_PROGRESS`,
      details: { clusterArn, brokerId: 2, operationArn, operationState: "UPDATE_IN_PROGRESS" },
    });
    expect(standIn.requestsFor("DescribeClusterOperation")[0]?.path).toBe(`/v1/operations/${operationArn}`);

    // A second reboot while the first runs: MSK's own guard answers, and the action fails with its words.
    const second = await rebootBroker.execute({ clusterArn, brokerId: 3 }, ctx).catch((e: unknown) => e);
    expect((second as Error).message).toMatch(/operation in progress/);
  });

  it("refuses a broker id that is not among the cluster's nodes, without rebooting", async () => {
    expect(await refusal(rebootBroker.prepare({ clusterArn, brokerId: 7 }, ctx))).toBe(
      "broker 7 is not one of OrderProcessing's brokers (1, 2, 3)",
    );
    expect(standIn.requestsFor("RebootBroker")).toEqual([]);
  });
});

describe("firehose-buffering", () => {
  let streamName: string;
  let ctx: ActionContext;
  beforeEach(async () => {
    streamName = `order-firehose-${randomUUID().slice(0, 8)}`;
    await createOrderStream(firehoseSeeder, streamName);
    ctx = {
      config: testConfig({ pipeline: { deliveryStream: streamName } }),
      ports: {
        clock: systemClock,
        firehose: createFirehose({
          region,
          endpoint: standIn.endpoint,
          credentials,
          requestTimeoutMs: 10_000,
        }),
      },
    };
  });

  it("previews from the stream's buffering, fills its version, and updates naming that version", async () => {
    const prepared = await firehoseBuffering.prepare({ streamName, sizeMb: 64, intervalSeconds: 60 }, ctx);
    expect(prepared).toEqual({
      params: { streamName, destinationId: DESTINATION, versionId: "1", sizeMb: 64, intervalSeconds: 60 },
      preview: `${streamName} buffering: 128 MiB / 300 s -> 64 MiB / 60 s`,
    });
    expect(await firehoseBuffering.recheck(prepared.params, ctx)).toBeUndefined();
    expect(standIn.requestsFor("UpdateDestination")).toEqual([]);

    const result = await firehoseBuffering.execute(prepared.params, ctx);
    const [update, ...more] = standIn.requestsFor("UpdateDestination");
    expect(more).toEqual([]);
    expect(update).toMatchObject({ method: "POST", path: "/", contentType: "application/x-amz-json-1.1" });
    expect(JSON.parse(update?.body ?? "")).toEqual({
      DeliveryStreamName: streamName,
      CurrentDeliveryStreamVersionId: "1",
      DestinationId: DESTINATION,
      ExtendedS3DestinationUpdate: { BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 } },
    });
    expect(result).toEqual({
      message: `${streamName} buffering: 128 MiB / 300 s -> 64 MiB / 60 s (stream version 1 -> 2)`,
      details: {
        streamName,
        destinationId: DESTINATION,
        previous: { sizeMb: 128, intervalSeconds: 300 },
        buffering: { sizeMb: 64, intervalSeconds: 60 },
        fromVersionId: "1",
        versionId: "2",
      },
    });
    // Asking again for what is now set changes nothing.
    expect(
      await refusal(firehoseBuffering.prepare({ streamName, sizeMb: 64, intervalSeconds: 60 }, ctx)),
    ).toBe(`${streamName} already buffers 64 MiB / 60 s: nothing to change`);
  });

  it("refuses at execution time when someone changed the stream since the request", async () => {
    const prepared = await firehoseBuffering.prepare({ streamName, sizeMb: 64, intervalSeconds: 60 }, ctx);
    await firehoseSeeder.send(
      new UpdateDestinationCommand({
        DeliveryStreamName: streamName,
        CurrentDeliveryStreamVersionId: "1",
        DestinationId: DESTINATION,
        ExtendedS3DestinationUpdate: { BufferingHints: { SizeInMBs: 100, IntervalInSeconds: 200 } },
      }),
    );
    expect(await firehoseBuffering.recheck(prepared.params, ctx)).toBe(
      `${streamName} changed since this request (version 2, not 1; buffering now 100 MiB / 200 s)`,
    );
    expect(standIn.requestsFor("UpdateDestination")).toEqual([]);
  });

  it("a writer racing between the re-check and the update makes it fail, with nothing overwritten", async () => {
    const prepared = await firehoseBuffering.prepare({ streamName, sizeMb: 64, intervalSeconds: 60 }, ctx);
    expect(await firehoseBuffering.recheck(prepared.params, ctx)).toBeUndefined();
    standIn.beforeNext("UpdateDestination", async () => {
      await firehoseSeeder.send(
        new UpdateDestinationCommand({
          DeliveryStreamName: streamName,
          CurrentDeliveryStreamVersionId: "1",
          DestinationId: DESTINATION,
          ExtendedS3DestinationUpdate: { BufferingHints: { SizeInMBs: 100, IntervalInSeconds: 200 } },
        }),
      );
    });
    const error = await firehoseBuffering.execute(prepared.params, ctx).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `${streamName} changed since version 1 (now version 2); nothing was changed by this update`,
    );
    const stream = await ctx.ports.firehose!.describeDeliveryStream(streamName);
    expect(stream.destinations[0]?.s3?.buffering).toEqual({ sizeMb: 100, intervalSeconds: 200 });
  });

  it("refuses values outside the service's limits for the destination", async () => {
    expect(firehoseBuffering.parse({ streamName, sizeMb: 0, intervalSeconds: 60 }, ctx.config)).toEqual({
      ok: false,
      problems: ["buffer size 0 MiB is outside 1..128 MiB (whole MiB)"],
    });
    expect(
      await refusal(
        firehoseBuffering.prepare(
          { streamName, sizeMb: 64, intervalSeconds: 60, destinationId: "destinationId-2" },
          ctx,
        ),
      ),
    ).toBe(`${streamName} has no destination destinationId-2 (destinations: ${DESTINATION})`);
  });
});
