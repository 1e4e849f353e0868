/**
 * Kubernetes, in our words: the taskmanagers' pods, logs, rollouts, volumes, and the few writes
 * the runbooks propose (scale, restart, undo, delete pods, set resources, grow a volume claim).
 *
 * "Taskmanager workload" methods (getScale, scaleDeployment, restartRollout,
 * setContainerResources) take the name of the taskmanager Deployment. When the taskmanagers are
 * managed by the Flink Kubernetes Operator (a FlinkDeployment), they act on the FlinkDeployment
 * instead, because the operator owns (or, in native mode, replaces) that Deployment;
 * taskmanagerWorkload() says which mode is in use and why.
 *
 * Every failure is a KubernetesError with a stable code and a message that can go into a Slack
 * thread as a finding (no credentials, no request headers).
 */

// ---------------------------------------------------------------------------------------------
// Errors

export type KubernetesErrorCode =
  | "forbidden"
  | "unauthorized"
  | "not-found"
  | "metrics-unavailable"
  | "unreachable"
  | "timeout"
  | "throttled"
  | "invalid"
  | "conflict"
  /** Refused locally before any write: paused deployment, volume claim cannot grow, no such revision... */
  | "refused"
  | "server-error";

export class KubernetesError extends Error {
  readonly code: KubernetesErrorCode;
  /** HTTP status the API answered, when it answered. */
  readonly status: number | undefined;

  constructor(code: KubernetesErrorCode, message: string, status?: number) {
    super(message);
    this.name = "KubernetesError";
    this.code = code;
    this.status = status;
  }
}

// ---------------------------------------------------------------------------------------------
// Reads

export interface PodUsage {
  readonly pod: string;
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
  /** Sum of the containers' limits; null when any container has none. */
  readonly cpuLimitMillicores: number | null;
  readonly memoryLimitBytes: number | null;
}

export interface DeploymentScale {
  readonly namespace: string;
  /** The Deployment's name, or the FlinkDeployment's in operator mode. */
  readonly name: string;
  /** Desired replicas (spec.replicas of the scale subresource; spec.taskManager.replicas). */
  readonly replicas: number;
  /** Observed replicas (status.replicas of the scale subresource; status.taskManager.replicas). */
  readonly currentReplicas: number;
}

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

export interface ContainerInfo {
  readonly name: string;
  readonly image: string;
  readonly ready: boolean;
  readonly restarts: number;
  readonly state: "running" | "waiting" | "terminated" | "unknown";
  /** state.waiting.reason or state.terminated.reason: CrashLoopBackOff, ContainerCreating, OOMKilled, Error... */
  readonly reason: string | null;
  /** Exit code of the current termination, else of the last one. */
  readonly exitCode: number | null;
  /** lastState.terminated.reason: why the previous run ended (OOMKilled, Error...). */
  readonly lastTerminationReason: string | null;
}

export interface PodInfo {
  readonly name: string;
  readonly phase: PodPhase;
  /** The pod's Ready condition. */
  readonly ready: boolean;
  /** Sum of the containers' restart counts. */
  readonly restarts: number;
  readonly node: string | null;
  /** status.startTime (RFC 3339), null while unscheduled. */
  readonly startedAt: string | null;
  readonly containers: readonly ContainerInfo[];
  /** The most telling problem: a waiting/terminated reason, else the last termination reason; null when healthy. */
  readonly problem: string | null;
}

export interface LogQuery {
  /** Lines from the end of each pod's log (the API's tailLines). Default 200. */
  readonly tailLines?: number;
  /** Only lines newer than this many seconds (the API's sinceSeconds). */
  readonly sinceSeconds?: number;
  /** Container; default: the pod's kubectl.kubernetes.io/default-container, else its first. */
  readonly container?: string;
  /** The previous (terminated) container's log, for crash loops. */
  readonly previous?: boolean;
  /** Keep only lines containing this text, case-insensitive (grep -i). */
  readonly grep?: string;
  /** At most this many lines per pod, the last ones (default 50). */
  readonly maxLines?: number;
  /** At most this many bytes per pod, the last ones (default 16 KiB). */
  readonly maxBytes?: number;
}

export interface PodLog {
  readonly pod: string;
  readonly container: string;
  /** Matching lines, oldest first, after the bounds. */
  readonly lines: readonly string[];
  /** Lines that matched before the bounds were applied. */
  readonly matched: number;
  /** true when lines were dropped by maxLines / maxBytes. */
  readonly truncated: boolean;
  /** Why this pod's log could not be read (the other pods' logs are still returned). */
  readonly error: string | null;
}

export interface DeploymentCondition {
  readonly type: string;
  readonly status: string;
  readonly reason: string | null;
  readonly message: string | null;
}

export type RolloutState =
  /** generation not yet observed by the controller */
  | "pending"
  | "progressing"
  | "complete"
  /** Progressing condition with reason ProgressDeadlineExceeded */
  | "deadline-exceeded";

export interface RolloutStatus {
  readonly namespace: string;
  readonly name: string;
  readonly generation: number;
  readonly observedGeneration: number;
  /** spec.replicas */
  readonly replicas: number;
  /** status.replicas (old and new pods) */
  readonly currentReplicas: number;
  readonly updatedReplicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly paused: boolean;
  readonly state: RolloutState;
  /** kubectl rollout status's wording, e.g. 'deployment "x" successfully rolled out'. */
  readonly message: string;
  /** deployment.kubernetes.io/revision of the deployment, null when absent. */
  readonly revision: number | null;
  readonly conditions: readonly DeploymentCondition[];
}

export interface RolloutRevision {
  readonly revision: number;
  readonly replicaSet: string;
  /** kubernetes.io/change-cause, null when absent (kubectl prints <none>). */
  readonly changeCause: string | null;
  readonly images: readonly string[];
  readonly createdAt: string;
  /** The ReplicaSet's spec.replicas. */
  readonly replicas: number;
  /** true for the revision whose pod template the deployment runs now. */
  readonly current: boolean;
}

export interface VolumeClaimInfo {
  readonly namespace: string;
  readonly name: string;
  /** Pending, Bound or Lost. */
  readonly phase: string;
  /** spec.resources.requests.storage as written (e.g. "50Gi"). */
  readonly requested: string;
  readonly requestedBytes: number;
  /** status.capacity.storage, null until bound. */
  readonly capacity: string | null;
  readonly capacityBytes: number | null;
  readonly storageClass: string | null;
  /**
   * The StorageClass's allowVolumeExpansion (false when the class is missing or does not set it);
   * null when the class could not be read (storageclasses are cluster-scoped: RBAC may not grant
   * them, manifests/optional/cluster-read.yaml): whether the claim may grow is unknown, and the
   * API server's admission decides on a grow.
   */
  readonly allowsExpansion: boolean | null;
  /** A resize in flight: the Resizing / FileSystemResizePending condition, else null. */
  readonly resizing: string | null;
}

export interface VolumeUsage {
  readonly pod: string;
  readonly node: string;
  /** The volume's name in the pod spec. */
  readonly volume: string;
  /** The PersistentVolumeClaim behind it, null for other volume kinds. */
  readonly claim: string | null;
  readonly usedBytes: number;
  readonly capacityBytes: number;
  readonly availableBytes: number;
}

// ---------------------------------------------------------------------------------------------
// The taskmanager workload (Deployment or Flink Kubernetes Operator)

export type WorkloadMode = "deployment" | "flink-operator";

export interface WorkloadRef {
  readonly mode: WorkloadMode;
  readonly kind: "Deployment" | "FlinkDeployment";
  readonly namespace: string;
  readonly name: string;
}

export interface FlinkDeploymentInfo {
  readonly name: string;
  /** status.jobStatus.state (RUNNING, FAILING, RESTARTING...), null when unknown. */
  readonly jobState: string | null;
  /** status.lifecycleState (STABLE, DEPLOYED, UPGRADING, ROLLING_BACK, ROLLED_BACK, FAILED...). */
  readonly lifecycleState: string | null;
  /** status.reconciliationStatus.state (DEPLOYED, UPGRADING, ROLLING_BACK, ROLLED_BACK). */
  readonly reconciliationState: string | null;
  /** status.jobManagerDeploymentStatus (READY, DEPLOYING, MISSING, ERROR...). */
  readonly jobManagerStatus: string | null;
  /** spec.job.parallelism */
  readonly parallelism: number | null;
  /** spec.taskManager.replicas */
  readonly taskManagerReplicas: number | null;
  /** spec.taskManager.resource */
  readonly taskManagerCpu: number | null;
  readonly taskManagerMemory: string | null;
  readonly restartNonce: number | null;
  /** status.error */
  readonly error: string | null;
}

export interface TaskmanagerWorkload extends WorkloadRef {
  /** How the mode was decided. */
  readonly detectedBy: "configured" | "owner-reference" | "name" | "pod-labels" | "deployment";
  /** Present in flink-operator mode. */
  readonly flink: FlinkDeploymentInfo | null;
}

// ---------------------------------------------------------------------------------------------
// Writes

export interface RestartResult {
  readonly workload: WorkloadRef;
  /** The kubectl.kubernetes.io/restartedAt value written (deployment mode). */
  readonly restartedAt: string | null;
  /** The spec.restartNonce written (flink-operator mode). */
  readonly restartNonce: number | null;
}

export interface UndoResult {
  readonly namespace: string;
  readonly name: string;
  /** The revision that was current before the undo. */
  readonly fromRevision: number | null;
  /** The revision whose pod template is now the deployment's. */
  readonly toRevision: number;
  readonly images: readonly string[];
  readonly changeCause: string | null;
}

export interface ResourceValues {
  /** Kubernetes quantities, e.g. "2", "1500m". */
  readonly cpu?: string;
  /** e.g. "8Gi". */
  readonly memory?: string;
}

export interface ContainerResources {
  readonly requests?: ResourceValues;
  readonly limits?: ResourceValues;
}

export interface SetResourcesResult {
  readonly workload: WorkloadRef;
  readonly container: string;
  readonly before: ContainerResources;
  readonly after: ContainerResources;
}

export interface DeletedPods {
  readonly namespace: string;
  /** Names of the pods the API accepted to delete, sorted. */
  readonly pods: readonly string[];
}

// ---------------------------------------------------------------------------------------------

export interface KubernetesPort {
  readonly describeTarget: string;

  /** CPU and memory of the pods matching a label selector (metrics.k8s.io), against their limits. */
  podUsage(namespace: string, labelSelector: string): Promise<PodUsage[]>;
  /** Pods matching a label selector with phase, readiness, restarts and container reasons, by name. */
  listPods(namespace: string, labelSelector: string): Promise<PodInfo[]>;
  /** The log of every pod matching the selector, filtered and bounded per pod, by pod name. */
  podLogs(namespace: string, labelSelector: string, query?: LogQuery): Promise<PodLog[]>;
  /** Rollout status of a Deployment, as kubectl rollout status computes it. */
  rolloutStatus(namespace: string, deployment: string): Promise<RolloutStatus>;
  /** Revisions of a Deployment (its ReplicaSets), oldest first, as kubectl rollout history lists them. */
  rolloutHistory(namespace: string, deployment: string): Promise<RolloutRevision[]>;
  /** A PersistentVolumeClaim with its StorageClass's expansion policy. */
  volumeClaim(namespace: string, name: string): Promise<VolumeClaimInfo>;
  /** Used / capacity bytes of the volumes of the pods matching the selector (kubelet summary API). */
  volumeUsage(namespace: string, labelSelector: string): Promise<VolumeUsage[]>;
  /** Whether the taskmanagers are a plain Deployment or managed by a FlinkDeployment. */
  taskmanagerWorkload(
    namespace: string,
    deployment: string,
    labelSelector?: string,
  ): Promise<TaskmanagerWorkload>;

  /**
   * The requests and limits of one container of the Deployment's pod template (what `kubectl set
   * resources` changes); null when the template has no such container.
   */
  containerResources(
    namespace: string,
    deployment: string,
    container: string,
  ): Promise<ContainerResources | null>;
  /** Reads the scale subresource of a deployment (the FlinkDeployment's taskmanager replicas in operator mode). */
  getScale(namespace: string, deployment: string): Promise<DeploymentScale>;
  /** Sets the replicas; resolves with the scale the server answered. */
  scaleDeployment(namespace: string, deployment: string, replicas: number): Promise<DeploymentScale>;
  /** kubectl rollout restart (a restartNonce increment in operator mode); refused when paused. */
  restartRollout(namespace: string, deployment: string): Promise<RestartResult>;
  /** kubectl rollout undo [--to-revision]; refused when paused, the revision is unknown or already current. */
  undoRollout(namespace: string, deployment: string, toRevision?: number): Promise<UndoResult>;
  /** Deletes the pods matching the selector (their controller recreates them). */
  deletePods(namespace: string, labelSelector: string): Promise<DeletedPods>;
  /** kubectl set resources for one container (spec.taskManager.resource in operator mode). */
  setContainerResources(
    namespace: string,
    deployment: string,
    container: string,
    resources: ContainerResources,
  ): Promise<SetResourcesResult>;
  /** Grows a PersistentVolumeClaim; refused when not larger or the StorageClass does not allow expansion. */
  expandVolumeClaim(namespace: string, name: string, size: string): Promise<VolumeClaimInfo>;
}
