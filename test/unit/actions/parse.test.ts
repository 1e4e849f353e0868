/**
 * Every action's parse: the public params contract (what the runbooks propose) is accepted, and
 * anything outside the pipeline's scope or the service limits is refused with a clear problem.
 */
import { describe, expect, it } from "vitest";
import type { ActionDefinition, JsonParams } from "../../../src/actions/action.ts";
import { actionIds, findAction } from "../../../src/actions/registry.ts";
import { CLUSTER_ARN, testConfig } from "./config.ts";

const config = testConfig();
const JOB_ID = "7c1f0d0e5e2a4b55a1d9f3e2b8c4d6a1";

function action(id: string): ActionDefinition<JsonParams> {
  const def = findAction(id);
  if (!def) throw new Error(`no action ${id}`);
  return def;
}

const problemsOf = (id: string, raw: unknown) => {
  const result = action(id).parse(raw, config);
  return result.ok ? [] : result.problems;
};

describe("the registry", () => {
  it("holds the ten actions by their public ids, each with a risk tier", () => {
    expect(actionIds()).toEqual([
      "scale-taskmanagers",
      "rollback",
      "restart-taskmanagers",
      "delete-taskmanager-pods",
      "set-taskmanager-resources",
      "grow-pvc",
      "reboot-broker",
      "firehose-buffering",
      "trigger-checkpoint",
      "reset-consumer-offsets",
    ]);
    expect(Object.fromEntries(actionIds().map((id) => [id, action(id).risk]))).toEqual({
      "scale-taskmanagers": "high",
      rollback: "high",
      "restart-taskmanagers": "high",
      "delete-taskmanager-pods": "high",
      "set-taskmanager-resources": "high",
      "grow-pvc": "high",
      "reboot-broker": "critical",
      "firehose-buffering": "high",
      "trigger-checkpoint": "low",
      "reset-consumer-offsets": "high",
    });
  });
});

describe("params the runbooks propose are accepted as they are", () => {
  it.each([
    ["rollback", { namespace: "flink", deployment: "flink-taskmanager", toRevision: 2, fromRevision: 3 }],
    ["rollback", { namespace: "flink", deployment: "flink-taskmanager" }],
    ["restart-taskmanagers", { namespace: "flink", deployment: "flink-taskmanager" }],
    ["delete-taskmanager-pods", { namespace: "flink", selector: "app=flink-taskmanager" }],
    [
      "set-taskmanager-resources",
      {
        namespace: "flink",
        deployment: "flink-taskmanager",
        container: "taskmanager",
        requests: { memory: "10Gi" },
        limits: { memory: "12Gi" },
      },
    ],
    ["grow-pvc", { namespace: "flink", claim: "flink-state-pvc", from: "50Gi", to: "100Gi" }],
    ["reboot-broker", { clusterArn: CLUSTER_ARN, brokerId: 2 }],
    [
      "firehose-buffering",
      {
        streamName: "order-firehose",
        destinationId: "destinationId-000000000001",
        versionId: "3",
        sizeMb: 128,
        intervalSeconds: 60,
      },
    ],
    ["trigger-checkpoint", { jobId: JOB_ID }],
    [
      "reset-consumer-offsets",
      { group: "order-processor", topic: "orders.raw", fromTime: "2025-01-13T10:15:00.000Z" },
    ],
    ["reset-consumer-offsets", { group: "order-processor", topic: "orders.raw", minutesAgo: 30 }],
    [
      "reset-consumer-offsets",
      {
        group: "order-processor",
        topic: "orders.raw",
        fromTime: "2025-01-13T10:15:00+01:00",
        partitions: [
          { partition: 0, from: 1200, to: 950 },
          { partition: 2, from: null, to: 40 },
        ],
      },
    ],
  ])("%s %j", (id, raw) => {
    expect(action(id).parse(raw, config)).toEqual({ ok: true, params: raw });
  });

  it("reset-consumer-offsets takes the group and topic from the config when a proposal leaves them out", () => {
    const custom = testConfig({ pipeline: { consumerGroup: "orders-v2", sourceTopic: "orders.v2" } });
    expect(action("reset-consumer-offsets").parse({ minutesAgo: 10 }, custom)).toEqual({
      ok: true,
      params: { group: "orders-v2", topic: "orders.v2", minutesAgo: 10 },
    });
  });
});

describe("scope: only the pipeline's objects may be touched", () => {
  it.each([
    [
      "rollback",
      { namespace: "kube-system", deployment: "coredns", toRevision: 1 },
      ["deployment: only flink/flink-taskmanager may be touched, not kube-system/coredns"],
    ],
    [
      "restart-taskmanagers",
      { namespace: "flink", deployment: "flink-jobmanager" },
      ["deployment: only flink/flink-taskmanager may be touched, not flink/flink-jobmanager"],
    ],
    [
      "delete-taskmanager-pods",
      { namespace: "flink", selector: "app in (flink-taskmanager, flink-jobmanager)" },
      [
        "selector: only the taskmanager pods (app=flink-taskmanager) may be deleted, not app in (flink-taskmanager, flink-jobmanager)",
      ],
    ],
    [
      "delete-taskmanager-pods",
      { namespace: "default", selector: "app=flink-taskmanager" },
      ["namespace: only flink may be touched, not default"],
    ],
    [
      "set-taskmanager-resources",
      { namespace: "flink", deployment: "other", container: "c", limits: { cpu: "2" } },
      ["deployment: only flink/flink-taskmanager may be touched, not flink/other"],
    ],
    [
      "grow-pvc",
      { namespace: "flink", claim: "data-kafka-0", to: "100Gi" },
      ["claim: only flink-state-pvc may be grown, not data-kafka-0"],
    ],
    [
      "reboot-broker",
      { clusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/Other/abc", brokerId: 1 },
      [
        "clusterArn: only the configured cluster OrderProcessing may be touched, not arn:aws:kafka:us-east-1:123456789012:cluster/Other/abc",
      ],
    ],
    [
      "firehose-buffering",
      { streamName: "audit-firehose", sizeMb: 64, intervalSeconds: 60 },
      ["streamName: only order-firehose may be changed, not audit-firehose"],
    ],
    [
      "reset-consumer-offsets",
      { group: "billing", topic: "payments", minutesAgo: 5 },
      [
        "group: only order-processor may be reset, not billing",
        "topic: only orders.raw may be reset, not payments",
      ],
    ],
  ])("%s %j", (id, raw, problems) => {
    expect(problemsOf(id, raw)).toEqual(problems);
  });

  it("reboot-broker is refused outright when no MSK cluster is configured", () => {
    const bare = testConfig({ msk: undefined });
    expect(action("reboot-broker").parse({ clusterArn: CLUSTER_ARN, brokerId: 2 }, bare)).toEqual({
      ok: false,
      problems: ["clusterArn: no MSK cluster is configured (msk.clusterArn)"],
    });
  });
});

describe("values are checked before anything is read", () => {
  it.each([
    [
      "rollback",
      { namespace: "flink", deployment: "flink-taskmanager", toRevision: 3, fromRevision: 3 },
      ["toRevision: 3 is the revision to roll back from"],
    ],
    [
      "set-taskmanager-resources",
      {
        namespace: "flink",
        deployment: "flink-taskmanager",
        container: "taskmanager",
        requests: { memory: "16Gi" },
        limits: { memory: "12Gi", cpu: "lots" },
      },
      [
        'limits.cpu: "lots" is not a cpu quantity greater than 0',
        "requests.memory: 16Gi exceeds limits.memory 12Gi",
      ],
    ],
    [
      "set-taskmanager-resources",
      { namespace: "flink", deployment: "flink-taskmanager", container: "taskmanager", limits: {} },
      ["requests / limits: give at least one cpu or memory value"],
    ],
    [
      "grow-pvc",
      { namespace: "flink", claim: "flink-state-pvc", from: "fifty", to: "0Gi" },
      ['to: "0Gi" is not a storage size like 100Gi', 'from: "fifty" is not a storage size like 50Gi'],
    ],
    [
      "firehose-buffering",
      { streamName: "order-firehose", sizeMb: 256, intervalSeconds: 901 },
      [
        "buffer size 256 MiB is outside 1..128 MiB (whole MiB)",
        "buffer interval 901 s is outside 0..900 s (whole seconds)",
      ],
    ],
    ["trigger-checkpoint", { jobId: "order-processing" }, ["jobId: a Flink job id (32 hex digits)"]],
    ["reboot-broker", { clusterArn: CLUSTER_ARN, brokerId: "2" }, [expect.stringMatching(/^brokerId: /)]],
    ["reset-consumer-offsets", {}, ["fromTime or minutesAgo: say from when to reprocess"]],
    [
      "reset-consumer-offsets",
      { fromTime: "2025-01-13T10:15:00Z", minutesAgo: 30 },
      ["fromTime and minutesAgo: give one of them, not both"],
    ],
    [
      "reset-consumer-offsets",
      { fromTime: "2999-01-01T00:00:00Z" },
      ["fromTime: 2999-01-01T00:00:00Z is in the future"],
    ],
    ["reset-consumer-offsets", { fromTime: "yesterday 10:15" }, [expect.stringMatching(/^fromTime: /)]],
    // A time without its zone is ambiguous at 3 a.m.: refused.
    ["reset-consumer-offsets", { fromTime: "2025-01-13T10:15:00" }, [expect.stringMatching(/^fromTime: /)]],
    ["reset-consumer-offsets", { minutesAgo: 0 }, [expect.stringMatching(/^minutesAgo: /)]],
    ["reset-consumer-offsets", { minutesAgo: 43_201 }, [expect.stringMatching(/^minutesAgo: /)]],
    [
      "reset-consumer-offsets",
      { group: "order processor", minutesAgo: 5 },
      [expect.stringMatching(/^group: a Kafka consumer group name/)],
    ],
    [
      "reset-consumer-offsets",
      { minutesAgo: 5, partitions: [{ partition: 0, from: 10, to: 5 }] },
      ["partitions: only with the fromTime they were computed for"],
    ],
  ])("%s %j", (id, raw, problems) => {
    expect(problemsOf(id, raw)).toEqual(problems);
  });

  it("unknown params are refused (strict schemas), so a typo cannot be ignored silently", () => {
    expect(
      problemsOf("restart-taskmanagers", {
        namespace: "flink",
        deployment: "flink-taskmanager",
        force: true,
      }),
    ).toEqual([expect.stringMatching(/force/)]);
  });
});
