/**
 * firehose-delivery-failure end to end through the real adapters:
 * - The delivery stream: a real moto delivery stream created here (DescribeDeliveryStream answered
 *   by moto: ACTIVE, its S3 destination and buffering).
 * - DeliveryToS3.Success / DeliveryToS3.Records (AWS/Firehose, DeliveryStreamName = the test's
 *   stream) and the job's RecordsOut: moto, through the monitoring stand-in (passed on).
 * - Firehose's error log (/aws/kinesisfirehose/<stream>, a Logs Insights query with `filter`):
 *   the monitoring stand-in, programmed per test (moto 5.2.5 runs no filter/sort commands).
 * Not shown here: stream-not-active (moto creates streams ACTIVE at once and has no way to make
 * one CREATING_FAILED / DELETING for a while); kms-denied and quota-exceeded only differ from
 * s3-access-denied in the error text, which the unit tests and drills cover.
 */
import { CreateDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type MonitoringStandin, startMonitoringStandin } from "../../peers/aws-monitoring-standin.ts";
import {
  awsSection,
  CREDENTIALS,
  flat,
  makeConfig,
  REGION,
  runLive,
  seedMetrics,
  uniqueId,
} from "./live-helpers.ts";

const motoEndpoint = inject("motoEndpoint");
const ERROR_LOG = "filter ispresent(errorCode)";

let standin: MonitoringStandin;
const firehose = new FirehoseClient({ region: REGION, endpoint: motoEndpoint, credentials: CREDENTIALS });

beforeAll(async () => {
  standin = await startMonitoringStandin({ upstream: motoEndpoint });
});

afterAll(async () => {
  firehose.destroy();
  await standin?.close();
});

beforeEach(() => {
  standin.reset();
});

async function createStream(): Promise<{ stream: string; namespace: string }> {
  const id = uniqueId();
  const stream = `order-firehose-${id}`;
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: stream,
      DeliveryStreamType: "DirectPut",
      ExtendedS3DestinationConfiguration: {
        BucketARN: `arn:aws:s3:::order-archive-${id}`,
        RoleARN: "arn:aws:iam::123456789012:role/FirehoseDeliveryRole",
        Prefix: "orders/",
        ErrorOutputPrefix: "errors/",
        BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 300 },
        CompressionFormat: "GZIP",
      },
    }),
  );
  return { stream, namespace: `firehose-live-${id}` };
}

function configFor(stream: string, namespace: string) {
  return makeConfig({
    aws: awsSection({ cloudwatch: standin.endpoint, logs: standin.endpoint, firehose: motoEndpoint }),
    pipeline: { deliveryStream: stream, metricsNamespace: namespace },
  });
}

/** 30 minutes of history: `success` / `records` per minute (Success is 1 per successful put, averaged). */
async function seedDelivery(
  stream: string,
  namespace: string,
  success: readonly number[],
  records: readonly number[],
): Promise<void> {
  const dims = { DeliveryStreamName: stream };
  await seedMetrics(motoEndpoint, "AWS/Firehose", [
    { metric: "DeliveryToS3.Success", values: success, dimensions: dims },
    { metric: "DeliveryToS3.Records", values: records, dimensions: dims },
  ]);
  await seedMetrics(motoEndpoint, namespace, [{ metric: "RecordsOut", values: flat(records.length, 4500) }]);
}

describe("firehose-delivery-failure against a moto delivery stream, moto metrics and the Logs stand-in", {
  timeout: 120_000,
}, () => {
  it("every put succeeds: delivering", async () => {
    const { stream, namespace } = await createStream();
    await seedDelivery(stream, namespace, flat(30, 1), flat(30, 4500));
    standin.programQuery({ matches: (q) => q.includes(ERROR_LOG), rows: [] });

    const { report } = await runLive("firehose-delivery-failure", configFor(stream, namespace));
    const c = report.conclusion;
    expect(c.cause).toBe("delivering");
    expect(c.confidence).toBe("high");
    expect(c.evidence).toEqual([
      "stream status ACTIVE",
      "DeliveryToS3.Success 1.00 in the latest minute",
      "DeliveryToS3.Records last 3 min: 4,500, 4,500, 4,500",
      "no delivery errors in the error log (last 10 min)",
    ]);
    const query = standin.requests.find((r) => r.operation === "StartQuery");
    expect(query?.body.logGroupNames).toEqual([`/aws/kinesisfirehose/${stream}`]);
  });

  it("success drops to 60% with records still arriving and no error logged: slow-network", async () => {
    const { stream, namespace } = await createStream();
    await seedDelivery(
      stream,
      namespace,
      [...flat(24, 1), ...flat(6, 0.6)],
      [...flat(24, 4500), ...flat(6, 2700)],
    );
    standin.programQuery({ matches: (q) => q.includes(ERROR_LOG), rows: [] });

    const { report } = await runLive("firehose-delivery-failure", configFor(stream, namespace));
    const c = report.conclusion;
    expect(c.cause).toBe("slow-network");
    expect(c.confidence).toBe("medium");
    expect(c.summary).toContain("60% of S3 puts succeed and records still arrive");
    expect(c.evidence).toContain("DeliveryToS3.Success 0.60 in the latest minute");
    expect(c.evidence).toContain("DeliveryToS3.Records last 3 min: 2,700, 2,700, 2,700");
    // Smaller, more frequent batches: the seed's 64 MiB / 30 s from the stream's 128 MiB / 300 s.
    const proposal = c.suggestedActions.find((a) => a.action === "firehose-buffering");
    expect(proposal?.params).toMatchObject({ streamName: stream, sizeMb: 64, intervalSeconds: 30 });
  });

  it("no put succeeds and the error log says S3.AccessDenied: s3-access-denied", async () => {
    const { stream, namespace } = await createStream();
    await seedDelivery(
      stream,
      namespace,
      [...flat(25, 1), ...flat(5, 0)],
      [...flat(25, 4500), ...flat(5, 0)],
    );
    const message =
      "Access was denied. Ensure that the trust policy for the provided IAM role allows Firehose to assume the role, and the access policy allows access to the S3 bucket.";
    standin.programQuery({
      matches: (q) => q.includes(ERROR_LOG),
      rows: Array.from({ length: 3 }, () => ({
        "@timestamp": new Date().toISOString(),
        errorCode: "S3.AccessDenied",
        message,
      })),
    });

    const { report } = await runLive("firehose-delivery-failure", configFor(stream, namespace));
    const c = report.conclusion;
    expect(c.cause).toBe("s3-access-denied");
    expect(c.confidence).toBe("high");
    expect(c.summary).toContain("error log says S3.AccessDenied");
    expect(c.evidence).toContain(`error log: S3.AccessDenied: ${message}`);
    expect(c.evidence).toContain("DeliveryToS3.Success 0.00 in the latest minute");
  });
});
