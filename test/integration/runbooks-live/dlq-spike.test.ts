/**
 * dlq-spike end to end through the real adapters:
 * - DLQRecordCount: moto (seeded per test in a namespace of its own), read with GetMetricStatistics
 *   through the monitoring stand-in, which passes it on to moto.
 * - The Logs Insights breakdown, samples and error counts: the monitoring stand-in (moto 5.2.5 runs
 *   no `stats` / `filter` commands), programmed per test.
 * - The source topic: the REAL Kafka broker of the global setup; the runbook samples its newest
 *   records with a throwaway consumer group.
 * - The rollout history: the Kubernetes API test server (ReplicaSets of flink-taskmanager).
 */

import { Kafka, logLevel, Partitioners } from "kafkajs";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type MonitoringStandin, startMonitoringStandin } from "../../peers/aws-monitoring-standin.ts";
import { createServedTopics } from "../../peers/kafka-topics.ts";
import { type KubeApiServer, startKubeApiServer } from "../../peers/kube-api-server.ts";
import {
  awsSection,
  flat,
  MINUTE,
  makeConfig,
  runLive,
  seedMetrics,
  uniqueId,
  writeKubeconfig,
} from "./live-helpers.ts";

const brokers = inject("kafkaBrokers");
const motoEndpoint = inject("motoEndpoint");

let standin: MonitoringStandin;
let kube: KubeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  standin = await startMonitoringStandin({ upstream: motoEndpoint });
  kube = await startKubeApiServer();
  kubeconfig = writeKubeconfig(kube.kubeConfigYaml);
});

afterAll(async () => {
  await standin?.close();
  await kube?.stop();
});

beforeEach(() => {
  standin.reset();
});

interface Pipeline {
  readonly namespace: string;
  readonly logGroup: string;
  readonly topic: string;
}

function pipeline(): Pipeline {
  const id = uniqueId();
  return { namespace: `dlq-live-${id}`, logGroup: `dlq-live-logs-${id}`, topic: `orders-dlq-${id}` };
}

function configFor(p: Pipeline) {
  return makeConfig({
    kafka: { brokers: [brokers], connectionTimeoutMs: 5000, requestTimeoutMs: 15000 },
    aws: awsSection({ cloudwatch: standin.endpoint, logs: standin.endpoint }),
    kubernetes: { kubeconfig },
    pipeline: { metricsNamespace: p.namespace, logGroup: p.logGroup, sourceTopic: p.topic },
  });
}

/** 50 quiet minutes, then 10 minutes of the spike (the alert: > 100/min). */
async function seedSpike(p: Pipeline, perMinute: number): Promise<void> {
  await seedMetrics(motoEndpoint, p.namespace, [
    { metric: "DLQRecordCount", values: [...flat(50, 3), ...flat(10, perMinute)] },
  ]);
}

/** The source topic on the real broker: `old` records of the expected shape, then the newest ones. */
async function seedTopic(topic: string, old: object[], newest: object[]): Promise<void> {
  const kafka = new Kafka({ brokers: [brokers], clientId: "dlq-live-seed", logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await admin.connect();
  await producer.connect();
  try {
    await createServedTopics(brokers, [{ topic, numPartitions: 1 }]);
    for (const batch of [old, newest]) {
      await producer.send({
        topic,
        messages: batch.map((value, i) => ({
          key: `checkout-${i % 3}`,
          value: JSON.stringify(value),
          headers: { source: "checkout-service" },
        })),
      });
    }
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

const order = (i: number, customerField: "customer_id" | "cust_id") => ({
  order_id: `ord-${i}`,
  [customerField]: `CUST-${100 + i}`,
  created_at: "2025-01-13T10:30:00Z",
  currency: "EUR",
  total_amount: 42.5 + i,
  items: [{ sku: "SKU-1", qty: 1 }],
});

function programBreakdown(rows: Record<string, string>[]): void {
  standin.programQuery({
    matches: (q) => q.includes("| filter dlq = true") && q.includes("stats count() as count by error_type"),
    rows,
  });
  standin.programQuery({
    matches: (q) => q.trim() === "fields error_type | stats count() by error_type",
    rows: rows.map((r) => ({ error_type: r.error_type ?? "", "count()": r.count ?? "0" })),
  });
}

describe("dlq-spike against the real Kafka broker, moto, the Logs stand-in and the Kubernetes API server", {
  timeout: 120_000,
}, () => {
  it("parse_error dominant and the source topic's newest records renamed customer_id -> cust_id: parse-error-schema-change", async () => {
    const p = pipeline();
    await seedSpike(p, 450);
    await seedTopic(
      p.topic,
      Array.from({ length: 10 }, (_, i) => order(i, "customer_id")),
      Array.from({ length: 25 }, (_, i) => order(100 + i, "cust_id")),
    );
    programBreakdown([
      { error_type: "parse_error", count: "4120" },
      { error_type: "validation_error", count: "85" },
      { error_type: "timeout", count: "12" },
    ]);
    standin.programQuery({
      matches: (q) => q.includes('filter error_type="parse_error"'),
      rows: Array.from({ length: 6 }, (_, i) => ({
        order_id: `ord-${100 + i}`,
        "@message": JSON.stringify({ ...order(100 + i, "cust_id"), error: "missing field customer_id" }),
      })),
    });
    standin.programQuery({
      matches: (q) => q.includes('filter error_type="validation_error"'),
      rows: [],
    });

    const { report } = await runLive("dlq-spike", configFor(p));
    const c = report.conclusion;
    expect(c.cause).toBe("parse-error-schema-change");
    // Rollout history read (revision 3 is months old) and the source sampled: no doubt left.
    expect(c.confidence).toBe("high");
    expect(c.summary).toContain("DLQ at 450/min (threshold 100/min)");
    expect(c.summary).toContain("`customer_id` now arrives as `cust_id`");
    expect(c.evidence).toContain(
      "DLQ by error_type (10 min): parse_error 98%, validation_error 2%, timeout 0%",
    );
    expect(
      c.evidence?.some((e) =>
        e.startsWith("newest 20 source records: `customer_id` now arrives as `cust_id`"),
      ),
    ).toBe(true);
    expect(c.evidence?.some((e) => e.startsWith("current revision 3 (flink-job:1.4.3)"))).toBe(true);
    expect(c.suggestedActions).toEqual([]);
    // The probes went where they should: the breakdown to the stand-in for the pipeline's log group.
    const starts = standin.requests.filter((r) => r.operation === "StartQuery");
    expect(starts.length).toBeGreaterThanOrEqual(4);
    expect(starts.every((r) => JSON.stringify(r.body.logGroupNames) === JSON.stringify([p.logGroup]))).toBe(
      true,
    );
    expect(standin.requests.some((r) => r.operation === "GetMetricStatistics" && r.forwarded)).toBe(true);
  });

  it("validation_error dominant: validation-error, the source is not sampled", async () => {
    const p = pipeline();
    await seedSpike(p, 230);
    await seedTopic(
      p.topic,
      [],
      Array.from({ length: 5 }, (_, i) => order(i, "customer_id")),
    );
    programBreakdown([
      { error_type: "validation_error", count: "1870" },
      { error_type: "parse_error", count: "90" },
      { error_type: "duplicate", count: "40" },
    ]);
    standin.programQuery({
      matches: (q) => q.includes('filter error_type="validation_error"'),
      rows: Array.from({ length: 4 }, (_, i) => ({
        order_id: `ord-${i}`,
        validation_error: `Order amount out of range: $-${i + 1}.00`,
      })),
    });

    const { report } = await runLive("dlq-spike", configFor(p));
    const c = report.conclusion;
    expect(c.cause).toBe("validation-error");
    expect(c.confidence).toBe("high");
    expect(c.summary).toContain("DLQ at 230/min");
    expect(c.summary).toContain("validation_error is 94% of the DLQ");
    // parse_error is 4.5%: Step 3 does not dig into parse errors, so no sample query was sent.
    const queries = standin.requests
      .filter((r) => r.operation === "StartQuery")
      .map((r) => String(r.body.queryString));
    expect(queries.some((q) => q.includes('filter error_type="parse_error"'))).toBe(false);
    expect(queries.some((q) => q.includes('filter error_type="validation_error"'))).toBe(true);
  });

  it("a rollout 5 minutes before the spike and a source of the expected shape: parse-error-deployment, roll back to revision 2", async () => {
    const p = pipeline();
    await seedSpike(p, 600);
    await seedTopic(
      p.topic,
      [],
      Array.from({ length: 20 }, (_, i) => order(i, "customer_id")),
    );
    programBreakdown([{ error_type: "parse_error", count: "5900" }]);
    standin.programQuery({
      matches: (q) => q.includes('filter error_type="parse_error"'),
      rows: [{ order_id: "ord-1", "@message": "JSONDecodeError: Expecting value: line 1 column 1" }],
    });
    // Revision 3 of flink-taskmanager rolled out 5 minutes before the spike's first minute.
    const spikeStart = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
    const rolledOut = new Date(spikeStart - 5 * MINUTE).toISOString().replace(/\.\d{3}Z$/, "Z");
    const current = kube.state.replicaSets.find(
      (rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"] === "3",
    );
    expect(current).toBeDefined();
    current!.metadata.creationTimestamp = rolledOut;

    const { report } = await runLive("dlq-spike", configFor(p));
    const c = report.conclusion;
    expect(c.cause).toBe("parse-error-deployment");
    expect(c.confidence).toBe("high");
    expect(c.summary).toContain("revision 3 rolled out");
    expect(c.suggestedActions.map((a) => a.action)).toEqual(["rollback"]);
    expect(c.suggestedActions[0]?.params).toMatchObject({
      namespace: "flink",
      deployment: "flink-taskmanager",
    });
  });
});
