/**
 * A local Kubernetes API server for tests and the sandbox (node:http on 127.0.0.1, random port):
 * the stand-in for what the real control plane (test/peers/kube-peer.ts) cannot do here: the
 * kubelet Summary API through the node proxy, metrics.k8s.io, injected faults, and exact request
 * assertions. Its error answers, lists and objects follow recordings of a real kube-apiserver
 * v1.34.4 (test/fixtures/kube-recordings/v1.34.4, scripts/kube/record-kube.ts; held to them by
 * test/integration/kubernetes-standin-recordings.test.ts). The kubelet Summary and metrics-server
 * shapes remain from their documentation: neither runs here.
 *
 * Serves:
 *   GET  /version, /healthz, /livez, /readyz                (no auth)
 *   GET  /api, /api/v1, /apis, /apis/{apps,storage.k8s.io}/v1, /apis/metrics.k8s.io/v1beta1,
 *        /apis/flink.apache.org/v1beta1                                          (discovery)
 *   GET  /api/v1/pods, /api/v1/namespaces/{ns}/pods[/{name}]        (labelSelector, fieldSelector)
 *   DELETE /api/v1/namespaces/{ns}/pods/{name} (Pod with deletionTimestamp) and the collection
 *        (deletecollection by labelSelector: the PodList of deleted pods)
 *   GET  /api/v1/namespaces/{ns}/pods/{name}/log   text/plain (container, previous, sinceSeconds,
 *        tailLines, limitBytes, timestamps; 400 without container when the pod has several)
 *   GET|PATCH /api/v1/namespaces/{ns}/persistentvolumeclaims[/{name}]  (only requests.storage may
 *        change; shrinking 422; growing on a class without allowVolumeExpansion 403, as the
 *        PersistentVolumeClaimResize admission plugin answers)
 *   GET  /apis/storage.k8s.io/v1/storageclasses[/{name}]
 *   GET  /api/v1/nodes/{node}/proxy/stats/summary   (kubelet Summary: pods[].volume[] from volumeStats)
 *   GET  /apis/apps/v1/namespaces/{ns}/deployments[/{name}], .../replicasets[/{name}] (labelSelector)
 *   PATCH /apis/apps/v1/namespaces/{ns}/deployments/{name}  (a new pod template makes the
 *        "controller" pick or create the ReplicaSet and number its revision, see syncReplicaSets)
 *   GET|PATCH|PUT /apis/apps/v1/namespaces/{ns}/deployments/{name}/scale
 *   GET  /apis/metrics.k8s.io/v1beta1/pods, .../namespaces/{ns}/pods[/{name}]   (labelSelector)
 *   GET|PATCH /apis/flink.apache.org/v1beta1/namespaces/{ns}/flinkdeployments[/{name}[/scale]] (when
 *        state.flinkOperator; a CRD takes json-patch, merge-patch and apply, never strategic
 *        merge patch: 415)
 *
 * Like the real server: bearer token required (401 Status otherwise); errors are v1 Status
 * objects; PATCH accepts json-patch, merge-patch, strategic-merge-patch and apply-patch+yaml
 * (which needs ?fieldManager=) and answers 415 to any other content type; a resourceVersion in
 * a patch is a precondition (409); ?dryRun=All does not persist; a PATCH/PUT of the scale
 * subresource only changes spec.replicas (status is the controller's; see converge()).
 * Strategic merge patch is approximated: maps merge like a merge patch, lists of objects with a
 * `name` merge by name, `$patch` directives are not supported.
 * With `state.metricsApi = false` (metrics-server not installed) metrics.k8s.io is neither
 * discovered nor served: 404 "the server could not find the requested resource".
 *
 * Every request is recorded (method, path, query, content type, parsed body) in `requests`.
 * `setFailure()` makes matching requests fail (403 with the real RBAC wording, 404, 5xx) and/or
 * answer slowly.
 *
 * Manual use: `npx tsx test/peers/kube-api-server.ts` prints the kubeconfig and serves the
 * default seed until Ctrl-C.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseYaml } from "yaml";
import { parseQuantity, scaledValue } from "../../src/core/quantity.ts";
import {
  STORY_CLAIM,
  STORY_CLAIM_SIZE,
  STORY_CONTAINER,
  STORY_DEPLOYMENT,
  STORY_NAMESPACE,
  STORY_NODE,
  STORY_REVISIONS,
  STORY_STORAGE_CLASSES,
  STORY_VOLUME,
  STORY_VOLUME_STATS,
  storyLogLines,
} from "../../src/sandbox/simulated/simulated-kubernetes.ts";

// ---------------------------------------------------------------------------------------------
// Object shapes (the subset of the Kubernetes types these endpoints carry)

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
}

export interface ResourceList {
  cpu?: string;
  memory?: string;
  [resource: string]: string | undefined;
}

export interface Container {
  name: string;
  image: string;
  resources?: { limits?: ResourceList; requests?: ResourceList };
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodVolume {
  name: string;
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: Record<string, never>;
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: {
    running?: { startedAt: string };
    waiting?: { reason: string; message?: string };
    terminated?: { reason: string; exitCode: number; startedAt?: string; finishedAt?: string };
  };
  lastState: {
    terminated?: { reason: string; exitCode: number; startedAt?: string; finishedAt?: string };
  };
}

export interface PodCondition {
  type: "PodScheduled" | "Initialized" | "ContainersReady" | "Ready" | "PodReadyToStartContainers";
  status: "True" | "False";
  lastTransitionTime: string;
  reason?: string;
}

export interface PodObject {
  apiVersion: "v1";
  kind: "Pod";
  metadata: ObjectMeta & { deletionTimestamp?: string; deletionGracePeriodSeconds?: number };
  spec: { containers: Container[]; nodeName?: string; volumes?: PodVolume[] };
  status: {
    phase: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
    podIP?: string;
    hostIP?: string;
    startTime?: string;
    qosClass?: string;
    reason?: string;
    conditions?: PodCondition[];
    containerStatuses?: ContainerStatus[];
  };
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; volumes?: PodVolume[] };
}

export interface DeploymentCondition {
  type: "Available" | "Progressing" | "ReplicaFailure";
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

export interface DeploymentObject {
  apiVersion: "apps/v1";
  kind: "Deployment";
  metadata: ObjectMeta & { generation: number };
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: PodTemplate;
    paused?: boolean;
    revisionHistoryLimit?: number;
    progressDeadlineSeconds?: number;
  };
  status: {
    observedGeneration: number;
    replicas: number;
    updatedReplicas: number;
    readyReplicas: number;
    availableReplicas: number;
    unavailableReplicas?: number;
    conditions?: DeploymentCondition[];
  };
}

export interface ReplicaSetObject {
  apiVersion: "apps/v1";
  kind: "ReplicaSet";
  metadata: ObjectMeta & { generation: number };
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate };
  status: {
    replicas: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration: number;
  };
}

export interface PersistentVolumeClaimObject {
  apiVersion: "v1";
  kind: "PersistentVolumeClaim";
  metadata: ObjectMeta;
  spec: {
    accessModes: string[];
    resources: { requests: { storage: string } };
    storageClassName?: string;
    volumeName?: string;
    volumeMode?: string;
  };
  status: {
    phase: "Pending" | "Bound" | "Lost";
    accessModes?: string[];
    capacity?: { storage: string };
    conditions?: { type: string; status: string; lastTransitionTime?: string; message?: string }[];
  };
}

export interface StorageClassObject {
  apiVersion: "storage.k8s.io/v1";
  kind: "StorageClass";
  metadata: Omit<ObjectMeta, "namespace">;
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy: string;
  volumeBindingMode: string;
  allowVolumeExpansion?: boolean;
}

/** A flink.apache.org/v1beta1 FlinkDeployment (spec and status are free-form JSON, as for any CR). */
export interface FlinkDeploymentObject {
  apiVersion: "flink.apache.org/v1beta1";
  kind: "FlinkDeployment";
  metadata: ObjectMeta & { generation: number };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** One log line of a container; `at` decides sinceSeconds. */
export interface LogEntry {
  at: string;
  text: string;
}

/** What the kubelet reports for one volume of one pod (Summary API). */
export interface VolumeStat {
  namespace: string;
  pod: string;
  volume: string;
  claim?: string;
  usedBytes: number;
  capacityBytes: number;
}

export interface PodMetricsObject {
  metadata: { name: string; namespace: string; labels: Record<string, string>; creationTimestamp: string };
  timestamp: string;
  window: string;
  containers: { name: string; usage: { cpu: string; memory: string } }[];
}

/** Everything the server serves; tests may read and change it directly between calls. */
export interface KubeApiState {
  deployments: DeploymentObject[];
  replicaSets: ReplicaSetObject[];
  pods: PodObject[];
  podMetrics: PodMetricsObject[];
  persistentVolumeClaims: PersistentVolumeClaimObject[];
  storageClasses: StorageClassObject[];
  flinkDeployments: FlinkDeploymentObject[];
  /** Container logs by "namespace/pod/container"; the previous container's under ".../container#previous". */
  podLogs: Record<string, LogEntry[]>;
  volumeStats: VolumeStat[];
  /** false = metrics-server not installed: metrics.k8s.io is neither discovered nor served. */
  metricsApi: boolean;
  /** true = the Flink Kubernetes Operator's CRD is installed (flink.apache.org/v1beta1 served). */
  flinkOperator: boolean;
}

export interface KubeSeed {
  deployments?: DeploymentObject[];
  replicaSets?: ReplicaSetObject[];
  pods?: PodObject[];
  podMetrics?: PodMetricsObject[];
  persistentVolumeClaims?: PersistentVolumeClaimObject[];
  storageClasses?: StorageClassObject[];
  flinkDeployments?: FlinkDeploymentObject[];
  podLogs?: Record<string, LogEntry[]>;
  volumeStats?: VolumeStat[];
  /** Default true. */
  metricsApi?: boolean;
  /** Default false; true when flinkDeployments are given. */
  flinkOperator?: boolean;
  /** Subject named in 403 messages; default system:serviceaccount:ops:runbook-bot. */
  user?: string;
  /** After each accepted scale, converge() the deployment at once (default false). */
  autoConverge?: boolean;
}

export type KubeVerb = "get" | "list" | "patch" | "update" | "delete" | "deletecollection";
/** Resource names as RBAC spells them, group-qualified for non-core groups. */
export type KubeResource =
  | "pods"
  | "pods/log"
  | "deployments.apps"
  | "deployments.apps/scale"
  | "replicasets.apps"
  | "pods.metrics.k8s.io"
  | "persistentvolumeclaims"
  | "storageclasses.storage.k8s.io"
  | "nodes/proxy"
  | "flinkdeployments.flink.apache.org"
  | "flinkdeployments.flink.apache.org/scale";

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. /apis/apps/v1/namespaces/flink/deployments/x/scale. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Content-Type header as sent (parameters included), undefined when absent. */
  readonly contentType: string | undefined;
  /** JSON (or YAML for apply patches) parsed; the raw text when it does not parse; undefined when empty. */
  readonly body: unknown;
  /** What the request addressed, when it is one of the served resources. */
  readonly verb?: KubeVerb;
  readonly resource?: KubeResource;
  readonly namespace?: string;
  readonly name?: string;
}

export interface FailureRule {
  /** Match on these (all given ones must match); an empty rule matches every resource request. */
  verb?: KubeVerb;
  resource?: KubeResource;
  namespace?: string;
  name?: string;
  /**
   * Answer with this status (a Status object worded like the real server's unless `message`:
   * 403 names the user, verb, resource and namespace as RBAC does). A rule needs status and/or delayMs.
   */
  status?: number;
  message?: string;
  /** Wait this long before answering (with `status`, or normally without it). */
  delayMs?: number;
  /** Apply to this many matching requests only (default: until clearFailures()). */
  times?: number;
}

export interface KubeApiServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** A kubeconfig (context "kube-test", namespace flink) pointing at the server with its token. */
  readonly kubeConfigYaml: string;
  /** The bearer token the server accepts. */
  readonly token: string;
  readonly requests: RecordedRequest[];
  readonly state: KubeApiState;
  /** Adds a failure rule (the first matching rule applies). */
  setFailure(rule: FailureRule): void;
  clearFailures(): void;
  /** Plays the deployment controller once: status = spec, pods (and their metrics) created/removed. */
  converge(namespace: string, name: string): void;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Builders and the default seed

const CREATED_AT = "2025-01-01T00:00:00Z";
let uidCounter = 0;
function uid(): string {
  uidCounter += 1;
  return `00000000-0000-4000-8000-${uidCounter.toString(16).padStart(12, "0")}`;
}

/** RFC 3339 without milliseconds, as the API server writes timestamps. */
export function apiTime(at: Date = new Date()): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface ContainerSpec {
  name: string;
  image?: string;
  limits?: ResourceList;
  requests?: ResourceList;
  volumeMounts?: { name: string; mountPath: string }[];
}

function container(spec: ContainerSpec): Container {
  const resources: Container["resources"] = {};
  if (spec.limits) resources.limits = { ...spec.limits };
  if (spec.requests) resources.requests = { ...spec.requests };
  return {
    name: spec.name,
    image: spec.image ?? STORY_REVISIONS.at(-1)!.image,
    resources,
    ...(spec.volumeMounts ? { volumeMounts: structuredClone(spec.volumeMounts) } : {}),
  };
}

/**
 * pod-template-hash as the deployment controller derives it (a hash of the template, encoded
 * with the apimachinery "safe" alphabet); stable for equal templates.
 */
export function podTemplateHash(template: PodTemplate): string {
  const copy = structuredClone(template);
  delete copy.metadata.labels["pod-template-hash"];
  let hash = 2166136261;
  for (const char of canonicalJson(copy)) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let text = "";
  for (let i = 0; i < 10; i += 1) {
    text += alphabet[hash % alphabet.length];
    hash = Math.floor(hash / alphabet.length) + i * 7919;
  }
  return text;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

const availableCondition = (at: string): DeploymentCondition => ({
  type: "Available",
  status: "True",
  reason: "MinimumReplicasAvailable",
  message: "Deployment has minimum availability.",
  lastUpdateTime: at,
  lastTransitionTime: at,
});

const progressingCondition = (replicaSet: string, done: boolean, at: string): DeploymentCondition => ({
  type: "Progressing",
  status: "True",
  reason: done ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
  message: done
    ? `ReplicaSet "${replicaSet}" has successfully progressed.`
    : `ReplicaSet "${replicaSet}" is progressing.`,
  lastUpdateTime: at,
  lastTransitionTime: at,
});

export function deploymentObject(options: {
  namespace: string;
  name: string;
  replicas: number;
  labels: Record<string, string>;
  containers: ContainerSpec[];
  volumes?: PodVolume[];
  annotations?: Record<string, string>;
}): DeploymentObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: options.name,
      namespace: options.namespace,
      uid: uid(),
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: CREATED_AT,
      labels: { ...options.labels },
      annotations: { "deployment.kubernetes.io/revision": "1", ...(options.annotations ?? {}) },
    },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { ...options.labels } },
      template: {
        metadata: { labels: { ...options.labels } },
        spec: {
          containers: options.containers.map(container),
          ...(options.volumes ? { volumes: structuredClone(options.volumes) } : {}),
        },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: 1,
      replicas: options.replicas,
      updatedReplicas: options.replicas,
      readyReplicas: options.replicas,
      availableReplicas: options.replicas,
      conditions: [availableCondition(CREATED_AT)],
    },
  };
}

/** A ReplicaSet of `deployment` for `template` at `revision` (controller ownerReference to the deployment). */
export function replicaSetObject(options: {
  deployment: DeploymentObject;
  template: PodTemplate;
  revision: number;
  replicas: number;
  changeCause?: string;
  createdAt?: string;
}): ReplicaSetObject {
  const { deployment } = options;
  const template = structuredClone(options.template);
  const hash = podTemplateHash(template);
  template.metadata.labels = { ...template.metadata.labels, "pod-template-hash": hash };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${deployment.metadata.name}-${hash}`,
      namespace: deployment.metadata.namespace,
      uid: uid(),
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: options.createdAt ?? CREATED_AT,
      labels: { ...template.metadata.labels },
      annotations: {
        "deployment.kubernetes.io/desired-replicas": String(deployment.spec.replicas),
        "deployment.kubernetes.io/max-replicas": String(deployment.spec.replicas + 1),
        "deployment.kubernetes.io/revision": String(options.revision),
        ...(options.changeCause !== undefined ? { "kubernetes.io/change-cause": options.changeCause } : {}),
      },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: deployment.metadata.name,
          uid: deployment.metadata.uid,
          controller: true,
        },
      ],
    },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { ...deployment.spec.selector.matchLabels, "pod-template-hash": hash } },
      template,
    },
    status: {
      replicas: options.replicas,
      readyReplicas: options.replicas,
      availableReplicas: options.replicas,
      observedGeneration: 1,
    },
  };
}

/** Status of a Running pod whose containers are all ready (or of a Pending one). */
function podStatus(containers: Container[], phase: PodObject["status"]["phase"], startedAt: string) {
  const running = phase === "Running";
  const condition = (type: PodCondition["type"], ok: boolean): PodCondition => ({
    type,
    status: ok ? "True" : "False",
    lastTransitionTime: startedAt,
  });
  return {
    phase,
    podIP: "10.0.0.10",
    hostIP: "10.0.1.23",
    startTime: startedAt,
    qosClass: "Guaranteed",
    conditions: [
      condition("PodReadyToStartContainers", running),
      condition("Initialized", true),
      condition("Ready", running),
      condition("ContainersReady", running),
      condition("PodScheduled", true),
    ],
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `docker.io/library/${c.image}@sha256:${"0".repeat(64)}`,
      ready: running,
      started: running,
      restartCount: 0,
      state: running ? { running: { startedAt } } : { waiting: { reason: "ContainerCreating" } },
      lastState: {},
    })),
  } satisfies PodObject["status"];
}

export function podObject(options: {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  containers: ContainerSpec[];
  phase?: PodObject["status"]["phase"];
  node?: string;
  volumes?: PodVolume[];
  owner?: ReplicaSetObject;
}): PodObject {
  const containers = options.containers.map(container);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: options.name,
      namespace: options.namespace,
      uid: uid(),
      resourceVersion: "1",
      creationTimestamp: CREATED_AT,
      labels: { ...options.labels },
      ...(options.owner
        ? {
            ownerReferences: [
              {
                apiVersion: "apps/v1",
                kind: "ReplicaSet",
                name: options.owner.metadata.name,
                uid: options.owner.metadata.uid,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      containers,
      nodeName: options.node ?? "node-a",
      ...(options.volumes ? { volumes: structuredClone(options.volumes) } : {}),
    },
    status: podStatus(containers, options.phase ?? "Running", CREATED_AT),
  };
}

export function podMetricsObject(options: {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  containers: { name: string; cpu: string; memory: string }[];
}): PodMetricsObject {
  const now = new Date();
  now.setMilliseconds(0);
  return {
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: { ...options.labels },
      creationTimestamp: now.toISOString().replace(".000Z", "Z"),
    },
    timestamp: now.toISOString().replace(".000Z", "Z"),
    window: "15s",
    containers: options.containers.map((c) => ({ name: c.name, usage: { cpu: c.cpu, memory: c.memory } })),
  };
}

/** A FlinkDeployment as the operator reports it once the job runs (native mode unless `standalone`). */
export function flinkDeploymentObject(options: {
  namespace: string;
  name: string;
  replicas?: number;
  parallelism?: number;
  cpu?: number;
  memory?: string;
  restartNonce?: number;
  standalone?: boolean;
}): FlinkDeploymentObject {
  return {
    apiVersion: "flink.apache.org/v1beta1",
    kind: "FlinkDeployment",
    metadata: {
      name: options.name,
      namespace: options.namespace,
      uid: uid(),
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: CREATED_AT,
    },
    spec: {
      image: STORY_REVISIONS.at(-1)!.image,
      flinkVersion: "v1_18",
      serviceAccount: "flink",
      ...(options.standalone ? { mode: "standalone" } : {}),
      ...(options.restartNonce !== undefined ? { restartNonce: options.restartNonce } : {}),
      jobManager: { replicas: 1, resource: { cpu: 1, memory: "2048m" } },
      taskManager: {
        ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
        resource: { cpu: options.cpu ?? 2, memory: options.memory ?? "8Gi" },
      },
      job: {
        jarURI: "local:///opt/flink/usrlib/flink-job.jar",
        parallelism: options.parallelism ?? 4,
        upgradeMode: "last-state",
        state: "running",
      },
    },
    status: {
      jobStatus: { jobName: "order-processor", jobId: "7c1f0d0e5e2a4b55a1d9f3e2b8c4d6a1", state: "RUNNING" },
      lifecycleState: "STABLE",
      jobManagerDeploymentStatus: "READY",
      reconciliationStatus: { state: "DEPLOYED", reconciliationTimestamp: 1_735_689_600_000 },
      taskManager: {
        labelSelector: `component=taskmanager,app=${options.name}`,
        replicas: options.replicas ?? 4,
      },
      observedGeneration: 1,
    },
  };
}

/** flink/flink-taskmanager: the limits every default pod has. */
export const DEFAULT_LIMITS = { cpu: "2", memory: "8Gi" } as const;
/**
 * Usage of flink-taskmanager-0..3 as metrics-server reports it (nanocores, KiB):
 * 1900m/7600Mi, 1953.455812m/7650Mi, 1874.21m/7580Mi, 1921.000001m/7620Mi.
 */
export const DEFAULT_USAGE: readonly { cpu: string; memory: string }[] = [
  { cpu: "1900000000n", memory: "7782400Ki" },
  { cpu: "1953455812n", memory: "7833600Ki" },
  { cpu: "1874210000n", memory: "7761920Ki" },
  { cpu: "1921000001n", memory: "7802880Ki" },
];

type DefaultSeed = Required<
  Pick<
    KubeSeed,
    | "deployments"
    | "replicaSets"
    | "pods"
    | "podMetrics"
    | "persistentVolumeClaims"
    | "storageClasses"
    | "podLogs"
    | "volumeStats"
  >
>;

/**
 * The sandbox's story (src/sandbox/simulated/simulated-kubernetes.ts, same constants): namespace
 * flink, Deployment flink-taskmanager (4 replicas, app=flink-taskmanager, image flink-job:1.4.3)
 * with ReplicaSets for revisions 1-3 (flink-job:1.4.1, 1.4.2, 1.4.3), its 4 pods on one node with
 * metrics and Flink log lines, the RocksDB claim flink-state-pvc (50Gi, gp3 which allows
 * expansion; gp2 does not), and the kubelet's volume stats for it.
 */
export function defaultSeed(now: Date = new Date()): DefaultSeed {
  const namespace = STORY_NAMESPACE;
  const labels = { app: STORY_DEPLOYMENT };
  const volumes: PodVolume[] = [{ name: STORY_VOLUME, persistentVolumeClaim: { claimName: STORY_CLAIM } }];
  const containerFor = (image: string): ContainerSpec[] => [
    {
      name: STORY_CONTAINER,
      image,
      limits: { ...DEFAULT_LIMITS },
      requests: { ...DEFAULT_LIMITS },
      volumeMounts: [{ name: STORY_VOLUME, mountPath: "/opt/flink/state" }],
    },
  ];
  const current = STORY_REVISIONS.at(-1)!;
  const deployment = deploymentObject({
    namespace,
    name: STORY_DEPLOYMENT,
    replicas: 4,
    labels,
    containers: containerFor(current.image),
    volumes,
    annotations: {
      "deployment.kubernetes.io/revision": String(current.revision),
      "kubernetes.io/change-cause": current.changeCause,
    },
  });
  const replicaSets = STORY_REVISIONS.map((r) => {
    const template = structuredClone(deployment.spec.template);
    template.spec.containers[0]!.image = r.image;
    return replicaSetObject({
      deployment,
      template,
      revision: r.revision,
      replicas: r === current ? 4 : 0,
      changeCause: r.changeCause,
      createdAt: r.createdAt,
    });
  });
  const currentSet = replicaSets.at(-1)!;
  deployment.status.conditions = [
    availableCondition(CREATED_AT),
    progressingCondition(currentSet.metadata.name, true, current.createdAt),
  ];
  const names = DEFAULT_USAGE.map((_, i) => `${STORY_DEPLOYMENT}-${i}`);
  const podLogs: Record<string, LogEntry[]> = {};
  names.forEach((name, i) => {
    podLogs[`${namespace}/${name}/${STORY_CONTAINER}`] = storyLogLines(i, now).map((line) => ({
      at: line.at.toISOString(),
      text: line.text,
    }));
  });
  return {
    deployments: [deployment],
    replicaSets,
    pods: names.map((name) =>
      podObject({
        namespace,
        name,
        labels: { ...currentSet.spec.template.metadata.labels },
        containers: containerFor(current.image),
        node: STORY_NODE,
        volumes,
        owner: currentSet,
      }),
    ),
    podMetrics: names.map((name, i) =>
      podMetricsObject({
        namespace,
        name,
        labels,
        containers: [{ name: STORY_CONTAINER, ...DEFAULT_USAGE[i]! }],
      }),
    ),
    persistentVolumeClaims: [
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: {
          name: STORY_CLAIM,
          namespace,
          uid: uid(),
          resourceVersion: "1",
          creationTimestamp: CREATED_AT,
          annotations: { "volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com" },
        },
        spec: {
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: STORY_CLAIM_SIZE } },
          storageClassName: "gp3",
          volumeName: "pvc-3f9d2c1e-8a4b-4c6d-9e0f-1a2b3c4d5e6f",
          volumeMode: "Filesystem",
        },
        status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: STORY_CLAIM_SIZE } },
      },
    ],
    storageClasses: STORY_STORAGE_CLASSES.map((sc) => ({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: sc.name, uid: uid(), resourceVersion: "1", creationTimestamp: CREATED_AT },
      provisioner: sc.provisioner,
      parameters: { type: sc.name },
      reclaimPolicy: "Delete",
      volumeBindingMode: "WaitForFirstConsumer",
      ...(sc.allowVolumeExpansion ? { allowVolumeExpansion: true } : {}),
    })),
    podLogs,
    volumeStats: names.map((pod) => ({
      namespace,
      pod,
      volume: STORY_VOLUME,
      claim: STORY_CLAIM,
      ...STORY_VOLUME_STATS,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Label and field selectors (k8s.io/apimachinery/pkg/labels syntax)

type Requirement =
  | { op: "exists" | "!exists"; key: string }
  | { op: "in" | "notin"; key: string; values: string[] }
  | { op: "gt" | "lt"; key: string; value: number };

class BadRequest extends Error {}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const KEY = `[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VALUE = `([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;

const SELECTOR_PATTERNS = {
  notExists: new RegExp(`^!\\s*(${KEY})$`),
  equality: new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`),
  set: new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`),
  compare: new RegExp(`^(${KEY})\\s*(>|<)\\s*(-?\\d+)$`),
  exists: new RegExp(`^(${KEY})$`),
  value: new RegExp(`^${VALUE}$`),
};

function parseRequirement(part: string): Requirement {
  const p = SELECTOR_PATTERNS;
  const notExists = p.notExists.exec(part);
  if (notExists) return { op: "!exists", key: notExists[1]! };
  const equality = p.equality.exec(part);
  if (equality) {
    return { op: equality[3] === "!=" ? "notin" : "in", key: equality[1]!, values: [equality[4] ?? ""] };
  }
  const set = p.set.exec(part);
  if (set) {
    const values = (set[4] ?? "").split(",").map((v) => v.trim());
    if (values.some((v) => !p.value.test(v))) {
      throw new BadRequest(`unable to parse requirement: invalid value in ${JSON.stringify(part)}`);
    }
    return { op: set[3] === "notin" ? "notin" : "in", key: set[1]!, values };
  }
  const compare = p.compare.exec(part);
  if (compare) return { op: compare[3] === ">" ? "gt" : "lt", key: compare[1]!, value: Number(compare[4]) };
  const exists = p.exists.exec(part);
  if (exists) return { op: "exists", key: exists[1]! };
  throw new BadRequest(`unable to parse requirement: found ${JSON.stringify(part)}, expected a requirement`);
}

/** Parses a label selector: a=b, a==b, a!=b, a in (x,y), a notin (x), a, !a, a>1, a<1 (comma = and). */
export function parseLabelSelector(selector: string): Requirement[] {
  return splitTopLevel(selector).map(parseRequirement);
}

export function matchesLabels(
  requirements: Requirement[],
  labels: Record<string, string> | undefined,
): boolean {
  const all = labels ?? {};
  return requirements.every((r) => {
    const has = Object.hasOwn(all, r.key);
    const value = all[r.key];
    switch (r.op) {
      case "exists":
        return has;
      case "!exists":
        return !has;
      case "in":
        return has && r.values.includes(value ?? "");
      case "notin":
        return !has || !r.values.includes(value ?? "");
      case "gt":
        return has && Number(value) > r.value;
      case "lt":
        return has && Number(value) < r.value;
    }
    return false;
  });
}

const POD_FIELDS: Record<string, (pod: PodObject) => string> = {
  "metadata.name": (p) => p.metadata.name,
  "metadata.namespace": (p) => p.metadata.namespace,
  "status.phase": (p) => p.status.phase,
  "spec.nodeName": (p) => p.spec.nodeName ?? "",
};

function podFieldFilter(selector: string | undefined): (pod: PodObject) => boolean {
  if (!selector) return () => true;
  const checks = splitTopLevel(selector).map((part) => {
    const match = /^([a-zA-Z.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!match) throw new BadRequest(`invalid field selector: ${JSON.stringify(part)}`);
    const read = POD_FIELDS[match[1]!];
    if (!read) throw new BadRequest(`field label not supported: ${match[1]}`);
    const negate = match[2] === "!=";
    const expected = match[3] ?? "";
    return (pod: PodObject) => (read(pod) === expected) !== negate;
  });
  return (pod) => checks.every((check) => check(pod));
}

// ---------------------------------------------------------------------------------------------
// Patches

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Removes matching items in place (tests may hold references to the state arrays). */
function removeWhere<T>(items: T[], predicate: (item: T) => boolean): void {
  for (let i = items.length - 1; i >= 0; i -= 1) if (predicate(items[i]!)) items.splice(i, 1);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** RFC 7386 JSON merge patch; `byName` = strategic: lists of named objects merge by name. */
function mergePatch(target: unknown, patch: unknown, byName = false): unknown {
  if (byName && Array.isArray(target) && Array.isArray(patch)) {
    const named = (list: unknown[]) => list.every((item) => isObject(item) && typeof item.name === "string");
    if (named(target) && named(patch)) {
      const result = clone(target) as Record<string, Json>[];
      for (const item of patch as Record<string, Json>[]) {
        const index = result.findIndex((existing) => existing.name === item.name);
        if (index >= 0) result[index] = mergePatch(result[index], item, true) as Record<string, Json>;
        else result.push(clone(item));
      }
      return result;
    }
  }
  if (!isObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value, byName);
  }
  return result;
}

class PatchFailed extends Error {}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchFailed(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function getAt(doc: unknown, tokens: string[]): unknown {
  let node = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

function parentOf(doc: unknown, tokens: string[], op: string): [unknown, string] {
  if (tokens.length === 0) throw new PatchFailed(`${op} at the document root is not supported`);
  const parent = getAt(doc, tokens.slice(0, -1));
  if (parent === undefined || (typeof parent !== "object" && !Array.isArray(parent))) {
    throw new PatchFailed(`${op} operation does not apply: doc is missing path: /${tokens.join("/")}`);
  }
  return [parent, tokens[tokens.length - 1]!];
}

function removeAt(doc: unknown, tokens: string[], op: string): unknown {
  const [parent, key] = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) {
      throw new PatchFailed(`${op} operation does not apply: doc is missing path: /${tokens.join("/")}`);
    }
    return parent.splice(index, 1)[0];
  }
  const record = parent as Record<string, unknown>;
  if (!Object.hasOwn(record, key)) {
    throw new PatchFailed(`${op} operation does not apply: doc is missing path: /${tokens.join("/")}`);
  }
  const value = record[key];
  delete record[key];
  return value;
}

function addAt(doc: unknown, tokens: string[], value: unknown, replace: boolean): void {
  const op = replace ? "replace" : "add";
  const [parent, key] = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : Number(key);
    const max = replace ? parent.length - 1 : parent.length;
    if (!Number.isInteger(index) || index < 0 || index > max) {
      throw new PatchFailed(`${op} operation does not apply: index out of range: /${tokens.join("/")}`);
    }
    parent.splice(index, replace ? 1 : 0, clone(value));
    return;
  }
  const record = parent as Record<string, unknown>;
  if (replace && !Object.hasOwn(record, key)) {
    throw new PatchFailed(`replace operation does not apply: doc is missing key: /${tokens.join("/")}`);
  }
  record[key] = clone(value);
}

/** RFC 6902 JSON patch. */
function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchFailed("json patch must be an array of operations");
  const doc = clone(target);
  for (const operation of operations) {
    if (!isObject(operation) || typeof operation.op !== "string" || typeof operation.path !== "string") {
      throw new PatchFailed("each json patch operation needs op and path");
    }
    const tokens = pointer(operation.path);
    switch (operation.op) {
      case "add":
      case "replace":
        addAt(doc, tokens, operation.value, operation.op === "replace");
        break;
      case "remove":
        removeAt(doc, tokens, "remove");
        break;
      case "move":
      case "copy": {
        if (typeof operation.from !== "string") throw new PatchFailed(`${operation.op} needs from`);
        const from = pointer(operation.from);
        const value = operation.op === "move" ? removeAt(doc, from, "move") : getAt(doc, from);
        if (value === undefined)
          throw new PatchFailed(`copy operation does not apply: missing ${operation.from}`);
        addAt(doc, tokens, value, false);
        break;
      }
      case "test":
        if (JSON.stringify(getAt(doc, tokens)) !== JSON.stringify(operation.value)) {
          throw new PatchFailed(`testing value ${operation.path} failed`);
        }
        break;
      default:
        throw new PatchFailed(`Unexpected kind: ${operation.op}`);
    }
  }
  return doc;
}

const PATCH_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
] as const;
type PatchType = (typeof PATCH_TYPES)[number];

// ---------------------------------------------------------------------------------------------
// HTTP plumbing

interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason: string; message: string; field: string }[];
  };
  code: number;
}

class HttpError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

function status(code: number, message: string, details?: Status["details"]): Status {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason: REASONS[code] ?? "Unknown",
    ...(details ? { details } : {}),
    code,
  };
}

const NOT_SERVED = () => status(404, "the server could not find the requested resource");

/** An answer without a body (204), e.g. the log of an unscheduled pod. */
class NoContent extends Error {}

/** A path no API group serves (metrics-server or a CRD not installed): the real server's plain text. */
class PageNotFound extends Error {}
const PAGE_NOT_FOUND = "404 page not found\n";

/**
 * A 422 as the real server words it (recorded): `<Kind>.<group> "<name>" is invalid: <field>:
 * <message>`, with details.causes (reason FieldValueInvalid, FieldValueForbidden...).
 */
function invalidStatus(
  object: { kind: string; group?: string; name: string },
  causes: { field: string; reason: string; message: string }[],
): Status {
  const qualified = object.group ? `${object.kind}.${object.group}` : object.kind;
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(", ");
  return status(422, `${qualified} "${object.name}" is invalid: ${text}`, {
    name: object.name,
    ...(object.group ? { group: object.group } : {}),
    kind: object.kind,
    causes: causes.map(({ reason, message, field }) => ({ reason, message, field })),
  });
}

const replicasCause = (replicas: unknown) => ({
  field: "spec.replicas",
  reason: "FieldValueInvalid",
  message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
});

interface Route {
  verb: KubeVerb;
  resource: KubeResource;
  namespace?: string;
  name?: string;
}

/** Which served resource a method + path addresses; undefined for discovery and unknown paths. */
function routeOf(method: string, path: string): Route | "method-not-allowed" | undefined {
  const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  const verbFor = (collection: boolean): KubeVerb | undefined => {
    if (method === "GET") return collection ? "list" : "get";
    if (method === "PATCH" && !collection) return "patch";
    if (method === "PUT" && !collection) return "update";
    if (method === "DELETE") return collection ? "deletecollection" : "delete";
    return undefined;
  };
  const make = (resource: KubeResource, namespace?: string, name?: string, allowed?: readonly KubeVerb[]) => {
    const verb = verbFor(name === undefined);
    if (verb === undefined || (allowed !== undefined && !allowed.includes(verb))) return "method-not-allowed";
    return {
      verb,
      resource,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
    } satisfies Route;
  };
  const READ: readonly KubeVerb[] = ["get", "list"];
  const [a, b, c, d, e, f, g, h] = segments;
  if (a === "api" && b === "v1") {
    if (c === "pods" && segments.length === 3) return make("pods", undefined, undefined, READ);
    if (c === "namespaces" && e === "pods" && segments.length <= 6) {
      return make("pods", d, f, ["get", "list", "delete", "deletecollection"]);
    }
    if (c === "namespaces" && e === "pods" && segments.length === 7 && g === "log") {
      return make("pods/log", d, f, ["get"]);
    }
    if (c === "namespaces" && e === "persistentvolumeclaims" && segments.length <= 6) {
      return make("persistentvolumeclaims", d, f, ["get", "list", "patch"]);
    }
    // /api/v1/nodes/{node}/proxy/{path...}: RBAC checks "get" on nodes/proxy.
    if (c === "nodes" && e === "proxy" && d !== undefined) {
      return method === "GET" ? { verb: "get", resource: "nodes/proxy", name: d } : "method-not-allowed";
    }
    return undefined;
  }
  if (
    a === "apis" &&
    b === "apps" &&
    c === "v1" &&
    d === "namespaces" &&
    f === "replicasets" &&
    segments.length <= 7
  ) {
    return make("replicasets.apps", e, g, READ);
  }
  if (a === "apis" && b === "apps" && c === "v1" && d === "namespaces" && f === "deployments") {
    if (segments.length <= 7) return make("deployments.apps", e, g, ["get", "list", "patch"]);
    if (segments.length === 8 && h === "scale")
      return make("deployments.apps/scale", e, g, ["get", "patch", "update"]);
    return undefined;
  }
  if (
    a === "apis" &&
    b === "storage.k8s.io" &&
    c === "v1" &&
    d === "storageclasses" &&
    segments.length <= 5
  ) {
    return make("storageclasses.storage.k8s.io", undefined, e, READ);
  }
  if (
    a === "apis" &&
    b === "flink.apache.org" &&
    c === "v1beta1" &&
    d === "namespaces" &&
    f === "flinkdeployments"
  ) {
    if (segments.length <= 7)
      return make("flinkdeployments.flink.apache.org", e, g, ["get", "list", "patch"]);
    if (segments.length === 8 && h === "scale")
      return make("flinkdeployments.flink.apache.org/scale", e, g, ["get", "patch"]);
    return undefined;
  }
  if (a === "apis" && b === "metrics.k8s.io" && c === "v1beta1") {
    if (d === "pods" && segments.length === 4) return make("pods.metrics.k8s.io", undefined, undefined, READ);
    if (d === "namespaces" && f === "pods" && segments.length <= 7) {
      return make("pods.metrics.k8s.io", e, g, READ);
    }
  }
  return undefined;
}

function forbiddenMessage(route: Route, user: string): string {
  const [resourceName, subresource] = route.resource.split("/");
  const [plural, ...groupParts] = (resourceName ?? "").split(".");
  const group = groupParts.join(".");
  const object = route.name !== undefined ? `${resourceName} "${route.name}"` : resourceName;
  const resourceText = subresource ? `${plural}/${subresource}` : plural;
  const scope =
    route.namespace !== undefined ? ` in the namespace "${route.namespace}"` : " at the cluster scope";
  return `${object} is forbidden: User "${user}" cannot ${route.verb} resource "${resourceText}" in API group "${group}"${scope}`;
}

function defaultFailureMessage(code: number, route: Route | undefined, user: string): string {
  if (code === 403 && route) return forbiddenMessage(route, user);
  if (code === 404 && route?.name !== undefined) {
    return `${route.resource.split("/")[0]} "${route.name}" not found`;
  }
  if (code === 404) return "the server could not find the requested resource";
  if (code === 503) return "the server is currently unable to handle the request";
  if (code === 429) return "the server has received too many requests and has asked us to try again later";
  if (code === 409)
    return "the object has been modified; please apply your changes to the latest version and try again";
  return `an error on the server ("injected failure") has prevented the request from succeeding`;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

function parseBody(text: string, type: string): unknown {
  if (text === "") return undefined;
  try {
    return type === "application/apply-patch+yaml" ? parseYaml(text) : JSON.parse(text);
  } catch {
    return text;
  }
}

/** A list as the real server sends it (recorded): items carry no kind and apiVersion of their own. */
function listOf<T>(kind: string, apiVersion: string, items: T[], resourceVersion: string) {
  const bare = items.map((item) => {
    if (item === null || typeof item !== "object") return item;
    const { kind: _kind, apiVersion: _apiVersion, ...rest } = item as Record<string, unknown>;
    return rest;
  });
  return { kind, apiVersion, metadata: { resourceVersion }, items: bare };
}

// ---------------------------------------------------------------------------------------------
// The server

export async function startKubeApiServer(seed: KubeSeed = {}): Promise<KubeApiServer> {
  const defaults = defaultSeed();
  const state: KubeApiState = {
    deployments: clone(seed.deployments ?? defaults.deployments),
    // Seeded deployments without seeded ReplicaSets get none (kubectl then finds no history).
    replicaSets: clone(seed.replicaSets ?? (seed.deployments ? [] : defaults.replicaSets)),
    pods: clone(seed.pods ?? defaults.pods),
    podMetrics: clone(seed.podMetrics ?? defaults.podMetrics),
    persistentVolumeClaims: clone(seed.persistentVolumeClaims ?? defaults.persistentVolumeClaims),
    storageClasses: clone(seed.storageClasses ?? defaults.storageClasses),
    flinkDeployments: clone(seed.flinkDeployments ?? []),
    podLogs: clone(seed.podLogs ?? (seed.pods ? {} : defaults.podLogs)),
    volumeStats: clone(seed.volumeStats ?? (seed.pods ? [] : defaults.volumeStats)),
    metricsApi: seed.metricsApi ?? true,
    flinkOperator: seed.flinkOperator ?? seed.flinkDeployments !== undefined,
  };
  const user = seed.user ?? "system:serviceaccount:ops:runbook-bot";
  const token = `fake-token-${randomBytes(12).toString("hex")}`;
  const requests: RecordedRequest[] = [];
  const failures: FailureRule[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let resourceVersion = 1000;
  const nextResourceVersion = () => String(++resourceVersion);

  const findDeployment = (namespace: string, name: string): DeploymentObject => {
    const deployment = state.deployments.find(
      (d) => d.metadata.namespace === namespace && d.metadata.name === name,
    );
    if (!deployment) {
      throw new HttpError(
        status(404, `deployments.apps "${name}" not found`, { name, group: "apps", kind: "deployments" }),
      );
    }
    return deployment;
  };

  const scaleOf = (deployment: DeploymentObject) => ({
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: deployment.metadata.name,
      namespace: deployment.metadata.namespace,
      uid: deployment.metadata.uid,
      resourceVersion: deployment.metadata.resourceVersion,
      creationTimestamp: deployment.metadata.creationTimestamp,
    },
    spec: { replicas: deployment.spec.replicas },
    status: {
      replicas: deployment.status.replicas,
      selector: Object.entries(deployment.spec.selector.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    },
  });

  /** The ReplicaSet whose template is the deployment's (the "new" one), if the controller made one. */
  const currentReplicaSet = (deployment: DeploymentObject): ReplicaSetObject | undefined =>
    ownedReplicaSets(deployment).find(
      (rs) => rs.metadata.labels?.["pod-template-hash"] === podTemplateHash(deployment.spec.template),
    );

  const ownedReplicaSets = (deployment: DeploymentObject) =>
    state.replicaSets.filter((rs) =>
      (rs.metadata.ownerReferences ?? []).some((o) => o.controller && o.uid === deployment.metadata.uid),
    );

  /**
   * The deployment controller's reaction to a new pod template: the ReplicaSet with an equal
   * template (ignoring pod-template-hash) becomes the new one and gets revision max+1 (its old
   * number moves to deployment.kubernetes.io/revision-history, as a rollback does), or a new
   * ReplicaSet is created with the deployment's annotations (change-cause included); the
   * deployment's revision annotation follows. Pods are replaced in converge().
   */
  function syncReplicaSets(deployment: DeploymentObject): void {
    const owned = ownedReplicaSets(deployment);
    const revisionOf = (rs: ReplicaSetObject) =>
      Number(rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0);
    const max = owned.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    const hash = podTemplateHash(deployment.spec.template);
    const at = apiTime();
    let next = owned.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
    if (next) {
      if (revisionOf(next) !== max) {
        const annotations = next.metadata.annotations ?? {};
        const history = [annotations["deployment.kubernetes.io/revision-history"], String(revisionOf(next))]
          .filter(Boolean)
          .join(",");
        next.metadata.annotations = {
          ...annotations,
          "deployment.kubernetes.io/revision": String(max + 1),
          "deployment.kubernetes.io/revision-history": history,
        };
        const cause = deployment.metadata.annotations?.["kubernetes.io/change-cause"];
        if (cause !== undefined) next.metadata.annotations["kubernetes.io/change-cause"] = cause;
        next.metadata.resourceVersion = nextResourceVersion();
      }
    } else {
      const skip = new Set([
        "kubectl.kubernetes.io/last-applied-configuration",
        "deployment.kubernetes.io/revision",
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
      ]);
      const cause = deployment.metadata.annotations?.["kubernetes.io/change-cause"];
      next = replicaSetObject({
        deployment,
        template: deployment.spec.template,
        revision: max + 1,
        replicas: 0,
        ...(cause !== undefined ? { changeCause: cause } : {}),
        createdAt: at,
      });
      for (const [key, value] of Object.entries(deployment.metadata.annotations ?? {})) {
        if (!skip.has(key)) next.metadata.annotations![key] = value;
      }
      next.metadata.resourceVersion = nextResourceVersion();
      state.replicaSets.push(next);
    }
    deployment.metadata.annotations = {
      ...(deployment.metadata.annotations ?? {}),
      "deployment.kubernetes.io/revision":
        next.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? "1",
    };
    deployment.status.observedGeneration = deployment.metadata.generation;
    deployment.status.updatedReplicas = 0;
    deployment.status.conditions = [
      ...(deployment.status.conditions ?? []).filter((c) => c.type !== "Progressing"),
      progressingCondition(next.metadata.name, false, at),
    ];
  }

  function converge(namespace: string, name: string): void {
    const deployment = findDeployment(namespace, name);
    const want = deployment.spec.replicas;
    const selector = Object.entries(deployment.spec.selector.matchLabels).map(
      ([key, value]) => ({ op: "in", key, values: [value] }) as Requirement,
    );
    const owned = () =>
      state.pods.filter(
        (p) => p.metadata.namespace === namespace && matchesLabels(selector, p.metadata.labels),
      );
    const replicaSet = currentReplicaSet(deployment);
    const labels = replicaSet
      ? replicaSet.spec.template.metadata.labels
      : deployment.spec.template.metadata.labels;
    const template = state.podMetrics.find((m) => owned().some((p) => p.metadata.name === m.metadata.name));
    const startedAt = apiTime();
    const fresh = (podName: string) => {
      const pod = podObject({ namespace, name: podName, labels, containers: [] });
      pod.spec.containers = clone(deployment.spec.template.spec.containers);
      if (deployment.spec.template.spec.volumes)
        pod.spec.volumes = clone(deployment.spec.template.spec.volumes);
      pod.spec.nodeName =
        state.pods.find((p) => p.metadata.namespace === namespace)?.spec.nodeName ?? "node-a";
      if (deployment.spec.template.metadata.annotations) {
        pod.metadata.annotations = clone(deployment.spec.template.metadata.annotations);
      }
      if (replicaSet) {
        pod.metadata.ownerReferences = [
          {
            apiVersion: "apps/v1",
            kind: "ReplicaSet",
            name: replicaSet.metadata.name,
            uid: replicaSet.metadata.uid,
            controller: true,
          },
        ];
      }
      pod.metadata.creationTimestamp = startedAt;
      pod.status = podStatus(pod.spec.containers, "Running", startedAt);
      return pod;
    };
    // Pods of an older template are replaced (same names, so metrics and logs stay addressable).
    if (replicaSet) {
      const hash = replicaSet.metadata.labels?.["pod-template-hash"];
      for (const [index, pod] of state.pods.entries()) {
        if (owned().includes(pod) && pod.metadata.labels?.["pod-template-hash"] !== hash) {
          state.pods[index] = fresh(pod.metadata.name);
        }
      }
    }
    for (let i = 0; owned().length < want; i += 1) {
      const podName = `${name}-${i}`;
      if (state.pods.some((p) => p.metadata.namespace === namespace && p.metadata.name === podName)) continue;
      state.pods.push(fresh(podName));
      if (template) {
        state.podMetrics.push({
          ...clone(template),
          metadata: { ...clone(template.metadata), name: podName },
        });
      }
    }
    const extra = owned()
      .map((p) => p.metadata.name)
      .sort((x, y) => y.localeCompare(x, "en", { numeric: true }))
      .slice(0, Math.max(0, owned().length - want));
    const doomed = (item: { metadata: { namespace: string; name: string } }) =>
      item.metadata.namespace === namespace && extra.includes(item.metadata.name);
    removeWhere(state.pods, doomed);
    removeWhere(state.podMetrics, doomed);
    for (const rs of ownedReplicaSets(deployment)) {
      const replicas = rs === replicaSet ? want : 0;
      rs.spec.replicas = replicas;
      rs.status = { ...rs.status, replicas, readyReplicas: replicas, availableReplicas: replicas };
    }
    deployment.status = {
      observedGeneration: deployment.metadata.generation,
      replicas: want,
      updatedReplicas: want,
      readyReplicas: want,
      availableReplicas: want,
      conditions: [
        availableCondition(
          deployment.status.conditions?.find((c) => c.type === "Available")?.lastTransitionTime ?? startedAt,
        ),
        ...(replicaSet ? [progressingCondition(replicaSet.metadata.name, true, startedAt)] : []),
      ],
    };
    deployment.metadata.resourceVersion = nextResourceVersion();
  }

  /** Applies a patch of the given type to `current`; 4xx HttpError on bad input. */
  function applyPatch(
    current: unknown,
    body: unknown,
    rawText: string,
    type: PatchType,
    query: URLSearchParams,
  ) {
    if (type === "application/apply-patch+yaml") {
      if (!query.get("fieldManager")) {
        throw new HttpError(
          status(
            422,
            'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
          ),
        );
      }
      if (!isObject(body))
        throw new HttpError(status(400, "error decoding YAML: the apply patch is not an object"));
      return mergePatch(current, body);
    }
    if (rawText !== "" && typeof body === "string") {
      throw new HttpError(status(400, `error decoding patch: invalid JSON: ${rawText.slice(0, 80)}`));
    }
    try {
      if (type === "application/json-patch+json") return jsonPatch(current, body);
      if (!isObject(body)) throw new PatchFailed("a merge patch must be a JSON object");
      return mergePatch(current, body, type === "application/strategic-merge-patch+json");
    } catch (error) {
      if (error instanceof PatchFailed) throw new HttpError(status(422, error.message));
      throw error;
    }
  }

  function checkPrecondition(
    patched: unknown,
    current: { metadata: { resourceVersion: string } },
    name: string,
    resource = "deployments.apps",
  ) {
    const sent =
      isObject(patched) && isObject(patched.metadata) ? patched.metadata.resourceVersion : undefined;
    if (sent !== undefined && sent !== current.metadata.resourceVersion) {
      const [plural, ...group] = resource.split(".");
      throw new HttpError(
        status(
          409,
          `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          { name, ...(group.length > 0 ? { group: group.join(".") } : {}), kind: plural ?? resource },
        ),
      );
    }
  }

  /** The API server's validation of container resources (requests <= limits, parseable quantities). */
  function checkContainers(spec: unknown, name: string): void {
    const template = isObject(spec) && isObject(spec.template) ? spec.template : undefined;
    const containers = template && isObject(template.spec) ? template.spec.containers : undefined;
    if (!Array.isArray(containers)) return;
    containers.forEach((c, index) => {
      if (!isObject(c) || !isObject(c.resources)) return;
      const requests = isObject(c.resources.requests) ? c.resources.requests : {};
      const limits = isObject(c.resources.limits) ? c.resources.limits : {};
      const field = `spec.template.spec.containers[${index}].resources`;
      for (const [kind, list] of [
        ["requests", requests],
        ["limits", limits],
      ] as const) {
        for (const [resource, value] of Object.entries(list)) {
          try {
            parseQuantity(String(value));
          } catch {
            throw new HttpError(
              status(
                422,
                `Deployment.apps "${name}" is invalid: ${field}.${kind}[${resource}]: Invalid value: ${JSON.stringify(value)}: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
              ),
            );
          }
        }
      }
      for (const resource of ["cpu", "memory"]) {
        const request = requests[resource];
        const limit = limits[resource];
        if (typeof request !== "string" || typeof limit !== "string") continue;
        const scale = resource === "cpu" ? 3 : 0;
        if (scaledValue(parseQuantity(request), scale) > scaledValue(parseQuantity(limit), scale)) {
          throw new HttpError(
            status(
              422,
              `Deployment.apps "${name}" is invalid: ${field}.requests: Invalid value: "${request}": must be less than or equal to ${resource} limit of ${limit}`,
            ),
          );
        }
      }
    });
  }

  /** Graceful deletion as the API answers it (deletionTimestamp set); the pods leave the state. */
  function deletePods(pods: PodObject[], dryRun: boolean): PodObject[] {
    const at = apiTime();
    const answered = pods.map((pod) => ({
      ...clone(pod),
      metadata: { ...clone(pod.metadata), deletionTimestamp: at, deletionGracePeriodSeconds: 30 },
    }));
    if (!dryRun) {
      const doomed = new Set(pods);
      removeWhere(state.pods, (p) => doomed.has(p));
      const names = new Set(pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
      removeWhere(state.podMetrics, (m) => names.has(`${m.metadata.namespace}/${m.metadata.name}`));
      resourceVersion += 1;
    }
    return answered;
  }

  /** GET .../pods/{name}/log: text/plain, with the kubelet's container, previous, since, tail and limit rules. */
  function podLog(namespace: string, name: string, query: URLSearchParams): string {
    const pod = state.pods.find((p) => p.metadata.namespace === namespace && p.metadata.name === name);
    if (!pod) throw new HttpError(status(404, `pods "${name}" not found`, { name, kind: "pods" }));
    const names = pod.spec.containers.map((c) => c.name);
    let container = query.get("container") ?? undefined;
    if (container === undefined) {
      if (names.length !== 1) {
        throw new HttpError(
          status(
            400,
            `a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]`,
          ),
        );
      }
      container = names[0]!;
    }
    if (!names.includes(container)) {
      throw new HttpError(status(400, `container ${container} is not valid for pod ${name}`));
    }
    // Not scheduled: no kubelet to ask; the real server answers 204 with no body and no Content-Type.
    if (pod.spec.nodeName === undefined) throw new NoContent();
    const number = (key: string): number | undefined => {
      const text = query.get(key);
      if (text === null) return undefined;
      const value = Number(text);
      if (!Number.isInteger(value)) throw new HttpError(status(400, `invalid ${key}: ${text}`));
      return value;
    };
    const previous = query.get("previous") === "true";
    const key = `${namespace}/${name}/${container}${previous ? "#previous" : ""}`;
    const entries = state.podLogs[key];
    if (previous && entries === undefined) {
      throw new HttpError(
        status(400, `previous terminated container "${container}" in pod "${name}" not found`),
      );
    }
    let lines = entries ?? [];
    const since = number("sinceSeconds");
    if (since !== undefined) {
      if (since < 1)
        throw new HttpError(
          status(422, 'PodLogOptions "" is invalid: sinceSeconds: Invalid value: must be greater than 0'),
        );
      const from = Date.now() - since * 1000;
      lines = lines.filter((l) => Date.parse(l.at) >= from);
    }
    const tail = number("tailLines");
    if (tail !== undefined && tail >= 0) lines = tail === 0 ? [] : lines.slice(-tail);
    const stamped = query.get("timestamps") === "true";
    let text = lines.map((l) => `${stamped ? `${new Date(l.at).toISOString()} ` : ""}${l.text}\n`).join("");
    const limit = number("limitBytes");
    if (limit !== undefined && limit > 0) text = Buffer.from(text).subarray(0, limit).toString("utf8");
    return text;
  }

  /** A PVC update: only spec.resources.requests.storage may change, and only upwards on an expandable class. */
  function resizeClaim(claim: PersistentVolumeClaimObject, patched: unknown, dryRun: boolean) {
    const spec = isObject(patched) && isObject(patched.spec) ? patched.spec : {};
    const requests =
      isObject(spec.resources) && isObject(spec.resources.requests) ? spec.resources.requests : {};
    const size = requests.storage;
    const name = claim.metadata.name;
    const invalid = (detail: string) => {
      const [field = "", ...message] = detail.split(": ");
      const reason = message[0]?.startsWith("Forbidden")
        ? "FieldValueForbidden"
        : message[0]?.startsWith("Required")
          ? "FieldValueRequired"
          : "FieldValueInvalid";
      return new HttpError(
        invalidStatus({ kind: "PersistentVolumeClaim", name }, [
          { field, reason, message: message.join(": ") },
        ]),
      );
    };
    if (typeof size !== "string") throw invalid("spec.resources[storage]: Required value");
    let bytes: number;
    try {
      bytes = scaledValue(parseQuantity(size), 0);
    } catch {
      throw invalid(
        `spec.resources.requests[storage]: Invalid value: ${JSON.stringify(size)}: quantities must match the regular expression`,
      );
    }
    const { resources: _resources, ...rest } = spec;
    const { resources: _current, ...currentRest } = claim.spec as unknown as Record<string, Json>;
    if (canonicalJson(rest) !== canonicalJson(currentRest)) {
      throw invalid(
        "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
      );
    }
    const current = scaledValue(parseQuantity(claim.spec.resources.requests.storage), 0);
    if (claim.status.phase !== "Bound" && bytes !== current) {
      // Validation dumps the Go struct diff of PersistentVolumeClaimSpec (recorded on v1.34.4 for a
      // claim with one access mode; the hunk for the storage request).
      const diff = [
        "@@ -6,7 +6,7 @@",
        '  "Resources": {',
        '   "Limits": null,',
        '   "Requests": {',
        `-   "storage": "${claim.spec.resources.requests.storage}"`,
        `+   "storage": "${size}"`,
        "   }",
        "  },",
        `  "VolumeName": "${claim.spec.volumeName ?? ""}",`,
        "",
      ].join("\n");
      throw invalid(
        `spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${diff}`,
      );
    }
    if (bytes < current) {
      throw invalid("spec.resources.requests.storage: Forbidden: field can not be less than status.capacity");
    }
    if (bytes > current) {
      // The PersistentVolumeClaimResize admission plugin.
      const storageClass = state.storageClasses.find((c) => c.metadata.name === claim.spec.storageClassName);
      if (!storageClass?.allowVolumeExpansion) {
        throw new HttpError(
          status(
            403,
            `persistentvolumeclaims "${name}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`,
            { name, kind: "persistentvolumeclaims" },
          ),
        );
      }
    }
    const target = dryRun ? clone(claim) : claim;
    target.spec.resources.requests.storage = size;
    target.metadata.resourceVersion = nextResourceVersion();
    return clone(target);
  }

  /** GET /api/v1/nodes/{node}/proxy/stats/summary: the kubelet Summary API for the node's pods. */
  function nodeProxy(node: string, rawPath: string) {
    const pods = state.pods.filter((p) => p.spec.nodeName === node);
    if (pods.length === 0 && !state.volumeStats.length) {
      throw new HttpError(status(404, `nodes "${node}" not found`, { name: node, kind: "nodes" }));
    }
    if (!state.pods.some((p) => p.spec.nodeName === node)) {
      throw new HttpError(status(404, `nodes "${node}" not found`, { name: node, kind: "nodes" }));
    }
    const rest = rawPath.split("/proxy/")[1] ?? "";
    if (decodeURIComponent(rest) !== "stats/summary") throw new HttpError(NOT_SERVED());
    const time = apiTime();
    return {
      node: { nodeName: node, startTime: CREATED_AT, cpu: { time }, memory: { time }, fs: { time } },
      pods: pods.map((pod) => ({
        podRef: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        startTime: pod.status.startTime ?? CREATED_AT,
        containers: pod.spec.containers.map((c) => ({
          name: c.name,
          startTime: pod.status.startTime ?? CREATED_AT,
        })),
        volume: state.volumeStats
          .filter((v) => v.namespace === pod.metadata.namespace && v.pod === pod.metadata.name)
          .map((v) => ({
            time,
            availableBytes: v.capacityBytes - v.usedBytes,
            capacityBytes: v.capacityBytes,
            usedBytes: v.usedBytes,
            inodesFree: 3_200_000,
            inodes: 3_276_800,
            inodesUsed: 76_800,
            name: v.volume,
            ...(v.claim !== undefined ? { pvcRef: { name: v.claim, namespace: v.namespace } } : {}),
          })),
      })),
    };
  }

  /** flink.apache.org/v1beta1 FlinkDeployments: a CRD, so no strategic merge patch (415). */
  function flinkDeployments(
    route: Route,
    query: URLSearchParams,
    body: unknown,
    raw: string,
    type: string,
    selector: Requirement[],
    dryRun: boolean,
  ) {
    if (!state.flinkOperator) throw new PageNotFound();
    const items = state.flinkDeployments.filter((f) => f.metadata.namespace === route.namespace);
    if (route.verb === "list") {
      const matching = items.filter((f) => matchesLabels(selector, f.metadata.labels));
      return listOf(
        "FlinkDeploymentList",
        "flink.apache.org/v1beta1",
        matching.map(clone),
        String(resourceVersion),
      );
    }
    const fd = items.find((f) => f.metadata.name === route.name);
    if (!fd) {
      throw new HttpError(
        status(404, `flinkdeployments.flink.apache.org "${route.name}" not found`, {
          name: route.name!,
          group: "flink.apache.org",
          kind: "flinkdeployments",
        }),
      );
    }
    if (route.verb === "get") return clone(fd);
    const accepted = [
      "application/json-patch+json",
      "application/merge-patch+json",
      "application/apply-patch+yaml",
    ];
    if (!accepted.includes(type)) {
      throw new HttpError(
        status(
          415,
          `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
        ),
      );
    }
    const patched = applyPatch(clone(fd), body, raw, type as PatchType, query);
    checkPrecondition(patched, fd, fd.metadata.name, "flinkdeployments.flink.apache.org");
    if (!isObject(patched) || !isObject(patched.spec)) throw new HttpError(status(422, "spec is required"));
    const target = dryRun ? clone(fd) : fd;
    const before = canonicalJson(target.spec);
    target.spec = patched.spec as Record<string, unknown>;
    if (canonicalJson(target.spec) !== before) target.metadata.generation += 1;
    target.metadata.resourceVersion = nextResourceVersion();
    return clone(target);
  }

  /**
   * The CRD's scale subresource (specReplicasPath .spec.taskManager.replicas, statusReplicasPath
   * .status.taskManager.replicas, labelSelectorPath .status.taskManager.labelSelector, as in the
   * operator's CRD): a Scale; a patch may only change spec.replicas.
   */
  function flinkDeploymentScale(
    route: Route,
    query: URLSearchParams,
    body: unknown,
    raw: string,
    type: string,
    dryRun: boolean,
  ) {
    if (!state.flinkOperator) throw new PageNotFound();
    const fd = state.flinkDeployments.find(
      (f) => f.metadata.namespace === route.namespace && f.metadata.name === route.name,
    );
    if (!fd) {
      throw new HttpError(
        status(404, `flinkdeployments.flink.apache.org "${route.name}" not found`, {
          name: route.name!,
          group: "flink.apache.org",
          kind: "flinkdeployments",
        }),
      );
    }
    const taskManager = (o: Record<string, unknown> | undefined) =>
      (isObject(o?.taskManager) ? o.taskManager : {}) as Record<string, unknown>;
    const scaleOfFd = (f: FlinkDeploymentObject) => ({
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: f.metadata.name,
        namespace: f.metadata.namespace,
        uid: f.metadata.uid,
        resourceVersion: f.metadata.resourceVersion,
        creationTimestamp: f.metadata.creationTimestamp,
      },
      spec: { replicas: taskManager(f.spec).replicas ?? 0 },
      status: {
        replicas: taskManager(f.status).replicas ?? 0,
        ...(typeof taskManager(f.status).labelSelector === "string"
          ? { selector: taskManager(f.status).labelSelector }
          : {}),
      },
    });
    if (route.verb === "get") return scaleOfFd(fd);
    checkPatchType(type);
    const patched = applyPatch(scaleOfFd(fd), body, raw, type as PatchType, query);
    checkPrecondition(patched, fd, fd.metadata.name, "flinkdeployments.flink.apache.org");
    const replicas = isObject(patched) && isObject(patched.spec) ? patched.spec.replicas : undefined;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw new HttpError(
        invalidStatus({ kind: "Scale", group: "autoscaling", name: fd.metadata.name }, [
          replicasCause(replicas),
        ]),
      );
    }
    const target = dryRun ? clone(fd) : fd;
    if (taskManager(target.spec).replicas !== replicas) {
      target.spec = { ...target.spec, taskManager: { ...taskManager(target.spec), replicas } };
      target.metadata.generation += 1;
      target.metadata.resourceVersion = nextResourceVersion();
    }
    return scaleOfFd(target);
  }

  /** Validates and stores a new replica count from a patched/replaced Scale. */
  function storeScale(deployment: DeploymentObject, scale: unknown, dryRun: boolean) {
    const replicas = isObject(scale) && isObject(scale.spec) ? scale.spec.replicas : undefined;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw new HttpError(
        invalidStatus({ kind: "Scale", group: "autoscaling", name: deployment.metadata.name }, [
          replicasCause(replicas),
        ]),
      );
    }
    const target = dryRun ? clone(deployment) : deployment;
    if (target.spec.replicas !== replicas) {
      target.spec.replicas = replicas;
      target.metadata.generation += 1;
      target.metadata.resourceVersion = nextResourceVersion();
    }
    if (!dryRun && seed.autoConverge) converge(deployment.metadata.namespace, deployment.metadata.name);
    return scaleOf(target);
  }

  function discovery(path: string): unknown {
    const host = `127.0.0.1:${port}`;
    const metricsGroup = {
      name: "metrics.k8s.io",
      versions: [{ groupVersion: "metrics.k8s.io/v1beta1", version: "v1beta1" }],
      preferredVersion: { groupVersion: "metrics.k8s.io/v1beta1", version: "v1beta1" },
    };
    const appsGroup = {
      name: "apps",
      versions: [{ groupVersion: "apps/v1", version: "v1" }],
      preferredVersion: { groupVersion: "apps/v1", version: "v1" },
    };
    const storageGroup = {
      name: "storage.k8s.io",
      versions: [{ groupVersion: "storage.k8s.io/v1", version: "v1" }],
      preferredVersion: { groupVersion: "storage.k8s.io/v1", version: "v1" },
    };
    const flinkGroup = {
      name: "flink.apache.org",
      versions: [{ groupVersion: "flink.apache.org/v1beta1", version: "v1beta1" }],
      preferredVersion: { groupVersion: "flink.apache.org/v1beta1", version: "v1beta1" },
    };
    const resource = (name: string, kind: string, verbs: string[], group?: string, version?: string) => ({
      name,
      singularName: name.includes("/") ? "" : kind.toLowerCase(),
      namespaced: true,
      ...(group ? { group, version } : {}),
      kind,
      verbs,
    });
    switch (path) {
      case "/api":
        return {
          kind: "APIVersions",
          versions: ["v1"],
          serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: host }],
        };
      case "/apis":
        return {
          kind: "APIGroupList",
          apiVersion: "v1",
          groups: [
            appsGroup,
            storageGroup,
            ...(state.metricsApi ? [metricsGroup] : []),
            ...(state.flinkOperator ? [flinkGroup] : []),
          ],
        };
      case "/api/v1":
        return {
          kind: "APIResourceList",
          groupVersion: "v1",
          resources: [
            resource("pods", "Pod", ["delete", "deletecollection", "get", "list"]),
            resource("pods/log", "Pod", ["get"]),
            resource("persistentvolumeclaims", "PersistentVolumeClaim", ["get", "list", "patch"]),
            { ...resource("nodes/proxy", "NodeProxyOptions", ["get"]), namespaced: false },
          ],
        };
      case "/apis/apps/v1":
        return {
          kind: "APIResourceList",
          apiVersion: "v1",
          groupVersion: "apps/v1",
          resources: [
            resource("deployments", "Deployment", ["get", "list", "patch"]),
            resource("deployments/scale", "Scale", ["get", "patch", "update"], "autoscaling", "v1"),
            resource("replicasets", "ReplicaSet", ["get", "list"]),
          ],
        };
      case "/apis/storage.k8s.io/v1":
        return {
          kind: "APIResourceList",
          apiVersion: "v1",
          groupVersion: "storage.k8s.io/v1",
          resources: [{ ...resource("storageclasses", "StorageClass", ["get", "list"]), namespaced: false }],
        };
      case "/apis/flink.apache.org/v1beta1":
        if (!state.flinkOperator) return undefined;
        return {
          kind: "APIResourceList",
          apiVersion: "v1",
          groupVersion: "flink.apache.org/v1beta1",
          resources: [resource("flinkdeployments", "FlinkDeployment", ["get", "list", "patch"])],
        };
      case "/apis/metrics.k8s.io/v1beta1":
        if (!state.metricsApi) return undefined;
        return {
          kind: "APIResourceList",
          apiVersion: "v1",
          groupVersion: "metrics.k8s.io/v1beta1",
          resources: [resource("pods", "PodMetrics", ["get", "list"])],
        };
      default:
        return undefined;
    }
  }

  async function serve(
    route: Route,
    query: URLSearchParams,
    body: unknown,
    raw: string,
    type: string,
    rawPath: string,
  ) {
    const namespace = route.namespace;
    const inNamespace = <T extends { metadata: { namespace: string } }>(items: T[]) =>
      namespace === undefined ? items : items.filter((item) => item.metadata.namespace === namespace);
    const selector = parseLabelSelector(query.get("labelSelector") ?? "");
    const dryRun = query.get("dryRun") === "All";
    switch (route.resource) {
      case "pods": {
        const fieldFilter = podFieldFilter(query.get("fieldSelector") ?? undefined);
        const pods = inNamespace(state.pods);
        if (route.verb === "get") {
          const pod = pods.find((p) => p.metadata.name === route.name);
          if (!pod)
            throw new HttpError(
              status(404, `pods "${route.name}" not found`, { name: route.name!, kind: "pods" }),
            );
          return pod;
        }
        if (route.verb === "delete") {
          const pod = pods.find((p) => p.metadata.name === route.name);
          if (!pod)
            throw new HttpError(
              status(404, `pods "${route.name}" not found`, { name: route.name!, kind: "pods" }),
            );
          return deletePods([pod], dryRun)[0];
        }
        const items = pods.filter((p) => matchesLabels(selector, p.metadata.labels) && fieldFilter(p));
        if (route.verb === "deletecollection") {
          return listOf("PodList", "v1", deletePods(items, dryRun), String(resourceVersion));
        }
        return listOf("PodList", "v1", items.map(clone), String(resourceVersion));
      }
      case "pods.metrics.k8s.io": {
        if (!state.metricsApi) throw new PageNotFound();
        const metrics = inNamespace(state.podMetrics).map((m) => ({
          kind: "PodMetrics",
          apiVersion: "metrics.k8s.io/v1beta1",
          ...clone(m),
        }));
        if (route.verb === "get") {
          const item = metrics.find((m) => m.metadata.name === route.name);
          if (!item) {
            throw new HttpError(
              status(404, `podmetrics.metrics.k8s.io "${namespace}/${route.name}" not found`, {
                name: `${namespace}/${route.name}`,
                group: "metrics.k8s.io",
                kind: "pods",
              }),
            );
          }
          return item;
        }
        const items = metrics
          .filter((m) => matchesLabels(selector, m.metadata.labels))
          .map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest);
        return { kind: "PodMetricsList", apiVersion: "metrics.k8s.io/v1beta1", metadata: {}, items };
      }
      case "pods/log":
        return podLog(namespace!, route.name!, query);
      case "replicasets.apps": {
        const replicaSets = inNamespace(state.replicaSets);
        if (route.verb === "get") {
          const rs = replicaSets.find((r) => r.metadata.name === route.name);
          if (!rs) {
            throw new HttpError(
              status(404, `replicasets.apps "${route.name}" not found`, {
                name: route.name!,
                group: "apps",
                kind: "replicasets",
              }),
            );
          }
          return clone(rs);
        }
        const items = replicaSets.filter((r) => matchesLabels(selector, r.metadata.labels));
        return listOf("ReplicaSetList", "apps/v1", items.map(clone), String(resourceVersion));
      }
      case "persistentvolumeclaims": {
        const claims = inNamespace(state.persistentVolumeClaims);
        if (route.verb === "list") {
          const items = claims.filter((c) => matchesLabels(selector, c.metadata.labels));
          return listOf("PersistentVolumeClaimList", "v1", items.map(clone), String(resourceVersion));
        }
        const claim = claims.find((c) => c.metadata.name === route.name);
        if (!claim) {
          throw new HttpError(
            status(404, `persistentvolumeclaims "${route.name}" not found`, {
              name: route.name!,
              kind: "persistentvolumeclaims",
            }),
          );
        }
        if (route.verb === "get") return clone(claim);
        checkPatchType(type);
        const patched = applyPatch(clone(claim), body, raw, type as PatchType, query);
        checkPrecondition(patched, claim, claim.metadata.name, "persistentvolumeclaims");
        return resizeClaim(claim, patched, dryRun);
      }
      case "storageclasses.storage.k8s.io": {
        if (route.verb === "list") {
          const items = state.storageClasses.filter((c) => matchesLabels(selector, c.metadata.labels));
          return listOf("StorageClassList", "storage.k8s.io/v1", items.map(clone), String(resourceVersion));
        }
        const storageClass = state.storageClasses.find((c) => c.metadata.name === route.name);
        if (!storageClass) {
          throw new HttpError(
            status(404, `storageclasses.storage.k8s.io "${route.name}" not found`, {
              name: route.name!,
              group: "storage.k8s.io",
              kind: "storageclasses",
            }),
          );
        }
        return clone(storageClass);
      }
      case "nodes/proxy":
        return nodeProxy(route.name!, rawPath);
      case "flinkdeployments.flink.apache.org":
        return flinkDeployments(route, query, body, raw, type, selector, dryRun);
      case "flinkdeployments.flink.apache.org/scale":
        return flinkDeploymentScale(route, query, body, raw, type, dryRun);
      case "deployments.apps": {
        if (route.verb === "list") {
          const items = inNamespace(state.deployments).filter((d) =>
            matchesLabels(selector, d.metadata.labels),
          );
          return listOf("DeploymentList", "apps/v1", items.map(clone), String(resourceVersion));
        }
        const deployment = findDeployment(namespace!, route.name!);
        if (route.verb === "get") return clone(deployment);
        // patch: spec and metadata only; status belongs to the controller.
        checkPatchType(type);
        const patched = applyPatch(clone(deployment), body, raw, type as PatchType, query);
        checkPrecondition(patched, deployment, deployment.metadata.name);
        if (!isObject(patched) || !isObject(patched.spec))
          throw new HttpError(status(422, "spec is required"));
        const replicas = patched.spec.replicas;
        if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
          throw new HttpError(
            invalidStatus({ kind: "Deployment", group: "apps", name: deployment.metadata.name }, [
              replicasCause(replicas),
            ]),
          );
        }
        checkContainers(patched.spec, deployment.metadata.name);
        const target = dryRun ? clone(deployment) : deployment;
        const before = JSON.stringify(target.spec);
        const templateBefore = podTemplateHash(target.spec.template);
        target.spec = patched.spec as unknown as DeploymentObject["spec"];
        if (isObject(patched.metadata)) {
          if (isObject(patched.metadata.labels))
            target.metadata.labels = patched.metadata.labels as Record<string, string>;
          if (isObject(patched.metadata.annotations)) {
            target.metadata.annotations = patched.metadata.annotations as Record<string, string>;
          }
        }
        if (JSON.stringify(target.spec) !== before) target.metadata.generation += 1;
        target.metadata.resourceVersion = nextResourceVersion();
        // The controller reacts to a new template (unless paused); dry runs change nothing.
        if (!dryRun && !target.spec.paused && podTemplateHash(target.spec.template) !== templateBefore) {
          syncReplicaSets(target);
        }
        return clone(target);
      }
      case "deployments.apps/scale": {
        const deployment = findDeployment(namespace!, route.name!);
        if (route.verb === "get") return scaleOf(deployment);
        if (route.verb === "update") {
          if (!["application/json", "application/yaml"].includes(type)) {
            throw new HttpError(
              status(
                415,
                `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
              ),
            );
          }
          if (!isObject(body)) throw new HttpError(status(400, "the request body is not a Scale object"));
          checkPrecondition(body, deployment, deployment.metadata.name);
          return storeScale(deployment, body, dryRun);
        }
        checkPatchType(type);
        const patched = applyPatch(scaleOf(deployment), body, raw, type as PatchType, query);
        checkPrecondition(patched, deployment, deployment.metadata.name);
        return storeScale(deployment, patched, dryRun);
      }
    }
    throw new HttpError(NOT_SERVED());
  }

  function checkPatchType(type: string): void {
    if (!(PATCH_TYPES as readonly string[]).includes(type)) {
      // What v1.34 answers a PATCH of a built-in resource in another content type (recorded).
      throw new HttpError(status(415, "415: Unsupported Media Type", {}));
    }
  }

  function takeFailure(route: Route | undefined): FailureRule | undefined {
    if (!route) return undefined;
    const index = failures.findIndex(
      (rule) =>
        (rule.verb === undefined || rule.verb === route.verb) &&
        (rule.resource === undefined || rule.resource === route.resource) &&
        (rule.namespace === undefined || rule.namespace === route.namespace) &&
        (rule.name === undefined || rule.name === route.name),
    );
    const rule = failures[index];
    if (!rule) return undefined;
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) failures.splice(index, 1);
    }
    return rule;
  }

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  function send(response: ServerResponse, code: number, payload: unknown): void {
    if (response.destroyed || response.writableEnded) return;
    const text = typeof payload === "string" ? payload : JSON.stringify(payload);
    response.writeHead(code, {
      "content-type": typeof payload === "string" ? "text/plain; charset=utf-8" : "application/json",
      "content-length": Buffer.byteLength(text),
      "cache-control": "no-cache, private",
      // API Priority and Fairness answers 429 with Retry-After: 1.
      ...(code === 429 ? { "retry-after": "1" } : {}),
    });
    response.end(text);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const method = request.method ?? "GET";
    const contentType = request.headers["content-type"];
    const type = mediaType(contentType);
    const raw = await readBody(request);
    const body = parseBody(raw, type);
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const route = routeOf(method, path);
    const addressed = route !== undefined && route !== "method-not-allowed" ? route : undefined;
    requests.push({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      contentType,
      body,
      ...(addressed ?? {}),
    });

    if (["/healthz", "/livez", "/readyz"].includes(path)) return send(response, 200, "ok");
    if (path === "/version") {
      return send(response, 200, {
        major: "1",
        minor: "31",
        gitVersion: "v1.31.0",
        gitCommit: "0000000000000000000000000000000000000000",
        gitTreeState: "clean",
        buildDate: CREATED_AT,
        goVersion: "go1.22.5",
        compiler: "gc",
        platform: "linux/amd64",
      });
    }
    if (request.headers.authorization !== `Bearer ${token}`)
      return send(response, 401, status(401, "Unauthorized"));

    const failure = takeFailure(addressed);
    if (failure?.delayMs !== undefined) await delay(failure.delayMs);
    if (failure?.status !== undefined) {
      const message = failure.message ?? defaultFailureMessage(failure.status, addressed, user);
      // As the real server (recorded): {name?, group? (not for the core group), kind: the plural}.
      const [plural = "", ...groupParts] = (addressed?.resource.split("/")[0] ?? "").split(".");
      const group = groupParts.join(".");
      const details =
        addressed !== undefined
          ? {
              ...(addressed.name !== undefined ? { name: addressed.name } : {}),
              ...(group ? { group } : {}),
              kind: plural,
            }
          : undefined;
      return send(response, failure.status, status(failure.status, message, details));
    }

    if (route === undefined) {
      const document = method === "GET" ? discovery(path) : undefined;
      return document === undefined ? send(response, 404, PAGE_NOT_FOUND) : send(response, 200, document);
    }
    if (route === "method-not-allowed") {
      return send(
        response,
        405,
        status(405, "the server does not allow this method on the requested resource"),
      );
    }
    try {
      send(response, 200, await serve(route, url.searchParams, body, raw, type, url.pathname));
    } catch (error) {
      if (error instanceof HttpError) return send(response, error.status.code, error.status);
      if (error instanceof PageNotFound) return send(response, 404, PAGE_NOT_FOUND);
      if (error instanceof NoContent) {
        response.writeHead(204, { "cache-control": "no-cache, private" });
        response.end();
        return;
      }
      if (error instanceof BadRequest) return send(response, 400, status(400, error.message));
      throw error;
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, 500, status(500, `internal error in the test server: ${(error as Error).message}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const kubeConfigYaml = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: kube-test",
    "    cluster:",
    `      server: ${url}`,
    "      insecure-skip-tls-verify: true",
    "users:",
    "  - name: runbook-bot",
    "    user:",
    `      token: ${token}`,
    "contexts:",
    "  - name: kube-test",
    "    context:",
    "      cluster: kube-test",
    "      user: runbook-bot",
    "      namespace: flink",
    "current-context: kube-test",
    "",
  ].join("\n");

  return {
    url,
    kubeConfigYaml,
    token,
    requests,
    state,
    setFailure: (rule) => {
      if (rule.status === undefined && rule.delayMs === undefined) {
        throw new Error("setFailure: give status and/or delayMs");
      }
      failures.push({ ...rule });
    },
    clearFailures: () => {
      failures.length = 0;
    },
    converge,
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Manual use: serve the default seed and print the kubeconfig.
if (import.meta.url === `file://${process.argv[1]}`) {
  const running = await startKubeApiServer();
  process.stdout.write(`${running.kubeConfigYaml}\n# serving ${running.url}; Ctrl-C to stop\n`);
  process.on("SIGINT", () => {
    void running.stop().then(() => process.exit(0));
  });
}
