/**
 * The stand-in API server (test/peers/kube-api-server.ts) answers like the real kube-apiserver
 * v1.34.4: each recorded answer (test/fixtures/kube-recordings/v1.34.4, made by
 * scripts/kube/record-kube.ts on the real control plane) is replayed against the stand-in, whose
 * status, Content-Type and body must match, after the same normalization (uids,
 * resourceVersions, times).
 *
 * Not compared: what only the real server can know in this setup (a loopback node proxy), and the
 * kubelet and metrics-server shapes, which no real peer serves here (they remain from the docs).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  flinkDeploymentObject,
  type KubeApiServer,
  type KubeSeed,
  podObject,
  startKubeApiServer,
} from "../peers/kube-api-server.ts";

const dir = fileURLToPath(new URL("../fixtures/kube-recordings/v1.34.4/", import.meta.url));

interface Recording {
  request: { method: string; path: string; contentType?: string; body?: unknown };
  status: number;
  contentType: string | null;
  body: unknown;
}

const recordings = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(join(dir, f), "utf8")) as Recording]),
);

/** What the stand-in cannot be compared on (see the header). */
const NOT_COMPARED = new Set(["node-proxy-loopback"]);

/**
 * Object recordings: the stand-in's objects keep their own names, uids and times; compared on
 * their fields. A FlinkDeployment's spec and status are whatever their writer put there (no
 * operator runs here), so only its scale subresource is compared.
 */
const OBJECTS = new Set([
  "pod-delete",
  "deployment",
  "deployment-scale",
  "replicasets",
  "pods",
  "pvc",
  "storageclass",
  "flinkdeployment-scale",
]);
const NOT_COMPARED_OBJECTS = new Set(["flinkdeployment"]);

function normalize(value: unknown): unknown {
  if (typeof value === "string") {
    return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) ? "<time>" : value;
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === "managedFields") continue;
      if (key === "uid" && typeof v === "string") out[key] = "<uid>";
      else if (key === "resourceVersion" && typeof v === "string") out[key] = "<resourceVersion>";
      else out[key] = normalize(v);
    }
    return out;
  }
  return value;
}

/**
 * The field paths of an object tree ("spec.template.spec.containers[].image"), map keys of
 * labels and annotations left out (their keys are data, not schema).
 */
function paths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => paths(item, `${prefix}[]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      if (["labels", "annotations", "matchLabels", "nodeSelector"].includes(key)) return [path];
      return [path, ...paths(v, path)];
    });
  }
  return [];
}

let server: KubeApiServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** The stand-in seeded like the recording run: the story, a FlinkDeployment, the extra claims. */
async function standIn(): Promise<KubeApiServer> {
  const fd = flinkDeploymentObject({ namespace: "flink", name: "flink", replicas: 4, restartNonce: 3 });
  const seed: KubeSeed = { flinkDeployments: [fd], user: "system:serviceaccount:flink:runbook-bot" };
  server = await startKubeApiServer(seed);
  const claim = server.state.persistentVolumeClaims[0]!;
  const gp2 = structuredClone(claim);
  gp2.metadata.name = "gp2-claim";
  gp2.spec.storageClassName = "gp2";
  const unbound = structuredClone(claim);
  unbound.metadata.name = "unbound-claim";
  unbound.status = { phase: "Pending" };
  delete unbound.spec.volumeName;
  delete unbound.metadata.annotations;
  server.state.persistentVolumeClaims.push(gp2, unbound);
  const unscheduled = podObject({
    namespace: "flink",
    name: "unscheduled",
    labels: {},
    containers: [{ name: "taskmanager" }],
    phase: "Pending",
  });
  delete unscheduled.spec.nodeName;
  server.state.pods.push(unscheduled);
  return server;
}

async function replay(
  kube: KubeApiServer,
  name: string,
  recording: Recording,
): Promise<{ status: number; contentType: string | null; body: unknown }> {
  let path = recording.request.path.replace(/flink-taskmanager-<hash>-<pod(\d)>/g, "flink-taskmanager-$1");
  if (name === "unauthorized") path = recording.request.path;
  const token = name === "unauthorized" ? "not-a-token" : kube.token;
  if (name.startsWith("forbidden-")) {
    const [verb, resource] = {
      "forbidden-get-deployment": ["get", "deployments.apps"],
      "forbidden-patch-scale": ["patch", "deployments.apps/scale"],
      "forbidden-list-pods": ["list", "pods"],
      "forbidden-storageclass": ["get", "storageclasses.storage.k8s.io"],
      "forbidden-node-proxy": ["get", "nodes/proxy"],
    }[name] as [never, never];
    kube.setFailure({ verb, resource, status: 403, times: 1 });
  }
  if (name === "metrics-not-served") kube.state.metricsApi = false;
  const answer = await fetch(`${kube.url}${path}`, {
    method: recording.request.method,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: "application/json",
      ...(recording.request.contentType ? { "Content-Type": recording.request.contentType } : {}),
    },
    ...(recording.request.body !== undefined ? { body: JSON.stringify(recording.request.body) } : {}),
  });
  const text = await answer.text();
  const contentType = answer.headers.get("content-type");
  let body: unknown = text;
  if (contentType?.includes("json")) body = JSON.parse(text);
  return { status: answer.status, contentType, body };
}

describe("the stand-in answers like kube-apiserver v1.34.4", () => {
  const compared = Object.entries(recordings).filter(
    ([name]) => !NOT_COMPARED.has(name) && !NOT_COMPARED_OBJECTS.has(name),
  );

  it("has recordings to compare", () => {
    expect(compared.length).toBeGreaterThan(25);
  });

  it.each(compared.filter(([name]) => !OBJECTS.has(name)))("%s", async (name, recording) => {
    const kube = await standIn();
    const answer = await replay(kube, name, recording);
    // The recording's generated pod name is the stand-in's flink-taskmanager-0.
    const expected = JSON.parse(
      JSON.stringify(recording.body).replace(/flink-taskmanager-<hash>-<pod0>/g, "flink-taskmanager-0"),
    ) as unknown;
    expect({
      status: answer.status,
      contentType: answer.contentType,
      body: normalize(answer.body),
    }).toEqual({ status: recording.status, contentType: recording.contentType, body: expected });
  });

  it.each(compared.filter(([name]) => OBJECTS.has(name)))(
    "%s: no field the real server lacks",
    async (name, recording) => {
      const kube = await standIn();
      const answer = await replay(kube, name, recording);
      expect([answer.status, answer.contentType]).toEqual([recording.status, recording.contentType]);
      const real = new Set(paths(recording.body));
      expect(paths(normalize(answer.body)).filter((p) => !real.has(p))).toEqual([]);
    },
  );
});
