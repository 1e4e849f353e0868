/**
 * Records what a real kube-apiserver answers to the requests the stand-in
 * (test/peers/kube-api-server.ts) serves, into test/fixtures/kube-recordings/v<version>/*.json:
 * status, Content-Type and body (JSON parsed, text kept). Starts its own control plane
 * (test/peers/kube-peer.ts) with the sandbox's story in namespace "flink".
 *
 *   npx tsx scripts/kube/record-kube.ts
 *
 * Volatile values (uid, resourceVersion, timestamps, generated names, managedFields) are replaced
 * with placeholders so a re-recording only changes what the server really changed. What a kubelet
 * or metrics-server would answer cannot be recorded here (none runs): the Summary API and
 * metrics.k8s.io shapes in the stand-in remain from the documentation.
 */
import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { installFlinkDeploymentCrd } from "../../test/peers/kube-flink-crd.ts";
import { startKubePeer } from "../../test/peers/kube-peer.ts";
import {
  JSON_PATCH,
  type KubeAnswer,
  type KubeEndpoint,
  kube,
  kubeFetch,
  MERGE_PATCH,
  STRATEGIC_MERGE_PATCH,
} from "../../test/peers/kube-rest.ts";
import { createBoundClaim, seedStory } from "../../test/peers/kube-story.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface Recording {
  readonly request: { method: string; path: string; contentType?: string; body?: unknown };
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
}

/** Replaces volatile values (see the header), recursively. */
export function normalize(value: unknown, names: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string") {
    let text = value;
    for (const [from, to] of names) text = text.split(from).join(to);
    // Names the server or the fake kubelet make at random.
    text = text
      .replace(/^kube-api-access-[a-z0-9]{5}$/, "kube-api-access-<id>")
      .replace(/^containerd:\/\/[0-9a-f]{64}$/, "containerd://<id>")
      .replace(/^pvc-[0-9a-f]{32}$/, "pvc-<id>");
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(text)) return "<time>";
    return text;
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, names));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === "managedFields") continue;
      if (key === "uid" && typeof v === "string") out[key] = "<uid>";
      else if (key === "resourceVersion" && typeof v === "string") out[key] = "<resourceVersion>";
      else out[key] = normalize(v, names);
    }
    return out;
  }
  return value;
}

async function main(): Promise<void> {
  const peer = await startKubePeer();
  const recordings: Record<string, Recording> = {};
  const names = new Map<string, string>();
  const record = async (
    name: string,
    endpoint: KubeEndpoint,
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<KubeAnswer> => {
    const answer = await kubeFetch(endpoint, method, path, body, contentType);
    recordings[name] = {
      request: {
        method,
        path: normalize(path, names) as string,
        ...(contentType !== undefined ? { contentType } : {}),
        ...(body !== undefined ? { body: normalize(body, names) } : {}),
      },
      status: answer.status,
      contentType: answer.contentType ?? null,
      body: normalize(answer.body, names),
    };
    return answer;
  };
  try {
    const story = await seedStory(peer, "flink", true);
    const ns = story.namespace;
    for (const [i, pod] of story.pods.entries()) names.set(pod, `flink-taskmanager-<hash>-<pod${i}>`);
    await installFlinkDeploymentCrd(peer);
    const deployments = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const fds = `/apis/flink.apache.org/v1beta1/namespaces/${ns}/flinkdeployments`;
    const pvcs = `/api/v1/namespaces/${ns}/persistentvolumeclaims`;

    // Objects and lists.
    await record("deployment", peer, "GET", `${deployments}/flink-taskmanager`);
    await record("deployment-scale", peer, "GET", `${deployments}/flink-taskmanager/scale`);
    await record(
      "replicasets",
      peer,
      "GET",
      `/apis/apps/v1/namespaces/${ns}/replicasets?labelSelector=app%3Dflink-taskmanager`,
    );
    await record("pods", peer, "GET", `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dflink-taskmanager`);
    await record("pods-none", peer, "GET", `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dnothing`);
    await record("pvc", peer, "GET", `${pvcs}/flink-state-pvc`);
    await record("storageclass", peer, "GET", "/apis/storage.k8s.io/v1/storageclasses/gp3");

    // Errors.
    await record("deployment-not-found", peer, "GET", `${deployments}/nope`);
    await record("deployment-scale-not-found", peer, "GET", `${deployments}/nope/scale`);
    await record("pvc-not-found", peer, "GET", `${pvcs}/nope`);
    await record(
      "flinkdeployments-not-served",
      peer,
      "GET",
      `/apis/flink.apache.org/v1beta2/namespaces/${ns}/flinkdeployments`,
    );
    await record("metrics-not-served", peer, "GET", `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`);
    await record(
      "scale-invalid",
      peer,
      "PATCH",
      `${deployments}/flink-taskmanager/scale`,
      { spec: { replicas: -1 } },
      MERGE_PATCH,
    );
    await record(
      "scale-conflict",
      peer,
      "PATCH",
      `${deployments}/flink-taskmanager/scale`,
      { metadata: { resourceVersion: "1" }, spec: { replicas: 5 } },
      MERGE_PATCH,
    );
    await record(
      "scale-unsupported-media-type",
      peer,
      "PATCH",
      `${deployments}/flink-taskmanager/scale`,
      { spec: { replicas: 5 } },
      "application/json",
    );
    await record(
      "deployment-json-patch-invalid",
      peer,
      "PATCH",
      `${deployments}/flink-taskmanager`,
      [{ op: "replace", path: "/spec/replicas", value: -3 }],
      JSON_PATCH,
    );
    await record(
      "pvc-shrink",
      peer,
      "PATCH",
      `${pvcs}/flink-state-pvc`,
      { spec: { resources: { requests: { storage: "10Gi" } } } },
      MERGE_PATCH,
    );
    await createBoundClaim(peer, ns, "gp2-claim", "50Gi", "gp2");
    await record(
      "pvc-grow-class-without-expansion",
      peer,
      "PATCH",
      `${pvcs}/gp2-claim`,
      { spec: { resources: { requests: { storage: "100Gi" } } } },
      MERGE_PATCH,
    );
    await createBoundClaim(peer, ns, "unbound-claim", "50Gi", "gp3", false);
    await record(
      "pvc-grow-unbound",
      peer,
      "PATCH",
      `${pvcs}/unbound-claim`,
      { spec: { resources: { requests: { storage: "100Gi" } } } },
      MERGE_PATCH,
    );
    await kube(peer, "POST", `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "unscheduled" },
      spec: { containers: [{ name: "taskmanager", image: "flink-job:1.4.3" }] },
    });
    await record("pod-log-unscheduled", peer, "GET", `/api/v1/namespaces/${ns}/pods/unscheduled/log`);
    await record(
      "pod-log-unknown-container",
      peer,
      "GET",
      `/api/v1/namespaces/${ns}/pods/${story.pods[0]}/log?container=sidecar`,
    );

    await kube(peer, "POST", fds, {
      apiVersion: "flink.apache.org/v1beta1",
      kind: "FlinkDeployment",
      metadata: { name: "flink" },
      spec: { image: "flink-job:1.4.3", restartNonce: 3, taskManager: { replicas: 4 } },
    });
    await kube(
      peer,
      "PATCH",
      `${fds}/flink/status`,
      { status: { taskManager: { replicas: 4, labelSelector: "app=flink-taskmanager" } } },
      MERGE_PATCH,
    );
    await record("flinkdeployment", peer, "GET", `${fds}/flink`);
    await record("flinkdeployment-scale", peer, "GET", `${fds}/flink/scale`);
    await record("flinkdeployment-not-found", peer, "GET", `${fds}/nope`);
    await record(
      "flinkdeployment-strategic-merge-patch",
      peer,
      "PATCH",
      `${fds}/flink`,
      { spec: { restartNonce: 4 } },
      STRATEGIC_MERGE_PATCH,
    );
    await record(
      "flinkdeployment-conflict",
      peer,
      "PATCH",
      `${fds}/flink`,
      { metadata: { resourceVersion: "1" }, spec: { restartNonce: 4 } },
      MERGE_PATCH,
    );

    // Deleting a bound pod: it stays, Terminating, until its kubelet confirms (none runs here).
    await record("pod-delete", peer, "DELETE", `/api/v1/namespaces/${ns}/pods/${story.pods[1]}`);

    // Authentication and RBAC.
    await record(
      "unauthorized",
      { ...peer, token: "not-a-token" },
      "GET",
      `${deployments}/flink-taskmanager`,
    );
    await kube(peer, "POST", `/api/v1/namespaces/${ns}/serviceaccounts`, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "runbook-bot" },
    });
    const token = await kube<{ status: { token: string } }>(
      peer,
      "POST",
      `/api/v1/namespaces/${ns}/serviceaccounts/runbook-bot/token`,
      { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} },
    );
    const bot = { ...peer, token: token.status.token };
    await record("forbidden-get-deployment", bot, "GET", `${deployments}/flink-taskmanager`);
    await record(
      "forbidden-patch-scale",
      bot,
      "PATCH",
      `${deployments}/flink-taskmanager/scale`,
      { spec: { replicas: 5 } },
      MERGE_PATCH,
    );
    await record("forbidden-list-pods", bot, "GET", `/api/v1/namespaces/${ns}/pods`);
    await record("forbidden-storageclass", bot, "GET", "/apis/storage.k8s.io/v1/storageclasses/gp3");
    await record("forbidden-node-proxy", bot, "GET", `/api/v1/nodes/${peer.node}/proxy/stats/summary`);
    await record("node-proxy-loopback", peer, "GET", `/api/v1/nodes/${peer.node}/proxy/stats/summary`);

    const dir = join(repoRoot, "test/fixtures/kube-recordings", peer.version);
    await mkdir(dir, { recursive: true });
    for (const [name, recording] of Object.entries(recordings)) {
      await writeFile(join(dir, `${name}.json`), `${JSON.stringify(recording, null, 2)}\n`);
    }
    // In the repo's JSON style, so a re-recording diffs only where the server changed.
    spawnSync("npx", ["biome", "format", "--write", dir], { cwd: repoRoot, stdio: "ignore" });
    process.stderr.write(`[record-kube] ${Object.keys(recordings).length} recordings in ${dir}\n`);
  } finally {
    await peer.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[record-kube] ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
