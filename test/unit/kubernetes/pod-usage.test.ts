import { describe, expect, it } from "vitest";
import {
  joinPodUsage,
  type PodLimitsSource,
  type PodMetricsSource,
  podMetricsItems,
} from "../../../src/adapters/kubernetes/pod-usage.ts";

const pod = (
  name: string,
  containers: { name: string; limits?: Record<string, string> }[],
): PodLimitsSource => ({
  metadata: { name },
  spec: {
    containers: containers.map((c) => ({
      name: c.name,
      ...(c.limits ? { resources: { limits: c.limits } } : {}),
    })),
  },
});

const metrics = (name: string, usage: { cpu: string; memory: string }[]): PodMetricsSource => ({
  metadata: { name },
  containers: usage.map((u, i) => ({ name: `c${i}`, usage: u })),
});

describe("joinPodUsage", () => {
  it("sums containers' usage and limits per pod, sorted by pod name", () => {
    const rows = joinPodUsage(
      [
        pod("b", [{ name: "main", limits: { cpu: "2", memory: "8Gi" } }]),
        pod("a", [
          { name: "main", limits: { cpu: "1500m", memory: "1Gi" } },
          { name: "sidecar", limits: { cpu: "500m", memory: "512Mi" } },
        ]),
      ],
      [
        metrics("b", [{ cpu: "1900000000n", memory: "7782400Ki" }]),
        metrics("a", [
          { cpu: "1200m", memory: "900Mi" },
          { cpu: "100000000n", memory: "100Mi" },
        ]),
      ],
    );
    expect(rows).toEqual([
      {
        pod: "a",
        cpuMillicores: 1300,
        memoryBytes: 1000 * 2 ** 20,
        cpuLimitMillicores: 2000,
        memoryLimitBytes: 1536 * 2 ** 20,
      },
      {
        pod: "b",
        cpuMillicores: 1900,
        memoryBytes: 7600 * 2 ** 20,
        cpuLimitMillicores: 2000,
        memoryLimitBytes: 8 * 2 ** 30,
      },
    ]);
  });

  it("reports a null limit when any container has none for that resource", () => {
    const [row] = joinPodUsage(
      [
        pod("a", [
          { name: "main", limits: { memory: "1Gi" } },
          { name: "sidecar", limits: { memory: "1Gi" } },
        ]),
      ],
      [metrics("a", [{ cpu: "10m", memory: "1Mi" }])],
    );
    expect(row?.cpuLimitMillicores).toBeNull();
    expect(row?.memoryLimitBytes).toBe(2 * 2 ** 30);
  });

  it("omits pods without metrics and metrics without pods", () => {
    const rows = joinPodUsage(
      [pod("scraped", [{ name: "m", limits: { cpu: "1", memory: "1Gi" } }]), pod("pending", [{ name: "m" }])],
      [
        metrics("scraped", [{ cpu: "1m", memory: "1Ki" }]),
        metrics("deleted", [{ cpu: "1m", memory: "1Ki" }]),
      ],
    );
    expect(rows.map((r) => r.pod)).toEqual(["scraped"]);
  });
});

describe("podMetricsItems", () => {
  it("accepts a PodMetricsList and rejects anything else", () => {
    expect(podMetricsItems({ kind: "PodMetricsList", items: [] })).toEqual([]);
    expect(() => podMetricsItems({ kind: "Status" })).toThrow("not a PodMetricsList");
    expect(() => podMetricsItems("404 page not found")).toThrow("not a PodMetricsList");
  });
});
