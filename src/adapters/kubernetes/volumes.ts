/**
 * PersistentVolumeClaims, their StorageClass's expansion policy, and volume usage from the
 * kubelet Summary API (/stats/summary: pods[].podRef, pods[].volume[] with usedBytes,
 * capacityBytes, availableBytes and pvcRef). Pure.
 */
import type { V1PersistentVolumeClaim, V1StorageClass } from "@kubernetes/client-node";
import { parseMemoryBytes, QuantityError } from "../../core/quantity.ts";
import { KubernetesError, type VolumeClaimInfo, type VolumeUsage } from "../../ports/kubernetes.ts";

/** `storageClass`: the class, undefined when it does not exist, null when it could not be read. */
export function volumeClaimInfo(
  claim: V1PersistentVolumeClaim,
  storageClass: V1StorageClass | undefined | null,
  namespace: string,
  name: string,
): VolumeClaimInfo {
  const requested = claim.spec?.resources?.requests?.storage ?? "0";
  const capacity = claim.status?.capacity?.storage ?? null;
  const resizing =
    (claim.status?.conditions ?? []).find(
      (c) => (c.type === "Resizing" || c.type === "FileSystemResizePending") && c.status === "True",
    )?.type ?? null;
  return {
    namespace: claim.metadata?.namespace ?? namespace,
    name: claim.metadata?.name ?? name,
    phase: claim.status?.phase ?? "Pending",
    requested,
    requestedBytes: parseMemoryBytes(requested),
    capacity,
    capacityBytes: capacity === null ? null : parseMemoryBytes(capacity),
    storageClass: claim.spec?.storageClassName ?? null,
    allowsExpansion: storageClass === null ? null : storageClass?.allowVolumeExpansion === true,
    resizing,
  };
}

/** "is Pending, not Bound: only a bound claim can grow" (the spec of an unbound claim is immutable). */
export function notBound(claim: VolumeClaimInfo): string {
  return `is ${claim.phase}, not Bound: only a bound claim can grow`;
}

/** Why the claim cannot grow to `size` (checked before any write), or null when it can. */
export function expansionRefusal(claim: VolumeClaimInfo, size: string): KubernetesError | null {
  let bytes: number;
  try {
    bytes = parseMemoryBytes(size);
  } catch (error) {
    if (error instanceof QuantityError) return new KubernetesError("invalid", error.message);
    throw error;
  }
  const label = `persistentvolumeclaim ${claim.namespace}/${claim.name}`;
  if (claim.phase !== "Bound") {
    // The API refuses with a 422 and a Go struct diff: say what it means before writing.
    return new KubernetesError("refused", `${label} ${notBound(claim)}`);
  }
  if (bytes <= claim.requestedBytes) {
    return new KubernetesError(
      "refused",
      `${label} can only grow: ${size} is not larger than the requested ${claim.requested}`,
    );
  }
  if (claim.storageClass === null) {
    return new KubernetesError("refused", `${label} has no StorageClass, so it cannot be expanded`);
  }
  if (claim.allowsExpansion === false) {
    return new KubernetesError(
      "refused",
      `${label} cannot be expanded: StorageClass ${claim.storageClass} does not set allowVolumeExpansion: true`,
    );
  }
  return null;
}

interface SummaryVolume {
  name?: string;
  usedBytes?: number;
  capacityBytes?: number;
  availableBytes?: number;
  pvcRef?: { name?: string; namespace?: string };
}

interface SummaryPod {
  podRef?: { name?: string; namespace?: string };
  volume?: SummaryVolume[];
}

/** The volumes of the named pods in one node's Summary (a JSON text or an already parsed object). */
export function summaryVolumes(
  summary: unknown,
  node: string,
  namespace: string,
  pods: ReadonlySet<string>,
): VolumeUsage[] {
  const parsed = typeof summary === "string" ? (JSON.parse(summary) as unknown) : summary;
  if (parsed === null || typeof parsed !== "object" || !Array.isArray((parsed as { pods?: unknown }).pods)) {
    throw new KubernetesError("server-error", `node ${node} answered a stats summary without pods`);
  }
  const rows: VolumeUsage[] = [];
  for (const pod of (parsed as { pods: SummaryPod[] }).pods) {
    const name = pod.podRef?.name;
    if (name === undefined || pod.podRef?.namespace !== namespace || !pods.has(name)) continue;
    for (const volume of pod.volume ?? []) {
      if (volume.capacityBytes === undefined || volume.usedBytes === undefined) continue;
      rows.push({
        pod: name,
        node,
        volume: volume.name ?? "",
        claim: volume.pvcRef?.name ?? null,
        usedBytes: volume.usedBytes,
        capacityBytes: volume.capacityBytes,
        availableBytes: volume.availableBytes ?? volume.capacityBytes - volume.usedBytes,
      });
    }
  }
  return rows;
}

export function sortVolumeUsage(rows: VolumeUsage[]): VolumeUsage[] {
  return rows.sort((a, b) =>
    a.pod === b.pod ? (a.volume < b.volume ? -1 : a.volume > b.volume ? 1 : 0) : a.pod < b.pod ? -1 : 1,
  );
}
