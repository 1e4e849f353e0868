/**
 * Test helpers on the real control plane (test/peers/kube-peer.ts): a namespace per test, the
 * sandbox's story built the way it would come about on a real cluster, ServiceAccount
 * kubeconfigs from the TokenRequest API.
 *
 * The story (src/sandbox/simulated/simulated-kubernetes.ts, same constants): Deployment
 * flink-taskmanager rolled out three times (flink-job:1.4.1, 1.4.2, 1.4.3, each with its
 * kubernetes.io/change-cause), so the controller manager made ReplicaSets at revisions 1-3; then
 * scaled to 4, the pods bound to the node and Running/Ready (kube-kubelet.ts), each with the
 * story's Flink log lines; the claim flink-state-pvc (50Gi, gp3) Bound; StorageClasses gp3 (allows
 * expansion) and gp2 (does not).
 */
import { randomBytes } from "node:crypto";
import {
  STORY_CLAIM,
  STORY_CLAIM_SIZE,
  STORY_CONTAINER,
  STORY_DEPLOYMENT,
  STORY_REVISIONS,
  STORY_STORAGE_CLASSES,
  STORY_VOLUME,
  storyLogLines,
} from "../../src/sandbox/simulated/simulated-kubernetes.ts";
import { finishDeletions, settlePods, writeContainerLog } from "./kube-kubelet.ts";
import { type KubePeerInfo, kubeConfigFor } from "./kube-peer.ts";
import {
  eventually,
  type KubeEndpoint,
  kube,
  kubeFetch,
  MERGE_PATCH,
  STRATEGIC_MERGE_PATCH,
} from "./kube-rest.ts";

export const STORY_SELECTOR = `app=${STORY_DEPLOYMENT}`;

/**
 * Creates a namespace named `<prefix>-<random>` (exactly `prefix` with `exact`) and waits for its
 * default ServiceAccount.
 */
export async function createNamespace(peer: KubePeerInfo, prefix: string, exact = false): Promise<string> {
  const name = exact ? prefix : `${prefix}-${randomBytes(3).toString("hex")}`;
  await kube(peer, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  await eventually(`ServiceAccount ${name}/default`, async () =>
    (await kubeFetch(peer, "GET", `/api/v1/namespaces/${name}/serviceaccounts/default`)).status === 200
      ? true
      : undefined,
  );
  return name;
}

/** Deletes the namespace; its pods go at once (no kubelet would confirm a graceful deletion). */
export async function deleteNamespace(peer: KubePeerInfo, name: string): Promise<void> {
  await kubeFetch(peer, "DELETE", `/api/v1/namespaces/${name}/pods?gracePeriodSeconds=0`);
  await kubeFetch(peer, "DELETE", `/api/v1/namespaces/${name}`);
}

/** Creates the story's StorageClasses unless they exist (cluster-wide; several test files race). */
export async function ensureStorageClasses(peer: KubePeerInfo): Promise<void> {
  for (const sc of STORY_STORAGE_CLASSES) {
    const answer = await kubeFetch(peer, "POST", "/apis/storage.k8s.io/v1/storageclasses", {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: sc.name },
      provisioner: sc.provisioner,
      parameters: { type: sc.name },
      reclaimPolicy: "Delete",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: sc.allowVolumeExpansion,
    });
    if (answer.status !== 201 && answer.status !== 409) {
      throw new Error(`create storageclass ${sc.name}: ${answer.status} ${answer.text}`);
    }
  }
}

export interface DeploymentShape {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly replicas: number;
  readonly image: string;
  readonly container?: string;
  readonly resources?: Record<string, unknown>;
  readonly annotations?: Record<string, string>;
  readonly volumes?: unknown[];
  readonly volumeMounts?: unknown[];
  readonly ownerReferences?: unknown[];
}

export function deploymentManifest(shape: DeploymentShape): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: shape.name,
      labels: shape.labels,
      ...(shape.annotations ? { annotations: shape.annotations } : {}),
      ...(shape.ownerReferences ? { ownerReferences: shape.ownerReferences } : {}),
    },
    spec: {
      replicas: shape.replicas,
      selector: { matchLabels: shape.labels },
      template: {
        metadata: { labels: shape.labels },
        spec: {
          containers: [
            {
              name: shape.container ?? STORY_CONTAINER,
              image: shape.image,
              ...(shape.resources ? { resources: shape.resources } : {}),
              ...(shape.volumeMounts ? { volumeMounts: shape.volumeMounts } : {}),
            },
          ],
          ...(shape.volumes ? { volumes: shape.volumes } : {}),
          terminationGracePeriodSeconds: 30,
        },
      },
    },
  };
}

interface RawReplicaSet {
  metadata: { annotations?: Record<string, string> };
}

/** Waits until the deployment's ReplicaSets include revision `revision`. */
export async function waitForRevision(
  peer: KubeEndpoint,
  namespace: string,
  selector: string,
  revision: number,
): Promise<void> {
  await eventually(`revision ${revision} in ${namespace}`, async () => {
    const sets = await kube<{ items: RawReplicaSet[] }>(
      peer,
      "GET",
      `/apis/apps/v1/namespaces/${namespace}/replicasets?labelSelector=${encodeURIComponent(selector)}`,
    );
    return sets.items.some(
      (rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"] === String(revision),
    )
      ? true
      : undefined;
  });
}

interface RawDeploymentStatus {
  metadata: { generation: number };
  spec: { replicas: number };
  status?: {
    observedGeneration?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    replicas?: number;
  };
}

/** Settles the deployment's pods until its rollout is complete (what `kubectl rollout status` waits for). */
export async function settleRollout(
  peer: KubePeerInfo,
  namespace: string,
  name: string,
  selector: string,
): Promise<string[]> {
  return eventually(
    `rollout of ${namespace}/${name}`,
    async () => {
      await finishDeletions(peer, namespace, selector);
      const pods = await settlePods(peer, namespace, peer.node, { labelSelector: selector });
      const d = await kube<RawDeploymentStatus>(
        peer,
        "GET",
        `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
      );
      const s = d.status ?? {};
      const done =
        (s.observedGeneration ?? 0) >= d.metadata.generation &&
        s.updatedReplicas === d.spec.replicas &&
        s.availableReplicas === d.spec.replicas &&
        s.replicas === d.spec.replicas &&
        pods.length === d.spec.replicas;
      return done ? pods : undefined;
    },
    30_000,
    200,
  );
}

export interface Story {
  readonly namespace: string;
  /** The 4 taskmanager pods, sorted (names made by the ReplicaSet controller). */
  readonly pods: string[];
}

/** Builds the story in a new namespace; see the header. */
export async function seedStory(peer: KubePeerInfo, prefix = "story", exact = false): Promise<Story> {
  const namespace = await createNamespace(peer, prefix, exact);
  await ensureStorageClasses(peer);
  const labels = { app: STORY_DEPLOYMENT };
  const base = `/apis/apps/v1/namespaces/${namespace}/deployments`;
  const limits = { cpu: "2", memory: "8Gi" };
  const [first, ...later] = STORY_REVISIONS;
  await kube(
    peer,
    "POST",
    base,
    deploymentManifest({
      name: STORY_DEPLOYMENT,
      labels,
      replicas: 0,
      image: first!.image,
      resources: { limits, requests: limits },
      annotations: { "kubernetes.io/change-cause": first!.changeCause },
      volumes: [{ name: STORY_VOLUME, persistentVolumeClaim: { claimName: STORY_CLAIM } }],
      volumeMounts: [{ name: STORY_VOLUME, mountPath: "/opt/flink/state" }],
    }),
  );
  await waitForRevision(peer, namespace, STORY_SELECTOR, first!.revision);
  for (const r of later) {
    await kube(
      peer,
      "PATCH",
      `${base}/${STORY_DEPLOYMENT}`,
      {
        metadata: { annotations: { "kubernetes.io/change-cause": r.changeCause } },
        spec: { template: { spec: { containers: [{ name: STORY_CONTAINER, image: r.image }] } } },
      },
      STRATEGIC_MERGE_PATCH,
    );
    await waitForRevision(peer, namespace, STORY_SELECTOR, r.revision);
  }
  await kube(peer, "PATCH", `${base}/${STORY_DEPLOYMENT}/scale`, { spec: { replicas: 4 } }, MERGE_PATCH);
  await settlePods(peer, namespace, peer.node, { labelSelector: STORY_SELECTOR, expect: 4 });
  const pods = await settleRollout(peer, namespace, STORY_DEPLOYMENT, STORY_SELECTOR);
  const now = new Date();
  await Promise.all(
    pods.map((pod, i) =>
      writeContainerLog(peer.logDir, { namespace, pod, container: STORY_CONTAINER }, storyLogLines(i, now)),
    ),
  );
  await createBoundClaim(peer, namespace, STORY_CLAIM, STORY_CLAIM_SIZE, "gp3");
  return { namespace, pods };
}

/** A claim Bound at its requested size (what the PV controller and the CSI driver would make of it). */
export async function createBoundClaim(
  peer: KubePeerInfo,
  namespace: string,
  name: string,
  size: string,
  storageClassName: string,
  bound = true,
): Promise<void> {
  // A bound claim names its volume and the provisioner that made it (the PV controller's and the
  // CSI provisioner's marks; neither runs here).
  await kube(peer, "POST", `/api/v1/namespaces/${namespace}/persistentvolumeclaims`, {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name,
      ...(bound ? { annotations: { "volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com" } } : {}),
    },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: size } },
      storageClassName,
      ...(bound ? { volumeName: `pvc-${randomBytes(16).toString("hex")}` } : {}),
    },
  });
  if (!bound) return;
  await kube(
    peer,
    "PATCH",
    `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${name}/status`,
    { status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: size } } },
    MERGE_PATCH,
  );
}

/**
 * A kubeconfig for ServiceAccount namespace/name with a token from the TokenRequest API
 * (POST .../serviceaccounts/<name>/token), valid for an hour.
 */
export async function serviceAccountKubeConfig(
  peer: KubePeerInfo,
  namespace: string,
  name: string,
): Promise<string> {
  const answer = await kube<{ status: { token: string } }>(
    peer,
    "POST",
    `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } },
  );
  return kubeConfigFor(
    { server: peer.server, caPem: peer.caPem, token: answer.status.token },
    `system:serviceaccount:${namespace}:${name}`,
    "kube-peer",
    namespace,
  );
}

/**
 * The Flink Kubernetes Operator's standalone layout, as the operator would leave it (no operator
 * runs here): FlinkDeployment "flink" (restartNonce 3, 4 taskmanagers of 2 CPU / 8Gi) owning the
 * Deployment flink-taskmanager (container flink-main-container), its 4 pods Running and Ready.
 * The FlinkDeployment CRD must be installed (kube-flink-crd.ts).
 */
export async function seedOperatorStandalone(peer: KubePeerInfo, namespace: string): Promise<string[]> {
  const path = `/apis/flink.apache.org/v1beta1/namespaces/${namespace}/flinkdeployments`;
  const fd = await kube<{ metadata: { uid: string } }>(peer, "POST", path, {
    apiVersion: "flink.apache.org/v1beta1",
    kind: "FlinkDeployment",
    metadata: { name: "flink" },
    spec: {
      image: "flink-job:1.4.3",
      flinkVersion: "v1_20",
      mode: "standalone",
      restartNonce: 3,
      jobManager: { replicas: 1, resource: { cpu: 1, memory: "2Gi" } },
      taskManager: { replicas: 4, resource: { cpu: 2, memory: "8Gi" } },
      job: { jarURI: "local:///opt/flink/usrlib/job.jar", parallelism: 8, upgradeMode: "last-state" },
    },
  });
  await kube(
    peer,
    "PATCH",
    `${path}/flink/status`,
    {
      status: {
        jobStatus: { state: "RUNNING" },
        lifecycleState: "STABLE",
        jobManagerDeploymentStatus: "READY",
        reconciliationStatus: { state: "DEPLOYED" },
        taskManager: { replicas: 4, labelSelector: `app=${STORY_DEPLOYMENT}` },
      },
    },
    MERGE_PATCH,
  );
  const limits = { cpu: "2", memory: "8Gi" };
  await kube(
    peer,
    "POST",
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    deploymentManifest({
      name: STORY_DEPLOYMENT,
      labels: { app: STORY_DEPLOYMENT },
      replicas: 4,
      image: "flink-job:1.4.3",
      container: "flink-main-container",
      resources: { limits, requests: limits },
      ownerReferences: [
        {
          apiVersion: "flink.apache.org/v1beta1",
          kind: "FlinkDeployment",
          name: "flink",
          uid: fd.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    }),
  );
  await settlePods(peer, namespace, peer.node, { labelSelector: STORY_SELECTOR, expect: 4 });
  return settleRollout(peer, namespace, STORY_DEPLOYMENT, STORY_SELECTOR);
}
