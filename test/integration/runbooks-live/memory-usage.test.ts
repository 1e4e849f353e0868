/**
 * memory-usage end to end through the real adapters:
 * - memory_usage_percentage, StateBackendUsedBytes, task_buffer_out_pool_usage_percentage (Average,
 *   per minute): moto, seeded per test in a namespace of its own, read through the monitoring
 *   stand-in (passed on to moto).
 * - The taskmanagers' heap / managed / network memory: the Flink REST test server (4 taskmanagers,
 *   heap 3.1-3.4 GiB of 4 GiB).
 * - Pod memory against limits, the pods, volume usage, "window emitted" log lines: the Kubernetes
 *   API test server (4 pods at ~7.6 GiB of an 8 GiB limit).
 * Not shown here: "spike" and "below-threshold" (same probes, flat / low series: the unit tests
 * and drills cover them).
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
});

/** 55 minutes of the three series, in a namespace of the test's own. */
async function seed(memory: number[], stateBytes: number[], buffers: number[]): Promise<string> {
  const namespace = `memory-live-${uniqueId()}`;
  await seedMetrics(motoEndpoint, namespace, [
    { metric: "memory_usage_percentage", values: memory, unit: "Percent" },
    { metric: "StateBackendUsedBytes", values: stateBytes, unit: "Bytes" },
    { metric: "task_buffer_out_pool_usage_percentage", values: buffers, unit: "Percent" },
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

describe("memory-usage against moto, the Flink REST server and the Kubernetes API server", {
  timeout: 120_000,
}, () => {
  it("the state backend grows 2 -> 6 GiB in the hour with memory at 92%: state-growth", async () => {
    const namespace = await seed(ramp(55, 70, 92), ramp(55, 2 * GIB, 6 * GIB), flat(55, 35));
    const { report } = await runLive("memory-usage", configFor(namespace));
    const c = report.conclusion;
    expect(c.cause).toBe("state-growth");
    expect(c.summary).toContain("Memory 92% (threshold 85%)");
    expect(c.summary).toContain("the state backend grows by 4.4 GiB/hour (now 6.0 GiB)");
    expect(c.summary).toContain("state is not being cleared");
  });

  it("output buffers 95% full, memory steady at 88% and flat state: backpressure-buffers", async () => {
    const namespace = await seed(flat(55, 88), flat(55, 2 * GIB), [...flat(50, 40), ...flat(5, 95)]);
    const { report } = await runLive("memory-usage", configFor(namespace));
    const c = report.conclusion;
    expect(c.cause).toBe("backpressure-buffers");
    expect(c.summary).toContain("output buffers are 95% full (over 80%) with memory at 88%");
  });

  it("memory climbing 75% -> 93% with flat state and buffers: heap-leak, the JVM heap read from Flink", async () => {
    const namespace = await seed(ramp(55, 75, 93), flat(55, 2 * GIB), flat(55, 30));
    const { report } = await runLive("memory-usage", configFor(namespace));
    const c = report.conclusion;
    expect(c.cause).toBe("heap-leak");
    expect(c.summary).toContain("memory at 93% and growing");
    // The fullest taskmanager of the Flink server: 3.4 GiB of its 4 GiB heap.
    expect(c.summary).toContain("JVM heap 85% used on the fullest taskmanager");
  });
});
