/** The whole firehose-delivery-failure runbook through the engine, with small in-test port doubles. */
import { describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../../../src/config/schema.ts";
import type { RunReport, StepReport } from "../../../../src/core/runbook.ts";
import { runRunbook } from "../../../../src/engine/run-runbook.ts";
import type { DeliveryStreamInfo, FirehosePort } from "../../../../src/ports/firehose.ts";
import type { Ports } from "../../../../src/ports/index.ts";
import type { LogQueryRequest, LogRow, LogsPort } from "../../../../src/ports/logs.ts";
import { type MetricQuery, type MetricsPort, seriesBatchBySeries } from "../../../../src/ports/metrics.ts";
import { firehoseDeliveryFailureRunbook } from "../../../../src/runbooks/firehose-delivery-failure/index.ts";

const NOW = new Date("2025-01-13T10:30:00.000Z");
const clock = { now: () => NOW, sleep: async () => undefined };
const KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function stream(over: Partial<DeliveryStreamInfo> = {}, kms = false): DeliveryStreamInfo {
  return {
    name: "orders-to-s3",
    arn: "arn:aws:firehose:us-east-1:111122223333:deliverystream/orders-to-s3",
    status: "ACTIVE",
    versionId: "7",
    type: "DirectPut",
    destinations: [
      {
        id: "destinationId-000000000001",
        type: "s3",
        s3: {
          flavour: "extended-s3",
          bucketArn: "arn:aws:s3:::orders-lake",
          roleArn: "arn:aws:iam::111122223333:role/OrdersFirehoseRole",
          buffering: { sizeMb: 128, intervalSeconds: 300 },
          encryption: kms ? { kind: "kms", keyArn: KEY } : { kind: "none" },
          dynamicPartitioning: false,
        },
      },
    ],
    ...over,
  };
}

function fakeMetrics(series: Readonly<Record<string, readonly number[]>>) {
  const queries: MetricQuery[] = [];
  const one = async (q: MetricQuery) => {
    queries.push(q);
    const values = series[q.metric] ?? [];
    return values.map((value, i) => ({ at: new Date(NOW.getTime() - (values.length - i) * 60_000), value }));
  };
  const port: MetricsPort = {
    describeTarget: "CloudWatch",
    series: one,
    seriesBatch: (w, s) => seriesBatchBySeries(one, w, s),
  };
  return { port, queries };
}

function fakeLogs(rows: readonly LogRow[] | Error) {
  const requests: LogQueryRequest[] = [];
  const port: LogsPort = {
    describeTarget: "CloudWatch Logs",
    query: async (r) => {
      requests.push(r);
      if (rows instanceof Error) throw rows;
      return { queryId: "q", outcome: "complete", rows, elapsedMs: 1 };
    },
  };
  return { port, requests };
}

function fakeFirehose(info: DeliveryStreamInfo) {
  const described: string[] = [];
  const port: FirehosePort = {
    describeTarget: "Firehose us-east-1",
    describeDeliveryStream: async (name) => {
      described.push(name);
      return info;
    },
    updateBuffering: async () => {
      throw new Error("a diagnosis must never change the stream");
    },
  };
  return { port, described };
}

function makeConfig(): AppConfig {
  return { ...configSchema.parse({ pipeline: { deliveryStream: "orders-to-s3" } }), secrets: {} };
}

const failing5 = {
  "DeliveryToS3.Success": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
  "DeliveryToS3.Records": [60_000, 60_000, 60_000, 60_000, 60_000, 0, 0, 0, 0, 0],
  RecordsOut: Array.from({ length: 10 }, () => 60_000),
};

async function run(opts: {
  info?: DeliveryStreamInfo;
  metrics?: Record<string, readonly number[]>;
  logs?: readonly LogRow[] | Error;
}) {
  const firehose = fakeFirehose(opts.info ?? stream());
  const metrics = fakeMetrics(opts.metrics ?? failing5);
  const logs = fakeLogs(opts.logs ?? []);
  const ports: Ports = { clock, firehose: firehose.port, metrics: metrics.port, logs: logs.port };
  const report = await runRunbook(firehoseDeliveryFailureRunbook, { ports, config: makeConfig() });
  return { report, firehose, metrics, logs };
}

function step(report: RunReport, id: string): StepReport {
  const s = report.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

const codeOf = (s: StepReport) =>
  s.findings.flatMap((f) => f.evidence.flatMap((e) => (e.kind === "code" ? [e.text] : []))).join("\n---\n");

describe("firehose-delivery-failure runbook", () => {
  it("describes the configured stream and reads its S3 delivery metrics and error log", async () => {
    const { report, firehose, metrics, logs } = await run({});
    expect(firehose.described).toEqual(["orders-to-s3"]);
    const byMetric = Object.fromEntries(metrics.queries.map((q) => [q.metric, q]));
    expect(byMetric["DeliveryToS3.Records"]).toMatchObject({
      namespace: "AWS/Firehose",
      dimensions: { DeliveryStreamName: "orders-to-s3" },
      stat: "Sum",
      periodSeconds: 60,
    });
    expect(byMetric["DeliveryToS3.Success"]).toMatchObject({ stat: "Average" });
    expect(byMetric.RecordsOut).toMatchObject({ namespace: "ecommerce-streaming", stat: "Sum" });
    expect(logs.requests[0]?.logGroups).toEqual(["/aws/kinesisfirehose/orders-to-s3"]);
    expect(report.steps.map((s) => [s.title, s.budgetSeconds])).toEqual([
      ["Step 1: Assess", 60],
      ["Step 2: Identify Failure Cause", 120],
      ["Step 3: Verify Fix", undefined],
      ["Step 4: Post-Incident", undefined],
    ]);
    expect(step(report, "assess").summary).toBe(
      "orders-to-s3 is ACTIVE; 300,000 records delivered in 10 min, success rate 0.00 in the latest minute.",
    );
  });

  it("access denied: the exact IAM policy for the stream's role on its bucket, no button", async () => {
    const { report } = await run({ logs: [{ errorCode: "S3.AccessDenied", message: "Access was denied." }] });
    expect(report.conclusion).toMatchObject({
      cause: "s3-access-denied",
      confidence: "high",
      severity: "critical",
      suggestedActions: [],
    });
    const code = codeOf(step(report, "identify-cause"));
    expect(code).toContain(
      "aws iam get-role-policy \\\n  --role-name OrdersFirehoseRole \\\n  --policy-name FirehoseS3Policy",
    );
    expect(code).toContain('"Resource": "arn:aws:s3:::orders-lake/*"');
    expect(code).toContain('"s3:PutObject"');
    const f = step(report, "identify-cause").findings.find((x) => x.title.startsWith("A. S3 access denied"));
    expect(f?.detail).toContain(
      "The stream delivers as `OrdersFirehoseRole`, not the configured `FirehoseDeliveryRole`",
    );
  });

  it("KMS denied: create-grant with the destination's key and the delivery role", async () => {
    const { report } = await run({
      info: stream({}, true),
      logs: [
        {
          errorCode: "S3.KMS.AccessDeniedException",
          message: "not authorized to perform kms:GenerateDataKey",
        },
      ],
    });
    expect(report.conclusion.cause).toBe("kms-denied");
    expect(codeOf(step(report, "identify-cause"))).toContain(
      `aws kms create-grant \\\n  --key-id ${KEY} \\\n  --grantee-principal arn:aws:iam::111122223333:role/OrdersFirehoseRole \\\n  --operations Decrypt Encrypt GenerateDataKey`,
    );
  });

  it("throttling: proposes bigger, slower batches quoting the stream's version and destination", async () => {
    const { report } = await run({
      metrics: {
        ...failing5,
        "DeliveryToS3.Success": [1, 1, 0.5, 0.4],
        "DeliveryToS3.Records": [60_000, 60_000, 20_000, 24_000],
      },
      logs: [{ errorCode: "S3.SlowDown", message: "Please reduce your request rate." }],
    });
    expect(report.conclusion.cause).toBe("quota-exceeded");
    expect(report.conclusion.suggestedActions).toEqual([
      {
        action: "firehose-buffering",
        label: "Set orders-to-s3 buffering 128 MiB / 300 s -> 128 MiB / 600 s",
        params: {
          streamName: "orders-to-s3",
          destinationId: "destinationId-000000000001",
          versionId: "7",
          sizeMb: 128,
          intervalSeconds: 600,
        },
      },
    ]);
  });

  it("no error log group: says so, and cannot tell why nothing is delivered", async () => {
    const { report } = await run({
      logs: new Error("ResourceNotFoundException: The specified log group does not exist."),
    });
    expect(report.conclusion).toMatchObject({ cause: "unknown", confidence: "low", severity: "warning" });
    expect(report.conclusion.openBranches).toHaveLength(4);
    const titles = step(report, "identify-cause").findings.map((f) => f.title);
    expect(titles).toContain("No error log group /aws/kinesisfirehose/orders-to-s3");
    expect(titles.some((t) => t.startsWith("Could not"))).toBe(false);
  });

  it("post-incident: Flink RecordsOut against DeliveryToS3.Records since delivery started failing", async () => {
    const { report } = await run({ logs: [{ errorCode: "S3.AccessDenied", message: "Access Denied" }] });
    const post = step(report, "post-incident");
    expect(post.summary).toBe(
      "Since 10:25 UTC: Flink wrote 300,000 records, Firehose delivered 0 (300,000 not delivered).",
    );
    expect(post.findings[0]?.title).toBe("300,000 records possibly lost since 10:25 UTC");
  });

  it("verify: deliveries back to 1 on an ACTIVE stream", async () => {
    const { report } = await run({
      metrics: { "DeliveryToS3.Success": [1, 1, 1], "DeliveryToS3.Records": [1, 2, 3] },
    });
    expect(report.conclusion).toMatchObject({ cause: "delivering", severity: "ok", confidence: "high" });
    expect(step(report, "verify").findings[0]?.severity).toBe("ok");
  });
});
