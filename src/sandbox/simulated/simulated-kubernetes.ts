/**
 * Kubernetes in the sandbox: the taskmanager deployment of the consumer-lag scenario.
 *
 * Namespace flink, Deployment flink-taskmanager (app=flink-taskmanager, container taskmanager,
 * 2 CPU / 8Gi), as many Running pods as the scenario has taskmanagers, three revisions
 * (flink-job:1.4.1, 1.4.2, and 1.4.3 current), the RocksDB claim flink-state-pvc (50Gi on gp3,
 * which allows expansion), realistic Flink log lines, and writes that change this state the way
 * the deployment controller would (a template change makes a new revision; undo renumbers the
 * restored revision). Rollouts complete at once. Errors are the real adapter's KubernetesErrors.
 *
 * The STORY_* constants are shared with the Kubernetes API test server's default seed, so the
 * contract suite compares the two adapters on the same data.
 */
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
  type ResourceValues,
  type RestartResult,
  type RolloutRevision,
  type RolloutStatus,
  type SetResourcesResult,
  type TaskmanagerWorkload,
  type UndoResult,
  type VolumeClaimInfo,
  type VolumeUsage,
} from "../../ports/kubernetes.ts";
import type { ConsumerLagScenario } from "./consumer-lag-scenario.ts";

const GI = 2 ** 30;
const CPU_LIMIT_M = 2000;
const MEM_LIMIT = 8 * GI;

export const STORY_NAMESPACE = "flink";
export const STORY_DEPLOYMENT = "flink-taskmanager";
export const STORY_CONTAINER = "taskmanager";
export const STORY_NODE = "ip-10-0-1-23.ec2.internal";
export const STORY_CLAIM = "flink-state-pvc";
export const STORY_VOLUME = "flink-state";
/** The claim as requested and provisioned. */
export const STORY_CLAIM_SIZE = "50Gi";
/** gp3 allows expansion, gp2 does not. */
export const STORY_STORAGE_CLASSES = [
  { name: "gp3", provisioner: "ebs.csi.aws.com", allowVolumeExpansion: true },
  { name: "gp2", provisioner: "kubernetes.io/aws-ebs", allowVolumeExpansion: false },
] as const;
/** The kubelet's view of the RocksDB volume: an ext4 filesystem on the 50Gi volume, 63% used. */
export const STORY_VOLUME_STATS = { capacityBytes: 52_576_092_160, usedBytes: 33_285_996_544 } as const;

export interface StoryRevision {
  readonly revision: number;
  readonly image: string;
  readonly changeCause: string;
  readonly createdAt: string;
}

/** Oldest first; the last is current. */
export const STORY_REVISIONS: readonly StoryRevision[] = [
  { revision: 1, image: "flink-job:1.4.1", changeCause: "deploy 1.4.1", createdAt: "2025-05-06T09:12:44Z" },
  { revision: 2, image: "flink-job:1.4.2", changeCause: "deploy 1.4.2", createdAt: "2025-05-20T14:03:10Z" },
  { revision: 3, image: "flink-job:1.4.3", changeCause: "deploy 1.4.3", createdAt: "2025-06-02T08:41:27Z" },
];

/** A Flink log timestamp (log4j's "yyyy-MM-dd HH:mm:ss,SSS", UTC). */
function flinkTime(at: Date): string {
  return at.toISOString().replace("T", " ").replace("Z", "").replace(".", ",");
}

/**
 * Taskmanager `index`'s log: {secondsAgo, text} oldest first. Includes a checkpoint line, a
 * "window emitted" line and a RocksDB compaction line, the strings the runbooks grep for.
 */
export function storyLogLines(index: number, now: Date): { at: Date; text: string }[] {
  const subtask = `(${index + 1}/4)#0`;
  const window = "Window(TumblingEventTimeWindows(60000), EventTimeTrigger, OrderAggregate)";
  const lines: [number, string][] = [
    [
      290,
      `INFO  org.apache.flink.runtime.taskmanager.Task [] - Source: orders.raw -> Parse -> Enrich ${subtask} switched from INITIALIZING to RUNNING.`,
    ],
    [
      240,
      `INFO  org.apache.kafka.clients.consumer.internals.ConsumerCoordinator [] - [Consumer clientId=order-processor-${index}, groupId=order-processor] Setting offset for partition orders.raw-${index % 3} to the committed offset FetchPosition{offset=${4_120_000 + index * 1_000}}`,
    ],
    [
      180,
      `INFO  com.example.orders.OrderWindowFunction [] - window emitted: window=[10:14:00,10:15:00) orders=${11_800 + index * 37} lateDropped=0`,
    ],
    [
      150,
      `INFO  org.apache.flink.contrib.streaming.state.RocksDBKeyedStateBackend [] - RocksDB compaction pending: 1.2 GiB in column family window-contents ${subtask}`,
    ],
    [
      120,
      `INFO  org.apache.flink.streaming.runtime.tasks.SubtaskCheckpointCoordinatorImpl [] - ${window} ${subtask} - checkpoint 4812 acknowledged: async part took 48213 ms (backpressured, alignment 31877 ms)`,
    ],
    [
      60,
      `WARN  org.apache.flink.runtime.io.network.partition.consumer.SingleInputGate [] - ${window} ${subtask} is backpressured: 100% of the time busy in the last 60 s`,
    ],
    [
      30,
      `INFO  com.example.orders.OrderWindowFunction [] - window emitted: window=[10:15:00,10:16:00) orders=${11_650 + index * 41} lateDropped=0`,
    ],
  ];
  return lines.map(([secondsAgo, text]) => {
    const at = new Date(now.getTime() - secondsAgo * 1000);
    return { at, text: `${flinkTime(at)} ${text}` };
  });
}

interface SimTemplate {
  image: string;
  resources: { requests: ResourceValues; limits: ResourceValues };
  restartedAt: string | null;
}

interface SimRevision {
  revision: number;
  replicaSet: string;
  template: SimTemplate;
  changeCause: string | null;
  createdAt: string;
}

const sameTemplate = (a: SimTemplate, b: SimTemplate) => JSON.stringify(a) === JSON.stringify(b);

function hashOf(template: SimTemplate): string {
  let hash = 2166136261;
  for (const char of JSON.stringify(template)) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  }
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let text = "";
  for (let i = 0; i < 10; i += 1) {
    text += alphabet[hash % alphabet.length];
    hash = Math.floor(hash / alphabet.length) + i * 7919;
  }
  return text;
}

function parseBytes(text: string): number {
  const match = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(text);
  if (!match)
    throw new KubernetesError(
      "invalid",
      `invalid quantity ${JSON.stringify(text)}: not a Kubernetes quantity`,
    );
  const power = { Ki: 10, Mi: 20, Gi: 30, Ti: 40 }[match[2] as "Ki"] ?? 0;
  return Number(match[1]) * 2 ** power;
}

function cpuMillicores(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(m)?$/.exec(text);
  if (!match)
    throw new KubernetesError(
      "invalid",
      `invalid quantity ${JSON.stringify(text)}: not a Kubernetes quantity`,
    );
  return match[2] ? Number(match[1]) : Math.ceil(Number(match[1]) * 1000);
}

export class SimulatedKubernetes implements KubernetesPort {
  readonly describeTarget = "simulated Kubernetes (sandbox)";
  /** Every scale the bot made, for the sandbox's terminal and tests. */
  readonly scaleRequests: { namespace: string; deployment: string; replicas: number }[] = [];
  /** Every write the bot made, in order, for the sandbox's terminal and tests. */
  readonly writes: { action: string; target: string; detail: string }[] = [];

  private readonly now: () => Date;
  private generation = 1;
  private paused = false;
  private template: SimTemplate;
  private revisions: SimRevision[];
  private deploymentChangeCause: string;
  private podStartedAt: string;
  private podGeneration = 0;
  private claimRequested = STORY_CLAIM_SIZE;

  constructor(
    private readonly scenario: ConsumerLagScenario,
    private readonly namespace = STORY_NAMESPACE,
    private readonly deployment = STORY_DEPLOYMENT,
    now?: () => Date,
  ) {
    this.now = now ?? (() => new Date());
    const resources = { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } };
    this.revisions = STORY_REVISIONS.map((r) => {
      const template: SimTemplate = {
        image: r.image,
        resources: structuredClone(resources),
        restartedAt: null,
      };
      return {
        revision: r.revision,
        replicaSet: `${this.deployment}-${hashOf(template)}`,
        template,
        changeCause: r.changeCause,
        createdAt: r.createdAt,
      };
    });
    const current = this.revisions.at(-1)!;
    this.template = structuredClone(current.template);
    this.deploymentChangeCause = current.changeCause ?? "";
    this.podStartedAt = STORY_REVISIONS.at(-1)!.createdAt;
  }

  private iso(): string {
    return this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
  }

  private selects(namespace: string, labelSelector: string): boolean {
    return (
      namespace === this.namespace &&
      labelSelector
        .split(",")
        .map((p) => p.trim())
        .every((p) => p === "app=flink-taskmanager" || p === "app==flink-taskmanager")
    );
  }

  private podNames(): string[] {
    const suffix = this.podGeneration === 0 ? "" : `-r${this.podGeneration}`;
    return Array.from({ length: this.scenario.taskmanagers }, (_, i) => `${this.deployment}-${i}${suffix}`);
  }

  private check(namespace: string, deployment: string): void {
    if (namespace !== this.namespace || deployment !== this.deployment) {
      throw new KubernetesError("not-found", `deployment ${namespace}/${deployment} not found`, 404);
    }
  }

  private checkClaim(namespace: string, name: string): void {
    if (namespace !== this.namespace || name !== STORY_CLAIM) {
      throw new KubernetesError("not-found", `persistentvolumeclaim ${namespace}/${name} not found`, 404);
    }
  }

  /** The deployment controller: a new template becomes a new revision (or renumbers an old one). */
  private setTemplate(next: SimTemplate, changeCause: string | null): void {
    this.template = next;
    this.generation += 1;
    const max = Math.max(...this.revisions.map((r) => r.revision));
    const existing = this.revisions.find((r) => sameTemplate(r.template, next));
    if (existing) {
      existing.revision = max + 1;
      existing.changeCause = changeCause;
    } else {
      this.revisions.push({
        revision: max + 1,
        replicaSet: `${this.deployment}-${hashOf(next)}`,
        template: structuredClone(next),
        changeCause,
        createdAt: this.iso(),
      });
    }
    this.podGeneration += 1;
    this.podStartedAt = this.iso();
  }

  /**
   * A deployment of a new image (what CI does, not the bot): a new template, so a new revision with
   * its change-cause, created at `at` (default now). Drill worlds use it for "a deployment preceded
   * the alert", so that rolling back really finds the previous template.
   */
  deploy(image: string, changeCause: string, at?: Date): void {
    this.setTemplate({ ...structuredClone(this.template), image }, changeCause);
    this.deploymentChangeCause = changeCause;
    if (at) {
      const stamp = at.toISOString().replace(/\.\d{3}Z$/, "Z");
      const revision = this.revisions.find((r) => sameTemplate(r.template, this.template));
      if (revision) revision.createdAt = stamp;
      this.podStartedAt = stamp;
    }
  }

  private workload(namespace: string, deployment: string): TaskmanagerWorkload {
    this.check(namespace, deployment);
    return {
      mode: "deployment",
      kind: "Deployment",
      namespace,
      name: deployment,
      detectedBy: "deployment",
      flink: null,
    };
  }

  // ---- reads

  async podUsage(namespace: string, labelSelector: string): Promise<PodUsage[]> {
    if (!this.selects(namespace, labelSelector)) return [];
    const cpu = this.scenario.cpuFraction();
    return this.podNames().map((pod, i) => ({
      pod,
      cpuMillicores: Math.round(CPU_LIMIT_M * (cpu - (i % 3) * 0.02)),
      memoryBytes: Math.round(MEM_LIMIT * (0.78 + (i % 2) * 0.03)),
      cpuLimitMillicores: CPU_LIMIT_M,
      memoryLimitBytes: MEM_LIMIT,
    }));
  }

  async listPods(namespace: string, labelSelector: string): Promise<PodInfo[]> {
    if (!this.selects(namespace, labelSelector)) return [];
    return this.podNames().map((name) => ({
      name,
      phase: "Running",
      ready: true,
      restarts: 0,
      node: STORY_NODE,
      startedAt: this.podStartedAt,
      containers: [
        {
          name: STORY_CONTAINER,
          image: this.template.image,
          ready: true,
          restarts: 0,
          state: "running",
          reason: null,
          exitCode: null,
          lastTerminationReason: null,
        },
      ],
      problem: null,
    }));
  }

  async podLogs(namespace: string, labelSelector: string, query: LogQuery = {}): Promise<PodLog[]> {
    for (const key of ["tailLines", "sinceSeconds", "maxLines", "maxBytes"] as const) {
      const value = query[key];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new KubernetesError("invalid", `${key} must be a whole number >= 1`);
      }
    }
    if (!this.selects(namespace, labelSelector)) return [];
    const now = this.now();
    return this.podNames().map((pod, index) => {
      const container = query.container ?? STORY_CONTAINER;
      if (container !== STORY_CONTAINER) {
        const error = `pod ${pod} has no container ${JSON.stringify(container)} (containers: ${STORY_CONTAINER})`;
        return { pod, container, lines: [], matched: 0, truncated: false, error };
      }
      let entries = query.previous ? [] : storyLogLines(index, now);
      if (query.sinceSeconds !== undefined) {
        const since = now.getTime() - query.sinceSeconds * 1000;
        entries = entries.filter((e) => e.at.getTime() >= since);
      }
      entries = entries.slice(-(query.tailLines ?? 200));
      const needle = query.grep?.toLowerCase();
      const matching = entries
        .map((e) => e.text)
        .filter((t) => needle === undefined || t.toLowerCase().includes(needle));
      const maxLines = query.maxLines ?? 50;
      const maxBytes = query.maxBytes ?? 16 * 1024;
      const kept: string[] = [];
      let bytes = 0;
      for (let i = matching.length - 1; i >= 0 && kept.length < maxLines; i -= 1) {
        const size = Buffer.byteLength(matching[i]!, "utf8") + 1;
        if (bytes + size > maxBytes) break;
        bytes += size;
        kept.unshift(matching[i]!);
      }
      return {
        pod,
        container,
        lines: kept,
        matched: matching.length,
        truncated: kept.length < matching.length,
        error: null,
      };
    });
  }

  async rolloutStatus(namespace: string, deployment: string): Promise<RolloutStatus> {
    this.check(namespace, deployment);
    const n = this.scenario.taskmanagers;
    const current = Math.max(...this.revisions.map((r) => r.revision));
    return {
      namespace,
      name: deployment,
      generation: this.generation,
      observedGeneration: this.generation,
      replicas: n,
      currentReplicas: n,
      updatedReplicas: n,
      readyReplicas: n,
      availableReplicas: n,
      paused: this.paused,
      state: "complete",
      message: `deployment ${JSON.stringify(deployment)} successfully rolled out`,
      revision: current,
      conditions: [
        {
          type: "Available",
          status: "True",
          reason: "MinimumReplicasAvailable",
          message: "Deployment has minimum availability.",
        },
        {
          type: "Progressing",
          status: "True",
          reason: "NewReplicaSetAvailable",
          message: `ReplicaSet "${this.revisions.find((r) => r.revision === current)?.replicaSet}" has successfully progressed.`,
        },
      ],
    };
  }

  async rolloutHistory(namespace: string, deployment: string): Promise<RolloutRevision[]> {
    this.check(namespace, deployment);
    const n = this.scenario.taskmanagers;
    return this.revisions
      .map((r) => {
        const current = sameTemplate(r.template, this.template);
        return {
          revision: r.revision,
          replicaSet: r.replicaSet,
          changeCause: r.changeCause,
          images: [r.template.image],
          createdAt: r.createdAt,
          replicas: current ? n : 0,
          current,
        };
      })
      .sort((a, b) => a.revision - b.revision);
  }

  async volumeClaim(namespace: string, name: string): Promise<VolumeClaimInfo> {
    this.checkClaim(namespace, name);
    return {
      namespace,
      name,
      phase: "Bound",
      requested: this.claimRequested,
      requestedBytes: parseBytes(this.claimRequested),
      capacity: STORY_CLAIM_SIZE,
      capacityBytes: parseBytes(STORY_CLAIM_SIZE),
      storageClass: "gp3",
      allowsExpansion: true,
      resizing: null,
    };
  }

  async volumeUsage(namespace: string, labelSelector: string): Promise<VolumeUsage[]> {
    if (!this.selects(namespace, labelSelector)) return [];
    const { capacityBytes, usedBytes } = STORY_VOLUME_STATS;
    return this.podNames().map((pod) => ({
      pod,
      node: STORY_NODE,
      volume: STORY_VOLUME,
      claim: STORY_CLAIM,
      usedBytes,
      capacityBytes,
      availableBytes: capacityBytes - usedBytes,
    }));
  }

  async taskmanagerWorkload(namespace: string, deployment: string): Promise<TaskmanagerWorkload> {
    return this.workload(namespace, deployment);
  }

  // ---- writes

  async getScale(namespace: string, deployment: string): Promise<DeploymentScale> {
    this.check(namespace, deployment);
    const n = this.scenario.taskmanagers;
    return { namespace, name: deployment, replicas: n, currentReplicas: n };
  }

  async scaleDeployment(namespace: string, deployment: string, replicas: number): Promise<DeploymentScale> {
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new KubernetesError("invalid", `replicas must be a whole number >= 0, got ${replicas}`);
    }
    this.check(namespace, deployment);
    const before = this.scenario.taskmanagers;
    this.scaleRequests.push({ namespace, deployment, replicas });
    this.writes.push({
      action: "scale",
      target: `deployment ${namespace}/${deployment}`,
      detail: `${before} -> ${replicas}`,
    });
    this.scenario.scale(replicas);
    return { namespace, name: deployment, replicas, currentReplicas: replicas };
  }

  async restartRollout(namespace: string, deployment: string): Promise<RestartResult> {
    const workload = this.workload(namespace, deployment);
    if (this.paused)
      throw new KubernetesError("refused", "can't restart paused deployment (run rollout resume first)");
    const restartedAt = this.iso();
    this.setTemplate({ ...structuredClone(this.template), restartedAt }, this.deploymentChangeCause);
    this.writes.push({
      action: "rollout-restart",
      target: `deployment ${namespace}/${deployment}`,
      detail: restartedAt,
    });
    const { detectedBy: _d, flink: _f, ...ref } = workload;
    return { workload: ref, restartedAt, restartNonce: null };
  }

  async undoRollout(namespace: string, deployment: string, toRevision?: number): Promise<UndoResult> {
    this.check(namespace, deployment);
    if (toRevision !== undefined && (!Number.isInteger(toRevision) || toRevision < 0)) {
      throw new KubernetesError("invalid", `revision must be a whole number >= 1, got ${toRevision}`);
    }
    if (this.paused) {
      throw new KubernetesError(
        "refused",
        `you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/${deployment}' and try again`,
      );
    }
    const sorted = [...this.revisions].sort((a, b) => b.revision - a.revision);
    const target =
      toRevision === undefined || toRevision === 0
        ? sorted[1]
        : this.revisions.find((r) => r.revision === toRevision);
    if (target === undefined) {
      throw new KubernetesError(
        "refused",
        toRevision
          ? `unable to find specified revision ${toRevision} in history`
          : `no rollout history found for deployment "${deployment}"`,
      );
    }
    if (sameTemplate(target.template, this.template)) {
      throw new KubernetesError(
        "refused",
        `skipped rollback (current template already matches revision ${target.revision})`,
      );
    }
    const fromRevision = sorted[0]?.revision ?? null;
    const toRev = target.revision;
    this.deploymentChangeCause = target.changeCause ?? "";
    this.setTemplate(structuredClone(target.template), target.changeCause);
    this.writes.push({
      action: "rollout-undo",
      target: `deployment ${namespace}/${deployment}`,
      detail: `to revision ${toRev}`,
    });
    return {
      namespace,
      name: deployment,
      fromRevision,
      toRevision: toRev,
      images: [target.template.image],
      changeCause: target.changeCause,
    };
  }

  async deletePods(namespace: string, labelSelector: string): Promise<DeletedPods> {
    if (labelSelector.trim() === "")
      throw new KubernetesError("invalid", "refusing to delete pods without a label selector");
    if (!this.selects(namespace, labelSelector)) return { namespace, pods: [] };
    const pods = this.podNames().sort();
    this.writes.push({
      action: "delete-pods",
      target: `pods ${namespace} ${labelSelector}`,
      detail: pods.join(", "),
    });
    // The ReplicaSet replaces them: new pods, new names, started now.
    this.podGeneration += 1;
    this.podStartedAt = this.iso();
    return { namespace, pods };
  }

  async containerResources(
    namespace: string,
    deployment: string,
    container: string,
  ): Promise<ContainerResources | null> {
    this.workload(namespace, deployment);
    return container === STORY_CONTAINER ? structuredClone(this.template.resources) : null;
  }

  async setContainerResources(
    namespace: string,
    deployment: string,
    container: string,
    resources: ContainerResources,
  ): Promise<SetResourcesResult> {
    const workload = this.workload(namespace, deployment);
    if (container !== STORY_CONTAINER) {
      throw new KubernetesError(
        "invalid",
        `deployment ${namespace}/${deployment} has no container ${JSON.stringify(container)} (containers: ${STORY_CONTAINER})`,
      );
    }
    const given = [...Object.values(resources.requests ?? {}), ...Object.values(resources.limits ?? {})];
    if (given.length === 0) throw new KubernetesError("invalid", "no requests or limits given");
    const before = structuredClone(this.template.resources);
    const after = {
      requests: { ...before.requests, ...resources.requests },
      limits: { ...before.limits, ...resources.limits },
    };
    for (const key of ["cpu", "memory"] as const) {
      const request = after.requests[key];
      const limit = after.limits[key];
      if (request === undefined || limit === undefined) continue;
      const parse = key === "cpu" ? cpuMillicores : parseBytes;
      if (parse(request) > parse(limit)) {
        throw new KubernetesError(
          "invalid",
          `requests.${key} ${request} would exceed limits.${key} ${limit}; a request must be less than or equal to its limit`,
        );
      }
    }
    this.setTemplate({ ...structuredClone(this.template), resources: after }, this.deploymentChangeCause);
    this.writes.push({
      action: "set-resources",
      target: `deployment ${namespace}/${deployment}`,
      detail: JSON.stringify(resources),
    });
    const { detectedBy: _d, flink: _f, ...ref } = workload;
    return { workload: ref, container, before, after };
  }

  async expandVolumeClaim(namespace: string, name: string, size: string): Promise<VolumeClaimInfo> {
    const claim = await this.volumeClaim(namespace, name);
    const bytes = parseBytes(size);
    if (bytes <= claim.requestedBytes) {
      throw new KubernetesError(
        "refused",
        `persistentvolumeclaim ${namespace}/${name} can only grow: ${size} is not larger than the requested ${claim.requested}`,
      );
    }
    this.claimRequested = size;
    this.writes.push({
      action: "expand-pvc",
      target: `persistentvolumeclaim ${namespace}/${name}`,
      detail: size,
    });
    return this.volumeClaim(namespace, name);
  }
}
