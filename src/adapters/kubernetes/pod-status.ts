/**
 * A v1 Pod as a PodInfo row: phase, the Ready condition, restarts, and the reason a container is
 * not running (what `kubectl get pods` prints in STATUS: CrashLoopBackOff, OOMKilled, Error...).
 * Pure: the adapter fetches, this computes.
 */
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import type { ContainerInfo, PodInfo, PodPhase } from "../../ports/kubernetes.ts";

const PHASES: readonly PodPhase[] = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];

/** RFC 3339 without milliseconds, as the API writes timestamps (the client parses them into Dates). */
export function apiTime(value: Date | string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function containerInfo(status: V1ContainerStatus): ContainerInfo {
  const { state, lastState } = status;
  const kind = state?.running
    ? "running"
    : state?.waiting
      ? "waiting"
      : state?.terminated
        ? "terminated"
        : "unknown";
  const reason = state?.waiting?.reason ?? state?.terminated?.reason ?? null;
  const exitCode = state?.terminated?.exitCode ?? lastState?.terminated?.exitCode ?? null;
  return {
    name: status.name,
    image: status.image,
    ready: status.ready,
    restarts: status.restartCount,
    state: kind,
    reason,
    exitCode,
    lastTerminationReason: lastState?.terminated?.reason ?? null,
  };
}

export function podInfo(pod: V1Pod): PodInfo {
  const statuses = pod.status?.containerStatuses ?? [];
  const byName = new Map(statuses.map((s) => [s.name, s]));
  // Containers in spec order; a container without a status yet is "waiting" with no reason.
  const containers: ContainerInfo[] = (pod.spec?.containers ?? []).map((spec) => {
    const status = byName.get(spec.name);
    return status
      ? containerInfo(status)
      : {
          name: spec.name,
          image: spec.image ?? "",
          ready: false,
          restarts: 0,
          state: "unknown" as const,
          reason: null,
          exitCode: null,
          lastTerminationReason: null,
        };
  });
  const phase = PHASES.find((p) => p === pod.status?.phase) ?? "Unknown";
  // A pod being deleted keeps its phase and Ready condition until its kubelet confirms the
  // deletion; kubectl shows it as Terminating, and it no longer counts as a ready replica.
  const terminating =
    pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  const ready =
    !terminating && (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
  const current = containers.find((c) => c.state !== "running" && c.reason !== null)?.reason ?? null;
  const last = containers.find((c) => c.lastTerminationReason !== null)?.lastTerminationReason ?? null;
  const evicted = pod.status?.reason ?? null;
  return {
    name: pod.metadata?.name ?? "",
    phase,
    ready,
    restarts: containers.reduce((sum, c) => sum + c.restarts, 0),
    node: pod.spec?.nodeName ?? null,
    startedAt: apiTime(pod.status?.startTime),
    containers,
    problem: terminating ? "Terminating" : (evicted ?? current ?? (ready ? null : last)),
  };
}

/** The container kubectl logs would pick: the default-container annotation, else the first. */
export function defaultContainer(pod: V1Pod): string | undefined {
  const annotated = pod.metadata?.annotations?.["kubectl.kubernetes.io/default-container"];
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  if (annotated !== undefined && names.includes(annotated)) return annotated;
  return names[0];
}
