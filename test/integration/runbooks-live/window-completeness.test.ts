/**
 * window-completeness end to end through the real adapters:
 * - WindowCompleteness (5-min periods), WatermarkLagMs, StateBackendReadCount, RecordsIn: moto,
 *   seeded per test in a namespace of its own, read through the monitoring stand-in.
 * - Records in / out / late of the worst window, late arrivals per window, which windows emitted
 *   (Logs Insights `filter` / `stats`): the monitoring stand-in, programmed per test.
 * - Whether the source still receives records: the REAL Kafka broker of the global setup (a topic
 *   per test; the runbook reads the newest records' timestamps with a throwaway consumer group).
 * Flink is left unconfigured (its watermarks only corroborate the metric). Not shown here:
 * window-not-fired and state-backend-loss (the drills show them; same probes, other values).
 */

import { Kafka, logLevel, Partitioners } from "kafkajs";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type MonitoringStandin, startMonitoringStandin } from "../../peers/aws-monitoring-standin.ts";
import { createServedTopics } from "../../peers/kafka-topics.ts";
import {
  awsSection,
  flat,
  MINUTE,
  makeConfig,
  ramp,
  runLive,
  seedMetrics,
  uniqueId,
} from "./live-helpers.ts";

const brokers = inject("kafkaBrokers");
const motoEndpoint = inject("motoEndpoint");

let standin: MonitoringStandin;

beforeAll(async () => {
  standin = await startMonitoringStandin({ upstream: motoEndpoint });
});

afterAll(async () => {
  await standin?.close();
});

beforeEach(() => {
  standin.reset();
});

interface Pipeline {
  readonly namespace: string;
  readonly topic: string;
}

/** window-YYYY-MM-DD-HH-MM of every 5-minute window of the last hour (the job's window ids). */
function recentWindowIds(): string[] {
  const step = 5 * MINUTE;
  const now = Math.floor(Date.now() / step) * step;
  return Array.from({ length: 14 }, (_, i) => {
    const iso = new Date(now - (12 - i) * step).toISOString();
    return `window-${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}`;
  });
}

async function seed(options: {
  completeness: number[];
  watermarkLagMs: number[];
  recordTimestamp: number;
}): Promise<Pipeline> {
  const id = uniqueId();
  const p = { namespace: `window-live-${id}`, topic: `orders-window-${id}` };
  await seedMetrics(motoEndpoint, p.namespace, [
    { metric: "WindowCompleteness", values: options.completeness, unit: "Percent" },
    { metric: "WatermarkLagMs", values: options.watermarkLagMs, unit: "Milliseconds" },
    { metric: "StateBackendReadCount", values: flat(10, 6000) },
    { metric: "RecordsIn", values: flat(10, 6000) },
  ]);
  const kafka = new Kafka({ brokers: [brokers], clientId: "window-live-seed", logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await admin.connect();
  await producer.connect();
  try {
    await createServedTopics(brokers, [{ topic: p.topic, numPartitions: 1 }]);
    await producer.send({
      topic: p.topic,
      messages: Array.from({ length: 5 }, (_, i) => ({
        key: `cust-${i}`,
        value: JSON.stringify({ order_id: `ord-${i}` }),
        timestamp: String(options.recordTimestamp + i),
      })),
    });
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
  return p;
}

function programLogs(records: { in: number; out: number; late: number }): void {
  const ids = recentWindowIds();
  standin.programQuery({
    matches: (q) => q.includes("fields @timestamp, window_id, records_in, records_out, records_late"),
    rows: [
      {
        window_id: ids.at(-3) ?? "",
        records_in: String(records.in),
        records_out: String(records.out),
        records_late: String(records.late),
      },
    ],
  });
  standin.programQuery({
    matches: (q) => q.includes("stats sum(records_late) as total_late by window_id"),
    rows: records.late > 0 ? [{ window_id: ids.at(-3) ?? "", total_late: String(records.late) }] : [],
  });
  standin.programQuery({
    matches: (q) => q.includes("stats count() by window_id"),
    rows: ids.map((w) => ({ window_id: w, "count()": "4" })),
  });
  standin.programQuery({
    matches: (q) => q.includes("stats count() as windows by bin(5m)"),
    rows: ids.slice(-6).map((w) => ({ "bin(5m)": w, windows: "1" })),
  });
}

function configFor(p: Pipeline) {
  return makeConfig({
    kafka: { brokers: [brokers], connectionTimeoutMs: 5000, requestTimeoutMs: 15000 },
    aws: awsSection({ cloudwatch: standin.endpoint, logs: standin.endpoint }),
    pipeline: { metricsNamespace: p.namespace, sourceTopic: p.topic, logGroup: `${p.namespace}-logs` },
  });
}

describe("window-completeness against moto, the Logs stand-in and the real Kafka broker", {
  timeout: 120_000,
}, () => {
  it("the watermark trails by 180 s while the source topic still receives records: watermark-stuck", async () => {
    const p = await seed({
      completeness: [...flat(20, 99), ...flat(10, 71)],
      watermarkLagMs: [...flat(20, 2500), ...ramp(10, 20_000, 180_000)],
      recordTimestamp: Date.now(),
    });
    programLogs({ in: 10_000, out: 7_100, late: 0 });

    const { report } = await runLive("window-completeness", configFor(p));
    const c = report.conclusion;
    expect(c.cause).toBe("watermark-stuck");
    expect(c.summary).toContain("the watermark trails by 180 s (stuck over 60 s)");
    expect(c.summary).toMatch(
      /while the source topic still receives records \(newest \d+ s old\): Flink is stalled/,
    );
    expect(c.summary).toContain("at 71%)");
  });

  it("the watermark trails and the source topic's newest record is 15 minutes old: source-idle", async () => {
    const p = await seed({
      completeness: [...flat(20, 99), ...flat(10, 64)],
      watermarkLagMs: [...flat(20, 2500), ...ramp(10, 60_000, 900_000)],
      recordTimestamp: Date.now() - 15 * MINUTE,
    });
    programLogs({ in: 4_000, out: 2_560, late: 0 });

    const { report } = await runLive("window-completeness", configFor(p));
    const c = report.conclusion;
    expect(c.cause).toBe("source-idle");
    expect(c.summary).toContain("the watermark trails by 900 s");
    expect(c.summary).toMatch(
      /the newest record on the source topic is (899|9\d\d) s old: the source stopped sending/,
    );
  });

  it("1,200 of 10,000 records of the worst window arrived late, the watermark moving: late-arrivals", async () => {
    const p = await seed({
      completeness: [...flat(20, 99), ...flat(10, 88)],
      watermarkLagMs: flat(30, 2500),
      recordTimestamp: Date.now(),
    });
    programLogs({ in: 10_000, out: 8_700, late: 1_200 });

    const { report } = await runLive("window-completeness", configFor(p));
    const c = report.conclusion;
    expect(c.cause).toBe("late-arrivals");
    expect(c.summary).toContain("1,200 of 10,000 records of");
    expect(c.summary).toContain("arrived late (12%, over 5%)");
  });
});
