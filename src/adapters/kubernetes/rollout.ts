/**
 * kubectl's rollout algorithms over Deployment and ReplicaSet JSON, pure:
 *
 * - status (kubectl/pkg/polymorphichelpers/rollout_status.go, DeploymentStatusViewer);
 * - history (ReplicaSets whose controller ownerReference is the deployment's UID, by their
 *   deployment.kubernetes.io/revision, with kubernetes.io/change-cause);
 * - undo (rollback.go, DeploymentRollbacker): the ReplicaSet of the previous (or requested)
 *   revision, its pod template without the pod-template-hash label, written with a JSON patch
 *   replacing /spec/template and /metadata/annotations;
 * - restart (objectrestarter.go): the kubectl.kubernetes.io/restartedAt template annotation.
 *
 * The objects are the API's JSON as sent (read raw, so that a template copied back into the
 * deployment is exactly what the server stored).
 */
import {
  type DeploymentCondition,
  KubernetesError,
  type RolloutRevision,
  type RolloutState,
  type RolloutStatus,
} from "../../ports/kubernetes.ts";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause";
export const RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt";
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

/** Deployment annotations kubectl keeps from the deployment rather than copying from the ReplicaSet. */
export const ANNOTATIONS_TO_SKIP: readonly string[] = [
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION_ANNOTATION,
  "deployment.kubernetes.io/revision-history",
  "deployment.kubernetes.io/desired-replicas",
  "deployment.kubernetes.io/max-replicas",
  "deprecated.deployment.rollback.to",
];

type Json = unknown;

export interface RawMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: {
    kind?: string;
    name?: string;
    uid?: string;
    controller?: boolean;
    apiVersion?: string;
  }[];
}

export interface RawPodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: Json };
  spec?: { containers?: { name?: string; image?: string; [key: string]: Json }[]; [key: string]: Json };
  [key: string]: Json;
}

export interface RawDeployment {
  metadata?: RawMeta;
  spec?: {
    replicas?: number;
    paused?: boolean;
    selector?: {
      matchLabels?: Record<string, string>;
      matchExpressions?: { key: string; operator: string; values?: string[] }[];
    };
    template?: RawPodTemplate;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

export interface RawReplicaSet {
  metadata?: RawMeta;
  spec?: { replicas?: number; template?: RawPodTemplate };
}

function revisionOf(annotations: Record<string, string> | undefined): number | null {
  const text = annotations?.[REVISION_ANNOTATION];
  if (text === undefined || !/^\d+$/.test(text)) return null;
  return Number(text);
}

/** The label selector of a deployment's spec.selector, in the API's text form. */
export function selectorText(deployment: RawDeployment): string {
  const selector = deployment.spec?.selector;
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}

export function rolloutStatusOf(
  deployment: RawDeployment,
  namespace: string,
  fallbackName: string,
): RolloutStatus {
  const name = deployment.metadata?.name ?? fallbackName;
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  const observedGeneration = status.observedGeneration ?? 0;
  const replicas = deployment.spec?.replicas ?? 1;
  const currentReplicas = status.replicas ?? 0;
  const updatedReplicas = status.updatedReplicas ?? 0;
  const availableReplicas = status.availableReplicas ?? 0;
  const conditions: DeploymentCondition[] = (status.conditions ?? []).map((c) => ({
    type: c.type ?? "",
    status: c.status ?? "",
    reason: c.reason ?? null,
    message: c.message ?? null,
  }));
  const progressing = conditions.find((c) => c.type === "Progressing");
  let state: RolloutState;
  let message: string;
  const quoted = JSON.stringify(name);
  if (generation > observedGeneration) {
    state = "pending";
    message = "Waiting for deployment spec update to be observed...";
  } else if (progressing?.reason === "ProgressDeadlineExceeded") {
    state = "deadline-exceeded";
    message = `deployment ${quoted} exceeded its progress deadline`;
  } else if (updatedReplicas < replicas) {
    state = "progressing";
    message = `Waiting for deployment ${quoted} rollout to finish: ${updatedReplicas} out of ${replicas} new replicas have been updated...`;
  } else if (currentReplicas > updatedReplicas) {
    state = "progressing";
    message = `Waiting for deployment ${quoted} rollout to finish: ${currentReplicas - updatedReplicas} old replicas are pending termination...`;
  } else if (availableReplicas < updatedReplicas) {
    state = "progressing";
    message = `Waiting for deployment ${quoted} rollout to finish: ${availableReplicas} of ${updatedReplicas} updated replicas are available...`;
  } else {
    state = "complete";
    message = `deployment ${quoted} successfully rolled out`;
  }
  return {
    namespace,
    name,
    generation,
    observedGeneration,
    replicas,
    currentReplicas,
    updatedReplicas,
    readyReplicas: status.readyReplicas ?? 0,
    availableReplicas,
    paused: deployment.spec?.paused === true,
    state,
    message,
    revision: revisionOf(deployment.metadata?.annotations),
    conditions,
  };
}

/** ReplicaSets whose controller is the deployment (ownerReferences UID), as kubectl filters them. */
export function ownedReplicaSets(
  deployment: RawDeployment,
  replicaSets: readonly RawReplicaSet[],
): RawReplicaSet[] {
  const uid = deployment.metadata?.uid;
  return replicaSets.filter((rs) =>
    (rs.metadata?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === uid),
  );
}

function withoutHash(template: RawPodTemplate | undefined): RawPodTemplate {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}

/** Key-order-independent JSON, for comparing templates. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** deploymentutil.EqualIgnoreHash: same pod template apart from the pod-template-hash label. */
export function equalIgnoreHash(a: RawPodTemplate | undefined, b: RawPodTemplate | undefined): boolean {
  return canonical(withoutHash(a)) === canonical(withoutHash(b));
}

function imagesOf(template: RawPodTemplate | undefined): string[] {
  return (template?.spec?.containers ?? []).map((c) => c.image ?? "").filter((i) => i !== "");
}

/** kubectl rollout history: one row per owned ReplicaSet with a revision, oldest first. */
export function historyOf(
  deployment: RawDeployment,
  replicaSets: readonly RawReplicaSet[],
): RolloutRevision[] {
  const rows: RolloutRevision[] = [];
  for (const rs of ownedReplicaSets(deployment, replicaSets)) {
    const revision = revisionOf(rs.metadata?.annotations);
    if (revision === null) continue;
    rows.push({
      revision,
      replicaSet: rs.metadata?.name ?? "",
      changeCause: rs.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? null,
      images: imagesOf(rs.spec?.template),
      createdAt: rs.metadata?.creationTimestamp ?? "",
      replicas: rs.spec?.replicas ?? 0,
      current: equalIgnoreHash(rs.spec?.template, deployment.spec?.template),
    });
  }
  return rows.sort((a, b) => a.revision - b.revision);
}

export interface UndoPlan {
  readonly fromRevision: number | null;
  readonly toRevision: number;
  readonly images: string[];
  readonly changeCause: string | null;
  /** The JSON patch (application/json-patch+json) kubectl sends. */
  readonly patch: { op: "replace"; path: string; value: unknown }[];
}

/** kubectl rollout undo's choice of ReplicaSet and its patch; KubernetesError "refused" when it cannot. */
export function planUndo(
  deployment: RawDeployment,
  replicaSets: readonly RawReplicaSet[],
  toRevision?: number,
): UndoPlan {
  const name = deployment.metadata?.name ?? "";
  if (toRevision !== undefined && (!Number.isInteger(toRevision) || toRevision < 0)) {
    throw new KubernetesError("invalid", `revision must be a whole number >= 1, got ${toRevision}`);
  }
  if (deployment.spec?.paused === true) {
    throw new KubernetesError(
      "refused",
      `you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/${name}' and try again`,
    );
  }
  let latest: { rs: RawReplicaSet; revision: number } | undefined;
  let previous: { rs: RawReplicaSet; revision: number } | undefined;
  let chosen: { rs: RawReplicaSet; revision: number } | undefined;
  for (const rs of ownedReplicaSets(deployment, replicaSets)) {
    const revision = revisionOf(rs.metadata?.annotations);
    if (revision === null) continue;
    if (toRevision === undefined || toRevision === 0) {
      if (latest === undefined || latest.revision < revision) {
        previous = latest;
        latest = { rs, revision };
      } else if (previous === undefined || previous.revision < revision) {
        previous = { rs, revision };
      }
    } else if (revision === toRevision) {
      chosen = { rs, revision };
    }
  }
  if (toRevision !== undefined && toRevision > 0 && chosen === undefined) {
    throw new KubernetesError("refused", `unable to find specified revision ${toRevision} in history`);
  }
  if (chosen === undefined) chosen = previous;
  if (chosen === undefined) {
    throw new KubernetesError("refused", `no rollout history found for deployment ${JSON.stringify(name)}`);
  }
  const template = chosen.rs.spec?.template;
  if (equalIgnoreHash(template, deployment.spec?.template)) {
    throw new KubernetesError(
      "refused",
      `skipped rollback (current template already matches revision ${chosen.revision})`,
    );
  }
  const annotations: Record<string, string> = {};
  for (const key of ANNOTATIONS_TO_SKIP) {
    const value = deployment.metadata?.annotations?.[key];
    if (value !== undefined) annotations[key] = value;
  }
  for (const [key, value] of Object.entries(chosen.rs.metadata?.annotations ?? {})) {
    if (!ANNOTATIONS_TO_SKIP.includes(key)) annotations[key] = value;
  }
  return {
    fromRevision: revisionOf(deployment.metadata?.annotations),
    toRevision: chosen.revision,
    images: imagesOf(template),
    changeCause: chosen.rs.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? null,
    patch: [
      { op: "replace", path: "/spec/template", value: withoutHash(template) },
      { op: "replace", path: "/metadata/annotations", value: annotations },
    ],
  };
}

/** kubectl rollout restart's refusal and strategic merge patch. */
export function restartPatch(deployment: RawDeployment, now: Date): { restartedAt: string; patch: unknown } {
  if (deployment.spec?.paused === true) {
    throw new KubernetesError("refused", "can't restart paused deployment (run rollout resume first)");
  }
  const restartedAt = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    restartedAt,
    patch: { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } } },
  };
}
