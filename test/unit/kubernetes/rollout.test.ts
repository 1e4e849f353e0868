/** kubectl's rollout algorithms (rollout.ts), table-driven on Deployment / ReplicaSet JSON. */
import { describe, expect, it } from "vitest";
import {
  equalIgnoreHash,
  historyOf,
  planUndo,
  type RawDeployment,
  type RawReplicaSet,
  restartPatch,
  rolloutStatusOf,
  selectorText,
} from "../../../src/adapters/kubernetes/rollout.ts";
import { KubernetesError } from "../../../src/ports/kubernetes.ts";

const template = (image: string, hash?: string) => ({
  metadata: { labels: { app: "tm", ...(hash ? { "pod-template-hash": hash } : {}) } },
  spec: { containers: [{ name: "tm", image }] },
});

function deployment(overrides: Partial<RawDeployment> = {}, image = "job:3"): RawDeployment {
  return {
    metadata: {
      name: "tm",
      uid: "d-uid",
      generation: 2,
      annotations: {
        "deployment.kubernetes.io/revision": "3",
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
        "kubernetes.io/change-cause": "deploy 3",
      },
    },
    spec: { replicas: 4, selector: { matchLabels: { app: "tm" } }, template: template(image) },
    status: {
      observedGeneration: 2,
      replicas: 4,
      updatedReplicas: 4,
      readyReplicas: 4,
      availableReplicas: 4,
    },
    ...overrides,
  };
}

function replicaSet(
  revision: number | undefined,
  image: string,
  owner = "d-uid",
  cause?: string,
): RawReplicaSet {
  return {
    metadata: {
      name: `tm-${image.replace(/\W/g, "")}`,
      creationTimestamp: `2025-01-0${revision ?? 9}T00:00:00Z`,
      annotations: {
        ...(revision !== undefined ? { "deployment.kubernetes.io/revision": String(revision) } : {}),
        "deployment.kubernetes.io/desired-replicas": "4",
        ...(cause ? { "kubernetes.io/change-cause": cause } : {}),
      },
      ownerReferences: [{ kind: "Deployment", name: "tm", uid: owner, controller: true }],
    },
    spec: { replicas: 0, template: template(image, `h${revision}`) },
  };
}

const sets = [
  replicaSet(1, "job:1", "d-uid", "deploy 1"),
  replicaSet(3, "job:3"),
  replicaSet(2, "job:2", "d-uid", "deploy 2"),
];

describe("rolloutStatusOf", () => {
  const cases: [string, RawDeployment, string, string][] = [
    ["complete", deployment(), "complete", 'deployment "tm" successfully rolled out'],
    [
      "not observed",
      deployment({ status: { observedGeneration: 1 } }),
      "pending",
      "Waiting for deployment spec update to be observed...",
    ],
    [
      "updating",
      deployment({
        status: { observedGeneration: 2, replicas: 5, updatedReplicas: 2, availableReplicas: 4 },
      }),
      "progressing",
      'Waiting for deployment "tm" rollout to finish: 2 out of 4 new replicas have been updated...',
    ],
    [
      "old pods left",
      deployment({
        status: { observedGeneration: 2, replicas: 5, updatedReplicas: 4, availableReplicas: 4 },
      }),
      "progressing",
      'Waiting for deployment "tm" rollout to finish: 1 old replicas are pending termination...',
    ],
    [
      "not available",
      deployment({
        status: { observedGeneration: 2, replicas: 4, updatedReplicas: 4, availableReplicas: 3 },
      }),
      "progressing",
      'Waiting for deployment "tm" rollout to finish: 3 of 4 updated replicas are available...',
    ],
    [
      "deadline",
      deployment({
        status: {
          observedGeneration: 2,
          updatedReplicas: 1,
          conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }],
        },
      }),
      "deadline-exceeded",
      'deployment "tm" exceeded its progress deadline',
    ],
  ];
  it.each(cases)("%s", (_, input, state, message) => {
    expect(rolloutStatusOf(input, "ns", "tm")).toMatchObject({ state, message });
  });
});

describe("historyOf", () => {
  it("keeps the deployment's ReplicaSets with a revision, oldest first, and marks the current one", () => {
    const foreign = replicaSet(7, "job:7", "other-uid");
    const unnumbered = replicaSet(undefined, "job:x");
    const rows = historyOf(deployment(), [...sets, foreign, unnumbered]);
    expect(rows.map((r) => [r.revision, r.images, r.changeCause, r.current])).toEqual([
      [1, ["job:1"], "deploy 1", false],
      [2, ["job:2"], "deploy 2", false],
      [3, ["job:3"], null, true],
    ]);
  });
});

describe("planUndo", () => {
  it("takes the second-newest revision, drops pod-template-hash, and keeps kubectl's annotations", () => {
    const plan = planUndo(deployment(), sets);
    expect(plan).toMatchObject({
      fromRevision: 3,
      toRevision: 2,
      images: ["job:2"],
      changeCause: "deploy 2",
    });
    expect(plan.patch).toEqual([
      { op: "replace", path: "/spec/template", value: template("job:2") },
      {
        op: "replace",
        path: "/metadata/annotations",
        value: {
          "kubectl.kubernetes.io/last-applied-configuration": "{}",
          "deployment.kubernetes.io/revision": "3",
          "kubernetes.io/change-cause": "deploy 2",
        },
      },
    ]);
  });

  it("goes to a requested revision", () => {
    expect(planUndo(deployment(), sets, 1).toRevision).toBe(1);
  });

  const refusals: [string, RawDeployment, RawReplicaSet[], number | undefined, string][] = [
    ["unknown revision", deployment(), sets, 5, "unable to find specified revision 5 in history"],
    [
      "current revision",
      deployment(),
      sets,
      3,
      "skipped rollback (current template already matches revision 3)",
    ],
    [
      "no history",
      deployment(),
      [replicaSet(3, "job:3")],
      undefined,
      'no rollout history found for deployment "tm"',
    ],
    [
      "paused",
      deployment({ spec: { ...deployment().spec, paused: true } }),
      sets,
      undefined,
      "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/tm' and try again",
    ],
  ];
  it.each(refusals)("refuses: %s", (_, input, replicaSets, revision, message) => {
    expect(() => planUndo(input, replicaSets, revision)).toThrow(new KubernetesError("refused", message));
  });
});

describe("restartPatch and helpers", () => {
  it("sets restartedAt (RFC 3339) and refuses a paused deployment", () => {
    expect(restartPatch(deployment(), new Date("2025-06-03T10:20:30.999Z"))).toEqual({
      restartedAt: "2025-06-03T10:20:30Z",
      patch: {
        spec: {
          template: {
            metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2025-06-03T10:20:30Z" } },
          },
        },
      },
    });
    expect(() => restartPatch(deployment({ spec: { paused: true } }), new Date())).toThrow(
      "can't restart paused deployment",
    );
  });

  it("compares templates without the hash label and writes selectors", () => {
    expect(equalIgnoreHash(template("a", "x"), template("a"))).toBe(true);
    expect(equalIgnoreHash(template("a"), template("b"))).toBe(false);
    expect(
      selectorText({
        spec: {
          selector: {
            matchLabels: { app: "tm" },
            matchExpressions: [
              { key: "tier", operator: "In", values: ["a", "b"] },
              { key: "canary", operator: "DoesNotExist" },
            ],
          },
        },
      }),
    ).toBe("app=tm,tier in (a,b),!canary");
  });
});
