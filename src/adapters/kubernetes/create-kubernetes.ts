/**
 * KubernetesPort over @kubernetes/client-node 1.4 (with kube-client.ts and kube-errors.ts, the
 * only modules that import it; the pure parts are in pod-*.ts, rollout.ts, volumes.ts,
 * container-resources.ts and flink-deployment.ts).
 *
 * - Every PATCH names its content type (client-node 1.x would otherwise send json-patch):
 *   merge patch for scale, PVCs and FlinkDeployments (custom resources take no strategic merge),
 *   strategic merge for restart and set resources, JSON patch for undo (as kubectl).
 * - Deployments and ReplicaSets for rollouts are read raw (CustomObjectsApi on the apps group:
 *   the same path), so a pod template copied back by undo is exactly what the server stored.
 * - Taskmanager writes first resolve the workload: a configured FlinkDeployment, a Deployment
 *   owned by one (the operator's standalone mode), or, when no Deployment of that name exists,
 *   a FlinkDeployment named like it (native mode); otherwise the plain Deployment.
 * - Every call carries a timeout; throttling (429) is retried with backoff (kube-client.ts).
 */
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  StorageV1Api,
  type V1Pod,
  type V1Scale,
  type V1StorageClass,
} from "@kubernetes/client-node";
import {
  type ContainerResources,
  type DeletedPods,
  type DeploymentScale,
  KubernetesError,
  type KubernetesPort,
  type LogQuery,
  type PodInfo,
  type PodLog,
  type PodUsage,
  type RestartResult,
  type RolloutRevision,
  type RolloutStatus,
  type SetResourcesResult,
  type TaskmanagerWorkload,
  type UndoResult,
  type VolumeClaimInfo,
  type VolumeUsage,
  type WorkloadRef,
} from "../../ports/kubernetes.ts";
import {
  checkResources,
  mergeResources,
  resourcesPatch,
  toContainerResources,
} from "./container-resources.ts";
import {
  FLINK_GROUP,
  FLINK_PLURAL,
  FLINK_VERSION,
  flinkDeploymentInfo,
  flinkDeploymentItems,
  flinkResource,
  isFlinkTaskmanager,
  matchesTaskmanagerName,
  type RawFlinkDeployment,
} from "./flink-deployment.ts";
import {
  DEFAULT_RETRY,
  FIELD_MANAGER,
  KubeCaller,
  loadKubeConfig,
  type RetryPolicy,
  safeServerUrl,
} from "./kube-client.ts";
import { boundLogLines, DEFAULT_TAIL_LINES, LOG_LIMIT_BYTES, logQueryProblem } from "./pod-logs.ts";
import { defaultContainer, podInfo } from "./pod-status.ts";
import { joinPodUsage, podMetricsItems } from "./pod-usage.ts";
import {
  historyOf,
  planUndo,
  type RawDeployment,
  type RawReplicaSet,
  restartPatch,
  rolloutStatusOf,
  selectorText,
} from "./rollout.ts";
import { expansionRefusal, sortVolumeUsage, summaryVolumes, volumeClaimInfo } from "./volumes.ts";

export interface KubernetesOptions {
  /** kubeconfig file; without it (and without inCluster) the default kubeconfig resolution applies. */
  readonly kubeconfigPath?: string;
  /** kubeconfig context; the file's current-context when absent. */
  readonly context?: string;
  /** Use the pod's service account (KUBERNETES_SERVICE_HOST/PORT and the mounted token). */
  readonly inCluster?: boolean;
  /** kubeconfig content itself (tests, sandbox); wins over the other sources. */
  readonly kubeConfigYaml?: string;
  /** Per-request timeout, default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Retries when throttled (429); default 3 attempts, 250 ms doubling, 2 s cap. */
  readonly retry?: Partial<RetryPolicy>;
  /** The FlinkDeployment that manages the taskmanagers (Flink Kubernetes Operator), when known. */
  readonly flinkDeployment?: string;
  /** "auto" (default): detect a FlinkDeployment; "off": taskmanagers are always a plain Deployment. */
  readonly flinkOperator?: "auto" | "off";
  /** Clock for restartedAt (tests). */
  readonly now?: () => Date;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

const METRICS_GROUP = "metrics.k8s.io";
const METRICS_VERSION = "v1beta1";
/** Pods whose logs are fetched at the same time. */
const LOG_CONCURRENCY = 4;

function toDeploymentScale(scale: V1Scale, namespace: string, name: string): DeploymentScale {
  return {
    namespace: scale.metadata?.namespace ?? namespace,
    name: scale.metadata?.name ?? name,
    replicas: scale.spec?.replicas ?? 0,
    currentReplicas: scale.status?.replicas ?? 0,
  };
}

function flinkScale(fd: RawFlinkDeployment, namespace: string, name: string): DeploymentScale {
  return {
    namespace: fd.metadata?.namespace ?? namespace,
    name: fd.metadata?.name ?? name,
    replicas: fd.spec?.taskManager?.replicas ?? 0,
    currentReplicas: fd.status?.taskManager?.replicas ?? 0,
  };
}

function flinkResources(fd: RawFlinkDeployment): ContainerResources {
  const resource = fd.spec?.taskManager?.resource;
  const values = {
    ...(resource?.cpu !== undefined ? { cpu: String(resource.cpu) } : {}),
    ...(resource?.memory !== undefined ? { memory: resource.memory } : {}),
  };
  return Object.keys(values).length > 0 ? { requests: values, limits: values } : {};
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await run(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** What a taskmanager write acts on, with the object already read. */
type Resolved =
  | { workload: TaskmanagerWorkload & { mode: "deployment" }; deployment: RawDeployment }
  | { workload: TaskmanagerWorkload & { mode: "flink-operator" }; flink: RawFlinkDeployment };

const refOf = (workload: TaskmanagerWorkload): WorkloadRef => ({
  mode: workload.mode,
  kind: workload.kind,
  namespace: workload.namespace,
  name: workload.name,
});

export function createKubernetes(options: KubernetesOptions = {}): KubernetesPort {
  const config = loadKubeConfig(options);
  const server = safeServerUrl(config.getCurrentCluster()?.server ?? "");
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const kube = new KubeCaller(server, timeoutMs, { ...DEFAULT_RETRY, ...options.retry });
  const core = config.makeApiClient(CoreV1Api);
  const apps = config.makeApiClient(AppsV1Api);
  const storage = config.makeApiClient(StorageV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const now = options.now ?? (() => new Date());
  const detect = options.flinkOperator !== "off";

  const deploymentLabel = (namespace: string, name: string) => `deployment ${namespace}/${name}`;

  async function listPodObjects(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    const list = await kube.call(`list pods ${namespace} ${labelSelector}`, {}, () =>
      core.listNamespacedPod({ namespace, labelSelector }, kube.options()),
    );
    return [...list.items].sort((a, b) => ((a.metadata?.name ?? "") < (b.metadata?.name ?? "") ? -1 : 1));
  }

  async function rawDeployment(namespace: string, name: string): Promise<RawDeployment> {
    const object = deploymentLabel(namespace, name);
    return (await kube.call(`get ${object}`, { object }, () =>
      custom.getNamespacedCustomObject(
        { group: "apps", version: "v1", namespace, plural: "deployments", name },
        kube.options(),
      ),
    )) as RawDeployment;
  }

  async function rawReplicaSets(namespace: string, deployment: RawDeployment): Promise<RawReplicaSet[]> {
    const body = (await kube.call(`list replicasets ${namespace}`, {}, () =>
      custom.listNamespacedCustomObject(
        {
          group: "apps",
          version: "v1",
          namespace,
          plural: "replicasets",
          labelSelector: selectorText(deployment),
        },
        kube.options(),
      ),
    )) as { items?: RawReplicaSet[] };
    return body.items ?? [];
  }

  async function getFlinkDeployment(namespace: string, name: string): Promise<RawFlinkDeployment> {
    const object = `flinkdeployment ${namespace}/${name}`;
    return (await kube.call(`get ${object}`, { object }, () =>
      custom.getNamespacedCustomObject(
        { group: FLINK_GROUP, version: FLINK_VERSION, namespace, plural: FLINK_PLURAL, name },
        kube.options(),
      ),
    )) as RawFlinkDeployment;
  }

  /** FlinkDeployments of the namespace; null when the operator's CRD is not installed. */
  async function listFlinkDeployments(namespace: string): Promise<RawFlinkDeployment[] | null> {
    try {
      const body = await kube.call(`list flinkdeployments ${namespace}`, {}, () =>
        custom.listNamespacedCustomObject(
          { group: FLINK_GROUP, version: FLINK_VERSION, namespace, plural: FLINK_PLURAL },
          kube.options(),
        ),
      );
      return flinkDeploymentItems(body);
    } catch (error) {
      if (error instanceof KubernetesError && error.code === "not-found") return null;
      throw error;
    }
  }

  async function patchFlinkDeployment(
    namespace: string,
    name: string,
    body: unknown,
  ): Promise<RawFlinkDeployment> {
    const object = `flinkdeployment ${namespace}/${name}`;
    return (await kube.call(`patch ${object}`, { object }, () =>
      custom.patchNamespacedCustomObject(
        {
          group: FLINK_GROUP,
          version: FLINK_VERSION,
          namespace,
          plural: FLINK_PLURAL,
          name,
          body,
          fieldManager: FIELD_MANAGER,
        },
        kube.options(PatchStrategy.MergePatch),
      ),
    )) as RawFlinkDeployment;
  }

  function flinkWorkload(
    namespace: string,
    fd: RawFlinkDeployment,
    detectedBy: TaskmanagerWorkload["detectedBy"],
  ): Resolved {
    const name = fd.metadata?.name ?? "";
    return {
      workload: {
        mode: "flink-operator",
        kind: "FlinkDeployment",
        namespace,
        name,
        detectedBy,
        flink: flinkDeploymentInfo(fd),
      },
      flink: fd,
    };
  }

  /** Which object manages the taskmanagers named `deployment` (see the header). */
  async function resolve(namespace: string, deployment: string, labelSelector?: string): Promise<Resolved> {
    if (options.flinkDeployment !== undefined) {
      return flinkWorkload(
        namespace,
        await getFlinkDeployment(namespace, options.flinkDeployment),
        "configured",
      );
    }
    let found: RawDeployment;
    try {
      found = await rawDeployment(namespace, deployment);
    } catch (error) {
      if (!detect || !(error instanceof KubernetesError) || error.code !== "not-found") throw error;
      const fds = await listFlinkDeployments(namespace);
      if (fds === null || fds.length === 0) throw error;
      const named = fds.find((fd) => matchesTaskmanagerName(fd, deployment));
      if (named) return flinkWorkload(namespace, named, "name");
      if (labelSelector !== undefined) {
        const pods = await listPodObjects(namespace, labelSelector);
        const identities = pods.map((p) => ({
          labels: p.metadata?.labels ?? {},
          owners: (p.metadata?.ownerReferences ?? []).map((o) => ({ kind: o.kind, name: o.name })),
        }));
        const owner = fds.find((fd) => identities.some((pod) => isFlinkTaskmanager(fd, pod)));
        if (owner) return flinkWorkload(namespace, owner, "pod-labels");
      }
      const names = fds.map((fd) => fd.metadata?.name ?? "").join(", ");
      throw new KubernetesError(
        "not-found",
        `${deploymentLabel(namespace, deployment)} not found; FlinkDeployments in ${namespace}: ${names} (name the one that runs the taskmanagers in the Kubernetes configuration)`,
        404,
      );
    }
    const owner = detect
      ? (found.metadata?.ownerReferences ?? []).find(
          (o) => o.kind === "FlinkDeployment" && (o.apiVersion ?? "").startsWith(`${FLINK_GROUP}/`),
        )
      : undefined;
    if (owner?.name !== undefined) {
      return flinkWorkload(namespace, await getFlinkDeployment(namespace, owner.name), "owner-reference");
    }
    return {
      workload: {
        mode: "deployment",
        kind: "Deployment",
        namespace,
        name: found.metadata?.name ?? deployment,
        detectedBy: "deployment",
        flink: null,
      },
      deployment: found,
    };
  }

  /** The claim's StorageClass; undefined when it does not exist, null when RBAC does not let us read it. */
  async function storageClass(name: string | null): Promise<V1StorageClass | undefined | null> {
    if (name === null) return undefined;
    try {
      return await kube.call(`get storageclass ${name}`, { object: `storageclass ${name}` }, () =>
        storage.readStorageClass({ name }, kube.options()),
      );
    } catch (error) {
      if (error instanceof KubernetesError && error.code === "not-found") return undefined;
      // Cluster-scoped: the namespaced Role cannot grant it (manifests/optional/cluster-read.yaml).
      if (error instanceof KubernetesError && error.code === "forbidden") return null;
      throw error;
    }
  }

  async function readVolumeClaim(namespace: string, name: string): Promise<VolumeClaimInfo> {
    const object = `persistentvolumeclaim ${namespace}/${name}`;
    const claim = await kube.call(`get ${object}`, { object }, () =>
      core.readNamespacedPersistentVolumeClaim({ namespace, name }, kube.options()),
    );
    const sc = await storageClass(claim.spec?.storageClassName ?? null);
    return volumeClaimInfo(claim, sc, namespace, name);
  }

  async function readLog(
    pod: V1Pod,
    namespace: string,
    query: LogQuery,
  ): Promise<PodLog & { apiError?: KubernetesError }> {
    const name = pod.metadata?.name ?? "";
    const containers = (pod.spec?.containers ?? []).map((c) => c.name);
    const container = query.container ?? defaultContainer(pod) ?? "";
    const base = { pod: name, container };
    if (!containers.includes(container)) {
      const error = `pod ${name} has no container ${JSON.stringify(container)} (containers: ${containers.join(", ")})`;
      return { ...base, lines: [], matched: 0, truncated: false, error };
    }
    if (!pod.spec?.nodeName) {
      // The API answers 204 without a Content-Type: there is no kubelet to ask yet.
      const error = `pod ${name} is not scheduled yet: no logs`;
      return { ...base, lines: [], matched: 0, truncated: false, error };
    }
    try {
      const text = await kube.call(
        `get log of pod ${namespace}/${name}`,
        { object: `pod ${namespace}/${name}` },
        () =>
          core.readNamespacedPodLog(
            {
              name,
              namespace,
              container,
              tailLines: query.tailLines ?? DEFAULT_TAIL_LINES,
              limitBytes: LOG_LIMIT_BYTES,
              ...(query.sinceSeconds !== undefined ? { sinceSeconds: query.sinceSeconds } : {}),
              ...(query.previous ? { previous: true } : {}),
            },
            kube.options(),
          ),
      );
      return {
        ...base,
        ...boundLogLines(typeof text === "string" ? text : String(text ?? ""), query),
        error: null,
      };
    } catch (error) {
      if (!(error instanceof KubernetesError)) throw error;
      return { ...base, lines: [], matched: 0, truncated: false, error: error.message, apiError: error };
    }
  }

  return {
    describeTarget: `${server} (context ${config.getCurrentContext()})`,

    async podUsage(namespace: string, labelSelector: string): Promise<PodUsage[]> {
      const [pods, metrics] = await Promise.allSettled([
        kube.call(`list pods ${namespace}`, {}, () =>
          core.listNamespacedPod({ namespace, labelSelector }, kube.options()),
        ),
        kube.call(`list pod metrics ${namespace}`, { metricsApi: true }, () =>
          custom.listNamespacedCustomObject(
            { group: METRICS_GROUP, version: METRICS_VERSION, namespace, plural: "pods", labelSelector },
            kube.options(),
          ),
        ),
      ]);
      if (pods.status === "rejected") throw pods.reason;
      if (metrics.status === "rejected") throw metrics.reason;
      return joinPodUsage(pods.value.items, podMetricsItems(metrics.value));
    },

    async listPods(namespace: string, labelSelector: string): Promise<PodInfo[]> {
      return (await listPodObjects(namespace, labelSelector)).map(podInfo);
    },

    async podLogs(namespace: string, labelSelector: string, query: LogQuery = {}): Promise<PodLog[]> {
      const problem = logQueryProblem(query);
      if (problem !== null) throw new KubernetesError("invalid", problem);
      const pods = await listPodObjects(namespace, labelSelector);
      const logs = await mapLimited(pods, LOG_CONCURRENCY, (pod) => readLog(pod, namespace, query));
      const failed = logs.filter((log) => log.apiError !== undefined);
      if (failed.length > 0 && failed.length === logs.length) {
        // The API refused every pod (RBAC on pods/log, API down): a typed error, not empty evidence.
        const first = failed[0]!.apiError!;
        throw new KubernetesError(first.code, `no pod log could be read: ${first.message}`, first.status);
      }
      return logs.map(({ apiError: _apiError, ...log }) => log);
    },

    async rolloutStatus(namespace: string, deployment: string): Promise<RolloutStatus> {
      return rolloutStatusOf(await rawDeployment(namespace, deployment), namespace, deployment);
    },

    async rolloutHistory(namespace: string, deployment: string): Promise<RolloutRevision[]> {
      const found = await rawDeployment(namespace, deployment);
      return historyOf(found, await rawReplicaSets(namespace, found));
    },

    volumeClaim: readVolumeClaim,

    async volumeUsage(namespace: string, labelSelector: string): Promise<VolumeUsage[]> {
      const pods = await listPodObjects(namespace, labelSelector);
      const byNode = new Map<string, Set<string>>();
      for (const pod of pods) {
        const node = pod.spec?.nodeName;
        const name = pod.metadata?.name;
        if (node === undefined || name === undefined) continue;
        byNode.set(node, (byNode.get(node) ?? new Set()).add(name));
      }
      const perNode = await Promise.all(
        [...byNode].map(async ([node, names]) => {
          const summary = await kube.call(
            `get stats summary of node ${node}`,
            { object: `node ${node}` },
            () =>
              core.connectGetNodeProxyWithPath(
                { name: node, path: "stats/summary" },
                // The client escapes the slash (stats%2Fsummary); send the path kubectl sends.
                kube.options(undefined, (url) =>
                  url.replace("/proxy/stats%2Fsummary", "/proxy/stats/summary"),
                ),
              ),
          );
          return summaryVolumes(summary, node, namespace, names);
        }),
      );
      return sortVolumeUsage(perNode.flat());
    },

    async taskmanagerWorkload(namespace: string, deployment: string, labelSelector?: string) {
      return (await resolve(namespace, deployment, labelSelector)).workload;
    },

    async containerResources(
      namespace: string,
      deployment: string,
      container: string,
    ): Promise<ContainerResources | null> {
      const found = await rawDeployment(namespace, deployment);
      const spec = (found.spec?.template?.spec?.containers ?? []).find((c) => c.name === container);
      if (spec === undefined) return null;
      return toContainerResources(spec.resources as Parameters<typeof toContainerResources>[0]);
    },

    async getScale(namespace: string, deployment: string): Promise<DeploymentScale> {
      if (options.flinkDeployment !== undefined) {
        const fd = await getFlinkDeployment(namespace, options.flinkDeployment);
        return flinkScale(fd, namespace, options.flinkDeployment);
      }
      if (detect) {
        // A Deployment owned by a FlinkDeployment keeps whatever replicas the operator last
        // wrote; the desired count is the FlinkDeployment's.
        const target = await resolve(namespace, deployment);
        if ("flink" in target) return flinkScale(target.flink, namespace, target.workload.name);
      }
      const object = deploymentLabel(namespace, deployment);
      const scale = await kube.call(`get scale of ${object}`, { object }, () =>
        apps.readNamespacedDeploymentScale({ namespace, name: deployment }, kube.options()),
      );
      return toDeploymentScale(scale, namespace, deployment);
    },

    async scaleDeployment(namespace: string, deployment: string, replicas: number): Promise<DeploymentScale> {
      if (!Number.isInteger(replicas) || replicas < 0) {
        throw new KubernetesError("invalid", `replicas must be a whole number >= 0, got ${replicas}`);
      }
      const target =
        detect || options.flinkDeployment !== undefined ? await resolve(namespace, deployment) : undefined;
      if (target && "flink" in target) {
        // The CRD's scale subresource (spec.taskManager.replicas): RBAC can grant it alone
        // (flinkdeployments/scale), unlike a patch of the whole FlinkDeployment.
        const name = target.workload.name;
        const object = `flinkdeployment ${namespace}/${name}`;
        const scale = (await kube.call(`patch scale of ${object}`, { object }, () =>
          custom.patchNamespacedCustomObjectScale(
            {
              group: FLINK_GROUP,
              version: FLINK_VERSION,
              namespace,
              plural: FLINK_PLURAL,
              name,
              body: { spec: { replicas } },
              fieldManager: FIELD_MANAGER,
            },
            kube.options(PatchStrategy.MergePatch),
          ),
        )) as V1Scale;
        return toDeploymentScale(scale, namespace, name);
      }
      const object = deploymentLabel(namespace, deployment);
      const scale = await kube.call(`patch scale of ${object}`, { object }, () =>
        apps.patchNamespacedDeploymentScale(
          { namespace, name: deployment, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER },
          kube.options(PatchStrategy.MergePatch),
        ),
      );
      return toDeploymentScale(scale, namespace, deployment);
    },

    async restartRollout(namespace: string, deployment: string): Promise<RestartResult> {
      const target = await resolve(namespace, deployment);
      if ("flink" in target) {
        const nonce = (target.flink.spec?.restartNonce ?? 0) + 1;
        const resourceVersion = (target.flink.metadata as { resourceVersion?: string } | undefined)
          ?.resourceVersion;
        await patchFlinkDeployment(namespace, target.workload.name, {
          ...(resourceVersion !== undefined ? { metadata: { resourceVersion } } : {}),
          spec: { restartNonce: nonce },
        });
        return { workload: refOf(target.workload), restartedAt: null, restartNonce: nonce };
      }
      const { restartedAt, patch } = restartPatch(target.deployment, now());
      const object = deploymentLabel(namespace, target.workload.name);
      await kube.call(`patch ${object}`, { object }, () =>
        apps.patchNamespacedDeployment(
          { namespace, name: target.workload.name, body: patch, fieldManager: FIELD_MANAGER },
          kube.options(PatchStrategy.StrategicMergePatch),
        ),
      );
      return { workload: refOf(target.workload), restartedAt, restartNonce: null };
    },

    async undoRollout(namespace: string, deployment: string, toRevision?: number): Promise<UndoResult> {
      const target = await resolve(namespace, deployment);
      if ("flink" in target) {
        throw new KubernetesError(
          "refused",
          `the taskmanagers are managed by FlinkDeployment ${namespace}/${target.workload.name}: there is no ReplicaSet history to undo; the operator rolls back by itself when kubernetes.operator.deployment.rollback.enabled is set (see status.reconciliationStatus)`,
        );
      }
      const found = target.deployment;
      const plan = planUndo(found, await rawReplicaSets(namespace, found), toRevision);
      const object = deploymentLabel(namespace, target.workload.name);
      await kube.call(`patch ${object}`, { object }, () =>
        apps.patchNamespacedDeployment(
          { namespace, name: target.workload.name, body: plan.patch, fieldManager: FIELD_MANAGER },
          kube.options(PatchStrategy.JsonPatch),
        ),
      );
      return {
        namespace,
        name: target.workload.name,
        fromRevision: plan.fromRevision,
        toRevision: plan.toRevision,
        images: plan.images,
        changeCause: plan.changeCause,
      };
    },

    async deletePods(namespace: string, labelSelector: string): Promise<DeletedPods> {
      if (labelSelector.trim() === "") {
        throw new KubernetesError("invalid", "refusing to delete pods without a label selector");
      }
      const pods = await listPodObjects(namespace, labelSelector);
      const deleted: string[] = [];
      for (const pod of pods) {
        const name = pod.metadata?.name ?? "";
        const object = `pod ${namespace}/${name}`;
        try {
          await kube.call(`delete ${object}`, { object }, () =>
            core.deleteNamespacedPod({ namespace, name }, kube.options()),
          );
          deleted.push(name);
        } catch (error) {
          // Gone already (its controller or someone else deleted it): nothing to do.
          if (error instanceof KubernetesError && error.code === "not-found") continue;
          if (error instanceof KubernetesError) {
            throw new KubernetesError(
              error.code,
              `deleted ${deleted.length} of ${pods.length} pods (${deleted.join(", ") || "none"}); ${name}: ${error.message}`,
              error.status,
            );
          }
          throw error;
        }
      }
      return { namespace, pods: deleted.sort() };
    },

    async setContainerResources(
      namespace: string,
      deployment: string,
      container: string,
      resources: ContainerResources,
    ): Promise<SetResourcesResult> {
      const target = await resolve(namespace, deployment);
      if ("flink" in target) {
        const resource = flinkResource(resources);
        if (Object.keys(resource).length === 0)
          throw new KubernetesError("invalid", "no requests or limits given");
        const before = flinkResources(target.flink);
        const fd = await patchFlinkDeployment(namespace, target.workload.name, {
          spec: { taskManager: { resource } },
        });
        return { workload: refOf(target.workload), container, before, after: flinkResources(fd) };
      }
      const containers = target.deployment.spec?.template?.spec?.containers ?? [];
      const current = containers.find((c) => c.name === container);
      if (current === undefined) {
        throw new KubernetesError(
          "invalid",
          `${deploymentLabel(namespace, target.workload.name)} has no container ${JSON.stringify(container)} (containers: ${containers.map((c) => c.name).join(", ")})`,
        );
      }
      const before = toContainerResources(current.resources as Parameters<typeof toContainerResources>[0]);
      const after = mergeResources(before, resources);
      checkResources(resources, after);
      const object = deploymentLabel(namespace, target.workload.name);
      await kube.call(`patch ${object}`, { object }, () =>
        apps.patchNamespacedDeployment(
          {
            namespace,
            name: target.workload.name,
            body: resourcesPatch(container, resources),
            fieldManager: FIELD_MANAGER,
          },
          kube.options(PatchStrategy.StrategicMergePatch),
        ),
      );
      return { workload: refOf(target.workload), container, before, after };
    },

    async expandVolumeClaim(namespace: string, name: string, size: string): Promise<VolumeClaimInfo> {
      const claim = await readVolumeClaim(namespace, name);
      const refusal = expansionRefusal(claim, size);
      if (refusal) throw refusal;
      const object = `persistentvolumeclaim ${namespace}/${name}`;
      const patched = await kube.call(`patch ${object}`, { object }, () =>
        core.patchNamespacedPersistentVolumeClaim(
          {
            namespace,
            name,
            body: { spec: { resources: { requests: { storage: size } } } },
            fieldManager: FIELD_MANAGER,
          },
          kube.options(PatchStrategy.MergePatch),
        ),
      );
      return volumeClaimInfo(
        patched,
        claim.allowsExpansion === null
          ? null
          : claim.allowsExpansion
            ? ({ allowVolumeExpansion: true } as V1StorageClass)
            : undefined,
        namespace,
        name,
      );
    },
  };
}
