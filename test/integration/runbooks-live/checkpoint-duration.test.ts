/**
 * checkpoint-duration end to end through the real adapters:
 * - checkpoint_duration_ms, StateBackendUsedBytes, LatencyP99 (per minute, the last hour): moto,
 *   seeded per test in a namespace of its own, read through the monitoring stand-in.
 * - The checkpoint sizes Logs Insights query (`stats avg(...)`): the monitoring stand-in.
 * - The checkpoint history and configuration: the Flink REST test server (retained checkpoints of
 *   ~180-240 MB each); the second test slows its checkpoints to 40 s.
 * - The RocksDB compaction log lines: the Kubernetes API test server (one "compaction pending" line
 *   per taskmanager in the last 15 minutes: not busy).
 * Not shown here: "compaction" needs 5+ compaction lines per taskmanager in 15 minutes (the drills
 * show it); "below-threshold" is the same probes with a low series.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type MonitoringStandin, startMonitoringStandin } from "../../peers/aws-monitoring-standin.ts";
import { type FlinkRestServer, startFlinkRestServer } from "../../peers/flink-rest-server.ts";
import { type KubeApiServer, startKubeApiServer } from "../../peers/kube-api-server.ts";
import {
  awsSection,
  flat,
  GIB,
  makeConfig,
  ramp,
  runLive,
  seedMetrics,
  uniqueId,
  writeKubeconfig,
} from "./live-helpers.ts";

const motoEndpoint = inject("motoEndpoint");

let standin: MonitoringStandin;
let flink: FlinkRestServer;
let kube: KubeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  standin = await startMonitoringStandin({ upstream: motoEndpoint });
  flink = await startFlinkRestServer();
  kube = await startKubeApiServer();
  kubeconfig = writeKubeconfig(kube.kubeConfigYaml);
});

afterAll(async () => {
  await standin?.close();
  await flink?.stop();
  await kube?.stop();
});

beforeEach(() => {
  standin.reset();
  standin.programQuery({
    matches: (q) => q.includes("stats avg(checkpoint_size_bytes) as avg_bytes"),
    rows: [{ avg_bytes: String(210 * 2 ** 20), max_bytes: String(260 * 2 ** 20) }],
  });
});

async function seed(durationMs: number[], stateBytes: number[]): Promise<string> {
  const namespace = `ckpt-duration-live-${uniqueId()}`;
  await seedMetrics(motoEndpoint, namespace, [
    { metric: "checkpoint_duration_ms", values: durationMs, unit: "Milliseconds" },
    { metric: "StateBackendUsedBytes", values: stateBytes, unit: "Bytes" },
    { metric: "LatencyP99", values: flat(durationMs.length, 3200), unit: "Milliseconds" },
  ]);
  return namespace;
}

function configFor(namespace: string) {
  return makeConfig({
    aws: awsSection({ cloudwatch: standin.endpoint, logs: standin.endpoint }),
    flink: { url: flink.url, requestTimeoutMs: 20_000 },
    kubernetes: { kubeconfig },
    pipeline: { metricsNamespace: namespace },
  });
}

describe.sequential("checkpoint-duration against moto, the Logs stand-in, the Flink REST server and the Kubernetes API server", {
  timeout: 120_000,
}, () => {
  it("checkpoints slow from 12 s to 45 s while StateBackendUsedBytes grows: state-leak", async () => {
    const namespace = await seed(ramp(55, 12_000, 45_000), ramp(55, 2 * GIB, 5 * GIB));
    const { report } = await runLive("checkpoint-duration", configFor(namespace));
    const c = report.conclusion;
    expect(c.cause).toBe("state-leak");
    expect(c.confidence).toBe("high");
    expect(c.summary).toContain("StateBackendUsedBytes trended up over the hour");
  });

  it("45 s checkpoints of flat state, Flink's checkpoints writing ~5 MB/s, compaction quiet: network-slow", async () => {
    const job = flink.state.jobs.find((j) => j.name === "order-processing");
    expect(job).toBeDefined();
    for (const c of job!.checkpoints) {
      c.status = "COMPLETED";
      delete c.failureMessage;
      c.durationMs = 40_000;
      c.checkpointedSize = 200 * 2 ** 20;
      c.stateSize = 2.1 * GIB;
    }
    const namespace = await seed(flat(55, 45_000), flat(55, 2.1 * GIB));
    const { report } = await runLive("checkpoint-duration", configFor(namespace));
    const c = report.conclusion;
    expect(c.cause).toBe("network-slow");
    // State flat and the compaction logs read (quiet): nothing else left open.
    expect(c.confidence).toBe("medium");
    expect(c.openBranches ?? []).toEqual([]);
    // 200 MiB in 40 s = 5.0 MB/s, under the seed's 500 MB in 30 s (16.7 MB/s).
    expect(c.summary).toContain("checkpoints upload at only 5.0 MB/s (under 16.7 MB/s");
  });
});
