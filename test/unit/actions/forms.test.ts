/**
 * The actions' forms: the fields each one describes (from the proposal's params and, for rollback
 * and reboot-broker, from the current state through a port), how submitted values become params,
 * and where parse()'s problems land.
 */
import { describe, expect, it } from "vitest";
import type { ActionContext } from "../../../src/actions/action.ts";
import { numberOrText, problemsByField } from "../../../src/actions/action-form.ts";
import { findAction } from "../../../src/actions/registry.ts";
import { systemClock } from "../../../src/ports/clock.ts";
import type { RolloutRevision } from "../../../src/ports/kubernetes.ts";
import { ConsumerLagScenario } from "../../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedKafka } from "../../../src/sandbox/simulated/simulated-kafka.ts";
import { SimulatedMsk } from "../../../src/sandbox/simulated/simulated-msk.ts";
import { fakeKubernetesPort } from "../../fakes/ports.ts";
import { CLUSTER_ARN, testConfig } from "./config.ts";

const config = testConfig();
const noPorts: ActionContext = { ports: { clock: systemClock }, config };

function formOf(id: string) {
  const form = findAction(id)?.form;
  if (!form) throw new Error(`${id} has no form`);
  return form;
}

const revision = (n: number, image: string, current = false, cause: string | null = `deploy ${image}`) =>
  ({
    revision: n,
    replicaSet: `flink-taskmanager-${n}`,
    changeCause: cause,
    images: [`flink-job:${image}`],
    createdAt: "2025-06-02T08:41:27Z",
    replicas: current ? 4 : 0,
    current,
  }) satisfies RolloutRevision;

const k8sWith = (history: RolloutRevision[]) =>
  fakeKubernetesPort({
    describeTarget: "test",
    rolloutHistory: async (namespace, deployment) => {
      expect([namespace, deployment]).toEqual(["flink", "flink-taskmanager"]);
      return history;
    },
  });

describe("problemsByField", () => {
  it("puts each problem on the field it names, unnamed ones on the first, several joined", () => {
    expect(
      problemsByField(
        ["limits.memory", "requests.memory", "sizeMb"],
        [
          "requests.memory: 20Gi exceeds limits.memory 16Gi",
          "limits.memory: must not be empty",
          "requests / limits: give at least one cpu or memory value",
          "buffer size 200 MiB is outside 1..128 MiB (whole MiB)",
        ],
        { sizeMb: ["buffer size"] },
      ),
    ).toEqual({
      "requests.memory": "requests.memory: 20Gi exceeds limits.memory 16Gi",
      "limits.memory":
        "limits.memory: must not be empty; requests / limits: give at least one cpu or memory value",
      sizeMb: "buffer size 200 MiB is outside 1..128 MiB (whole MiB)",
    });
  });

  it("has nowhere to put problems without fields", () => {
    expect(problemsByField([], ["anything"])).toEqual({});
  });

  it("numberOrText keeps what is not a number for parse() to name", () => {
    expect([numberOrText("8"), numberOrText("-2"), numberOrText("2.5"), numberOrText("eight")]).toEqual([
      8,
      -2,
      2.5,
      "eight",
    ]);
  });
});

describe("which actions take a value", () => {
  it("the seven with a value have a form; restart, delete pods and trigger checkpoint do not", () => {
    const withForm = [
      "scale-taskmanagers",
      "rollback",
      "set-taskmanager-resources",
      "grow-pvc",
      "firehose-buffering",
      "reboot-broker",
      "reset-consumer-offsets",
    ];
    for (const id of withForm) expect(findAction(id)?.form, id).toBeDefined();
    for (const id of ["restart-taskmanagers", "delete-taskmanager-pods", "trigger-checkpoint"]) {
      expect(findAction(id)?.form, id).toBeUndefined();
    }
  });

  it.each([
    ["scale-taskmanagers", { namespace: "flink", deployment: "flink-taskmanager" }, true],
    ["scale-taskmanagers", { namespace: "flink", deployment: "flink-taskmanager", replicas: 8 }, false],
    ["rollback", { namespace: "flink", deployment: "flink-taskmanager" }, false],
    ["set-taskmanager-resources", { container: "taskmanager" }, true],
    ["set-taskmanager-resources", { container: "taskmanager", limits: { memory: "12Gi" } }, false],
    ["grow-pvc", { claim: "flink-state-pvc" }, true],
    ["grow-pvc", { claim: "flink-state-pvc", to: "100Gi" }, false],
    ["firehose-buffering", { streamName: "order-firehose", sizeMb: 64 }, true],
    ["firehose-buffering", { streamName: "order-firehose", sizeMb: 64, intervalSeconds: 60 }, false],
    ["reboot-broker", { clusterArn: CLUSTER_ARN }, true],
    ["reboot-broker", { clusterArn: CLUSTER_ARN, brokerId: 2 }, false],
    ["reset-consumer-offsets", { group: "order-processor" }, true],
    ["reset-consumer-offsets", { fromTime: "2025-01-13T10:15:00Z" }, false],
    ["reset-consumer-offsets", { minutesAgo: 30 }, false],
  ] as const)("%s %j needs a value: %s", (id, params, expected) => {
    expect(formOf(id).needsValue(params)).toBe(expected);
  });
});

describe("scale-taskmanagers", () => {
  const base = { namespace: "flink", deployment: "flink-taskmanager", replicas: 8, fromReplicas: 4 };

  it("asks for replicas within the configured bounds, starting from the proposal", async () => {
    const form = await formOf("scale-taskmanagers").describe(base, noPorts);
    expect(form.title).toBe("Scale taskmanagers");
    expect(form.intro).toContain("flink-taskmanager in namespace flink runs 4 replicas");
    expect(form.fields).toEqual([
      {
        kind: "number",
        id: "replicas",
        label: "Replicas",
        min: 1,
        max: 12,
        initial: 8,
        hint: "A whole number from 1 to 12 (actions.scaleTaskmanagers).",
      },
    ]);
  });

  it("turns the value into params that parse() checks against the bounds", () => {
    const spec = formOf("scale-taskmanagers");
    const def = findAction("scale-taskmanagers")!;
    expect(spec.toParams({ replicas: " 6 " }, base)).toEqual({ ...base, replicas: 6 });
    const over = def.parse(spec.toParams({ replicas: "13" }, base), config);
    expect(over.ok).toBe(false);
    if (!over.ok) {
      expect(problemsByField(["replicas"], over.problems)).toEqual({
        replicas: "replicas: 13 is outside the allowed 1..12",
      });
    }
    const words = def.parse(spec.toParams({ replicas: "six" }, base), config);
    expect(words.ok).toBe(false);
    if (!words.ok) expect(words.problems[0]).toMatch(/^replicas: /);
  });
});

describe("rollback", () => {
  const params = { namespace: "flink", deployment: "flink-taskmanager", toRevision: 4, fromRevision: 5 };

  it("offers the earlier revisions of the rollout history, newest first, with image and change-cause", async () => {
    const history = [revision(3, "1.4.1", false, null), revision(4, "1.4.2"), revision(5, "1.4.3", true)];
    const form = await formOf("rollback").describe(params, {
      ...noPorts,
      ports: { clock: systemClock, kubernetes: k8sWith(history) },
    });
    expect(form.intro).toContain('runs revision 5 (flink-job:1.4.3, "deploy 1.4.3")');
    expect(form.fields).toEqual([
      expect.objectContaining({
        kind: "select",
        id: "toRevision",
        initial: "4",
        options: [
          { value: "4", label: '4 · flink-job:1.4.2 · "deploy 1.4.2"' },
          { value: "3", label: "3 · flink-job:1.4.1 · no change-cause" },
        ],
      }),
    ]);
    expect(formOf("rollback").toParams({ toRevision: "3" }, params)).toEqual({ ...params, toRevision: 3 });
  });

  it("starts from the previous revision when the proposal's is not in the history", async () => {
    const history = [revision(5, "1.4.3"), revision(6, "1.4.4"), revision(7, "1.4.5", true)];
    const form = await formOf("rollback").describe(params, {
      ...noPorts,
      ports: { clock: systemClock, kubernetes: k8sWith(history) },
    });
    expect(form.fields[0]).toMatchObject({ initial: "6" });
  });

  it("refuses without Kubernetes, or without an earlier revision", async () => {
    await expect(formOf("rollback").describe(params, noPorts)).rejects.toThrow(
      "Kubernetes is not configured: the bot cannot reach it",
    );
    await expect(
      formOf("rollback").describe(params, {
        ...noPorts,
        ports: { clock: systemClock, kubernetes: k8sWith([revision(5, "1.4.3", true)]) },
      }),
    ).rejects.toThrow("flink-taskmanager has no other revision in its rollout history to roll back to");
  });
});

describe("reboot-broker", () => {
  it("offers the cluster's brokers as MSK lists them", async () => {
    const msk = new SimulatedMsk();
    const brokers = await msk.listBrokers(CLUSTER_ARN);
    const form = await formOf("reboot-broker").describe(
      { clusterArn: CLUSTER_ARN, brokerId: 2 },
      { ...noPorts, ports: { clock: systemClock, msk } },
    );
    const field = form.fields[0];
    expect(field?.kind).toBe("select");
    if (field?.kind !== "select") return;
    expect(field.options.map((o) => o.value)).toEqual(brokers.map((b) => String(b.brokerId)).sort());
    expect(field.options[0]?.label).toBe(`broker ${brokers[0]!.brokerId} · ${brokers[0]!.endpoints[0]}`);
    expect(field.initial).toBe("2");
    expect(formOf("reboot-broker").toParams({ brokerId: "3" }, { clusterArn: CLUSTER_ARN })).toEqual({
      clusterArn: CLUSTER_ARN,
      brokerId: 3,
    });
  });

  it("refuses without MSK configured", async () => {
    const msk = new SimulatedMsk();
    const bare = { ...testConfig(), msk: undefined } as unknown as typeof config;
    await expect(
      formOf("reboot-broker").describe({}, { config: bare, ports: { clock: systemClock, msk } }),
    ).rejects.toThrow("no MSK cluster is configured (msk.clusterArn)");
    await expect(formOf("reboot-broker").describe({ clusterArn: CLUSTER_ARN }, noPorts)).rejects.toThrow(
      "MSK is not configured",
    );
  });
});

describe("set-taskmanager-resources", () => {
  const base = {
    namespace: "flink",
    deployment: "flink-taskmanager",
    container: "taskmanager",
    requests: { memory: "12Gi" },
    limits: { memory: "12Gi" },
  };

  it("asks for the four quantities, optional, from the proposal", async () => {
    const form = await formOf("set-taskmanager-resources").describe(base, noPorts);
    expect(
      form.fields.map((f) => [f.id, f.kind, f.optional, "initial" in f ? f.initial : undefined]),
    ).toEqual([
      ["limits.memory", "text", true, "12Gi"],
      ["limits.cpu", "text", true, undefined],
      ["requests.memory", "text", true, "12Gi"],
      ["requests.cpu", "text", true, undefined],
    ]);
  });

  it("keeps only the values given, and parse() puts its problems on their fields", () => {
    const spec = formOf("set-taskmanager-resources");
    const def = findAction("set-taskmanager-resources")!;
    const raw = spec.toParams(
      { "limits.memory": "16Gi", "requests.memory": "20Gi", "limits.cpu": " " },
      base,
    );
    expect(raw).toEqual({
      namespace: "flink",
      deployment: "flink-taskmanager",
      container: "taskmanager",
      limits: { memory: "16Gi" },
      requests: { memory: "20Gi" },
    });
    const parsed = def.parse(raw, config);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(
        problemsByField(["limits.memory", "limits.cpu", "requests.memory", "requests.cpu"], parsed.problems),
      ).toEqual({ "requests.memory": "requests.memory: 20Gi exceeds limits.memory 16Gi" });
    }
    expect(spec.toParams({}, base)).toEqual({
      namespace: "flink",
      deployment: "flink-taskmanager",
      container: "taskmanager",
    });
  });
});

describe("grow-pvc and firehose-buffering", () => {
  it("grow-pvc asks for the new size and leaves the claim alone", async () => {
    const base = { namespace: "flink", claim: "flink-state-pvc", from: "50Gi", to: "100Gi" };
    const form = await formOf("grow-pvc").describe(base, noPorts);
    expect(form.intro).toContain("flink-state-pvc in namespace flink requests 50Gi");
    expect(form.fields).toEqual([expect.objectContaining({ kind: "text", id: "to", initial: "100Gi" })]);
    expect(formOf("grow-pvc").toParams({ to: "200Gi" }, base)).toEqual({ ...base, to: "200Gi" });
    const parsed = findAction("grow-pvc")!.parse(formOf("grow-pvc").toParams({ to: "lots" }, base), config);
    expect(parsed.ok ? [] : problemsByField(["to"], parsed.problems)).toEqual({
      to: 'to: "lots" is not a storage size like 100Gi',
    });
  });

  it("firehose-buffering asks for size and interval within the service's limits", async () => {
    const spec = formOf("firehose-buffering");
    const base = { streamName: "order-firehose", sizeMb: 64, intervalSeconds: 60 };
    const form = await spec.describe(base, noPorts);
    expect(
      form.fields.map((f) => [f.id, f.kind, "min" in f ? f.min : null, "max" in f ? f.max : null]),
    ).toEqual([
      ["sizeMb", "number", 1, 128],
      ["intervalSeconds", "number", 0, 900],
    ]);
    const parsed = findAction("firehose-buffering")!.parse(
      spec.toParams({ sizeMb: "200", intervalSeconds: "60" }, base),
      config,
    );
    expect(
      parsed.ok ? {} : problemsByField(["sizeMb", "intervalSeconds"], parsed.problems, spec.problemPrefixes),
    ).toEqual({ sizeMb: "buffer size 200 MiB is outside 1..128 MiB (whole MiB)" });
  });
});

describe("reset-consumer-offsets", () => {
  const base = {
    group: "order-processor",
    topic: "orders.raw",
    fromTime: "2025-01-13T10:15:00.000Z",
    partitions: [{ partition: 0, from: 10, to: 5 }],
  };
  it("asks for the time, starting from the proposal's, and says what the group is doing", async () => {
    const kafka = new SimulatedKafka(new ConsumerLagScenario());
    const form = await formOf("reset-consumer-offsets").describe(base, {
      config,
      ports: { clock: systemClock, kafka },
    });
    expect(form.intro).toMatch(
      /^Moves order-processor's committed offsets on orders\.raw back .* Now: group Stable, 4 members, lag [\d,]+\./,
    );
    expect(form.fields).toEqual([
      expect.objectContaining({ kind: "text", id: "fromTime", initial: "2025-01-13T10:15:00.000Z" }),
    ]);
  });
  it("a new time drops the partitions computed for the old one; parse() checks the time", () => {
    const spec = formOf("reset-consumer-offsets");
    expect(spec.toParams({ fromTime: "2025-01-13T10:00:00Z" }, base)).toEqual({
      group: "order-processor",
      topic: "orders.raw",
      fromTime: "2025-01-13T10:00:00Z",
    });
    const parsed = findAction("reset-consumer-offsets")!.parse(
      spec.toParams({ fromTime: "yesterday" }, base),
      config,
    );
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? {} : Object.keys(problemsByField(["fromTime"], parsed.problems))).toEqual([
      "fromTime",
    ]);
  });
});
