/** The adapter's pure parts: log bounds, pod status rows, volume checks, resources, FlinkDeployments. */
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  checkResources,
  mergeResources,
  resourcesPatch,
} from "../../../src/adapters/kubernetes/container-resources.ts";
import { flinkResource, isFlinkTaskmanager } from "../../../src/adapters/kubernetes/flink-deployment.ts";
import { boundLogLines, logQueryProblem } from "../../../src/adapters/kubernetes/pod-logs.ts";
import { defaultContainer, podInfo } from "../../../src/adapters/kubernetes/pod-status.ts";
import { expansionRefusal, summaryVolumes } from "../../../src/adapters/kubernetes/volumes.ts";
import type { VolumeClaimInfo } from "../../../src/ports/kubernetes.ts";

describe("boundLogLines", () => {
  const text = ["a Checkpoint 1", "b", "c CHECKPOINT 2", "d checkpoint 3", ""].join("\n");
  it.each([
    [{}, ["a Checkpoint 1", "b", "c CHECKPOINT 2", "d checkpoint 3"], 4, false],
    [{ grep: "checkpoint" }, ["a Checkpoint 1", "c CHECKPOINT 2", "d checkpoint 3"], 3, false],
    [{ grep: "checkpoint", maxLines: 2 }, ["c CHECKPOINT 2", "d checkpoint 3"], 3, true],
    [{ grep: "checkpoint", maxBytes: 16 }, ["d checkpoint 3"], 3, true],
    [{ grep: "nothing" }, [], 0, false],
  ])("%o", (query, lines, matched, truncated) => {
    expect(boundLogLines(text, query)).toEqual({ lines, matched, truncated });
  });

  it("checks the numeric bounds", () => {
    expect(logQueryProblem({ tailLines: 10, maxBytes: 1 })).toBeNull();
    expect(logQueryProblem({ sinceSeconds: 1.5 })).toBe("sinceSeconds must be a whole number >= 1");
  });
});

describe("podInfo", () => {
  const pod = (status: NonNullable<V1Pod["status"]>): V1Pod => ({
    metadata: { name: "p", annotations: { "kubectl.kubernetes.io/default-container": "main" } },
    spec: { containers: [{ name: "init-like" }, { name: "main" }], nodeName: "n1" },
    status,
  });
  it("prefers the current waiting reason, then the last termination when not ready", () => {
    const info = podInfo(
      pod({
        phase: "Running",
        conditions: [{ type: "Ready", status: "False" }],
        containerStatuses: [
          {
            name: "main",
            image: "i",
            imageID: "",
            ready: false,
            restartCount: 3,
            state: { running: { startedAt: new Date("2025-01-01T00:00:00.000Z") } },
            lastState: { terminated: { reason: "OOMKilled", exitCode: 137 } },
          },
        ],
      }),
    );
    expect(info).toMatchObject({ ready: false, restarts: 3, problem: "OOMKilled", node: "n1" });
    expect(info.containers.map((c) => [c.name, c.state])).toEqual([
      ["init-like", "unknown"],
      ["main", "running"],
    ]);
  });

  it("reports an eviction's reason and a Pending pod's ContainerCreating", () => {
    expect(podInfo(pod({ phase: "Failed", reason: "Evicted" })).problem).toBe("Evicted");
    const pending = podInfo(
      pod({
        phase: "Pending",
        containerStatuses: [
          {
            name: "main",
            image: "i",
            imageID: "",
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: "ContainerCreating" } },
          },
        ],
      }),
    );
    expect(pending).toMatchObject({ phase: "Pending", problem: "ContainerCreating" });
    expect(defaultContainer(pod({}))).toBe("main");
  });
});

describe("volumes", () => {
  const claim: VolumeClaimInfo = {
    namespace: "ns",
    name: "c",
    phase: "Bound",
    requested: "50Gi",
    requestedBytes: 50 * 2 ** 30,
    capacity: "50Gi",
    capacityBytes: 50 * 2 ** 30,
    storageClass: "gp3",
    allowsExpansion: true,
    resizing: null,
  };
  it.each([
    ["100Gi", null],
    ["50Gi", "refused"],
    ["53687091200", "refused"],
    ["51G", "refused"],
    ["54G", null],
    ["big", "invalid"],
  ])("grow to %s -> %s", (size, code) => {
    expect(expansionRefusal(claim, size)?.code ?? null).toBe(code);
  });

  it("refuses without a class or expansion", () => {
    expect(expansionRefusal({ ...claim, storageClass: null }, "60Gi")?.message).toBe(
      "persistentvolumeclaim ns/c has no StorageClass, so it cannot be expanded",
    );
    expect(expansionRefusal({ ...claim, allowsExpansion: false }, "60Gi")?.code).toBe("refused");
  });

  it("leaves an unreadable StorageClass (null) to the API server's admission", () => {
    expect(expansionRefusal({ ...claim, allowsExpansion: null }, "60Gi")).toBeNull();
    expect(expansionRefusal({ ...claim, allowsExpansion: null }, "40Gi")?.code).toBe("refused");
  });

  it("reads only the asked pods' volumes from a summary", () => {
    const summary = JSON.stringify({
      pods: [
        {
          podRef: { name: "a", namespace: "ns" },
          volume: [{ name: "v", usedBytes: 1, capacityBytes: 4, pvcRef: { name: "c" } }],
        },
        { podRef: { name: "b", namespace: "ns" }, volume: [{ name: "v", usedBytes: 2, capacityBytes: 4 }] },
        {
          podRef: { name: "a", namespace: "other" },
          volume: [{ name: "v", usedBytes: 3, capacityBytes: 4 }],
        },
      ],
    });
    expect(summaryVolumes(summary, "n", "ns", new Set(["a"]))).toEqual([
      { pod: "a", node: "n", volume: "v", claim: "c", usedBytes: 1, capacityBytes: 4, availableBytes: 3 },
    ]);
    expect(() => summaryVolumes("{}", "n", "ns", new Set())).toThrow(
      "node n answered a stats summary without pods",
    );
  });
});

describe("container resources", () => {
  const before = { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } };
  it("merges, validates, and patches only what was given", () => {
    const change = { limits: { cpu: "4" } };
    const after = mergeResources(before, change);
    expect(after).toEqual({ requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "4", memory: "8Gi" } });
    expect(() => checkResources(change, after)).not.toThrow();
    expect(resourcesPatch("tm", change)).toEqual({
      spec: { template: { spec: { containers: [{ name: "tm", resources: { limits: { cpu: "4" } } }] } } },
    });
  });
  it.each([
    [{}, "no requests or limits given"],
    [{ limits: { memory: "4Gi" } }, "requests.memory 8Gi would exceed limits.memory 4Gi"],
    [{ requests: { cpu: "0" } }, "requests.cpu: invalid quantity"],
  ])("refuses %o", (change, message) => {
    expect(() => checkResources(change, mergeResources(before, change))).toThrow(message);
  });
});

describe("FlinkDeployment helpers", () => {
  const fd = {
    metadata: { name: "job" },
    status: { taskManager: { labelSelector: "component=taskmanager,app=job" } },
  };
  it.each([
    [{ app: "job", component: "taskmanager", type: "flink-native-kubernetes" }, [], true],
    [{ app: "other", component: "taskmanager" }, [], false],
    [{}, [{ kind: "Deployment", name: "job" }], true],
    [{}, [{ kind: "Deployment", name: "job-taskmanager" }], true],
    [{}, [{ kind: "ReplicaSet", name: "job" }], false],
  ])("labels %o owners %o -> %s", (labels, owners, expected) => {
    expect(isFlinkTaskmanager(fd, { labels, owners })).toBe(expected);
  });

  it("turns resources into spec.taskManager.resource", () => {
    expect(flinkResource({ limits: { cpu: "1500m", memory: "6Gi" } })).toEqual({ cpu: 1.5, memory: "6Gi" });
    expect(flinkResource({ requests: { cpu: "2" } })).toEqual({ cpu: 2 });
    expect(() => flinkResource({ requests: { memory: "1Gi" }, limits: { memory: "2Gi" } })).toThrow(
      "a FlinkDeployment has one memory value for request and limit",
    );
  });
});
