/**
 * `runbook-bot diagnose lag --json` end to end against the real peers: a Kafka broker with known
 * lag, CloudWatch metrics in moto, and the Kubernetes API test server. Asserts the runbook's numbers.
 */

import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../cli/run-cli.ts";
import { createServedTopics } from "../peers/kafka-topics.ts";
import { type KubeApiServer, startKubeApiServer } from "../peers/kube-api-server.ts";

const brokers = inject("kafkaBrokers");
const motoEndpoint = inject("motoEndpoint");
const id = randomUUID().slice(0, 8);
const topic = `orders-${id}`;
const group = `order-processor-${id}`;
const namespace = `ecommerce-streaming-${id}`;
const stream = `order-firehose-${id}`;
const env = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };

let kube: KubeApiServer;
let configPath: string;

async function seedKafka(): Promise<void> {
  const kafka = new Kafka({ brokers: [brokers], clientId: "diagnose-live-seed", logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await admin.connect();
  await producer.connect();
  try {
    await createServedTopics(brokers, [{ topic, numPartitions: 3 }]);
    const counts = [100, 200, 50];
    await producer.send({
      topic,
      messages: counts.flatMap((n, partition) =>
        Array.from({ length: n }, (_, i) => ({ partition, value: `{"order_id":"${partition}-${i}"}` })),
      ),
    });
    // The job has processed 60 / 50 / 50: lag 40 + 150 + 0 = 190.
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: "60" },
        { partition: 1, offset: "50" },
        { partition: 2, offset: "50" },
      ],
    });
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

async function seedMetrics(): Promise<void> {
  const cw = new CloudWatchClient({
    region: "us-east-1",
    endpoint: motoEndpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const minute = 60_000;
  const now = Math.floor(Date.now() / minute) * minute;
  const at = (i: number) => new Date(now - (i + 1) * minute);
  const minutes = Array.from({ length: 8 }, (_, i) => i);
  await cw.send(
    new PutMetricDataCommand({
      Namespace: namespace,
      MetricData: minutes.flatMap((i) => [
        { MetricName: "RecordsIn", Timestamp: at(i), Value: 6000, Unit: "Count" },
        { MetricName: "RecordsOut", Timestamp: at(i), Value: 4500, Unit: "Count" },
        { MetricName: "WatermarkLagMs", Timestamp: at(i), Value: 1500, Unit: "Milliseconds" },
      ]),
    }),
  );
  await cw.send(
    new PutMetricDataCommand({
      Namespace: "AWS/Firehose",
      MetricData: minutes.map((i) => ({
        MetricName: "DeliveryToS3.Records",
        Dimensions: [{ Name: "DeliveryStreamName", Value: stream }],
        Timestamp: at(i),
        Value: 4500,
        Unit: "Count",
      })),
    }),
  );
  cw.destroy();
}

beforeAll(async () => {
  kube = await startKubeApiServer();
  await Promise.all([seedKafka(), seedMetrics()]);
  const dir = mkdtempSync(join(tmpdir(), "rb-diagnose-"));
  writeFileSync(join(dir, "kubeconfig"), kube.kubeConfigYaml);
  configPath = join(dir, "config.yaml");
  writeFileSync(
    configPath,
    [
      "kafka:",
      `  brokers: ["${brokers}"]`,
      "aws:",
      "  region: us-east-1",
      `  endpoint: ${motoEndpoint}`,
      "kubernetes:",
      `  kubeconfig: ${join(dir, "kubeconfig")}`,
      "pipeline:",
      `  sourceTopic: ${topic}`,
      `  consumerGroup: ${group}`,
      `  metricsNamespace: ${namespace}`,
      `  deliveryStream: ${stream}`,
      "thresholds:",
      "  consumerLagRecords: 100",
      "runbooks:",
      "  lagSampleIntervalSeconds: 1",
      "",
    ].join("\n"),
  );
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
});

afterAll(async () => {
  await kube?.stop();
});

describe("diagnose lag against the real peers", () => {
  it("reports the exact lag, throughput and pod pressure, and proposes scaling 4 -> 8", async () => {
    const run = await runCli(["diagnose", "lag", "--json", "--config", configPath], { env });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      runbook: string;
      startedAt: string;
      finishedAt: string;
      steps: {
        id: string;
        title: string;
        status: string;
        summary: string;
        findings: { title: string; evidence: { kind: string; rows?: string[][] }[] }[];
        durationMs: number;
      }[];
      conclusion: {
        summary: string;
        severity: string;
        suggestedActions: { action: string; label: string; params: Record<string, unknown> }[];
      };
    };
    expect(report.runbook).toBe("consumer-lag");
    expect(report.steps.map((s) => s.id)).toEqual(["assess", "identify-bottleneck", "root-cause", "fix"]);
    const [assess, identify, root] = report.steps;
    expect(assess!.summary).toBe(
      `Lag 190 (threshold 100), worst ${topic}/1 at 150; 190 -> 190 in 1 s (0.0 records/s).`,
    );
    const table = assess!.findings[0]!.evidence.find((e) => e.kind === "table")!;
    expect(table.rows).toEqual([
      [topic, "0", "60", "100", "40"],
      [topic, "1", "50", "200", "150  <- HIGH"],
      [topic, "2", "50", "50", "0"],
    ]);
    expect(identify!.summary).toBe(
      "RecordsOut is 75% of RecordsIn over 10 minutes: Flink is falling behind.",
    );
    expect(root!.summary).toContain("Likely cause: Flink resource constraint (B)");
    const pods = root!.findings.find((f) => f.title.startsWith("B. Flink resources"))!;
    expect(pods.title).toBe("B. Flink resources: 4 of 4 taskmanager(s) near their limits");
    expect(report.conclusion.suggestedActions).toEqual([
      {
        action: "scale-taskmanagers",
        label: "Scale taskmanagers 4 -> 8",
        params: { namespace: "flink", deployment: "flink-taskmanager", replicas: 8, fromReplicas: 4 },
      },
    ]);
    // diagnose reads only: no write reached the Kubernetes API.
    expect(kube.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("turns an unreachable broker into a finding and still completes the run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-diagnose-"));
    const path = join(dir, "config.yaml");
    writeFileSync(
      path,
      'kafka:\n  brokers: ["127.0.0.1:1"]\n  connectionTimeoutMs: 1000\nruns: 1\n'.replace("runs: 1\n", ""),
    );
    const run = await runCli(["diagnose", "lag", "--json", "--config", path], { env });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      steps: { id: string; status: string; findings: { title: string; detail?: string }[] }[];
    };
    const assess = report.steps[0]!;
    expect(assess.status).toBe("error");
    const problem = assess.findings.find((f) => f.title === "Could not read the consumer group's lag")!;
    expect(problem.detail).toContain("127.0.0.1:1");
    expect(report.steps.map((s) => s.id)).toEqual(["assess", "identify-bottleneck", "root-cause", "fix"]);
    expect(report.steps[1]!.findings[0]!.title).toBe("Not checked: CloudWatch metrics is not configured");
  });
});
