/**
 * Grow a PersistentVolumeClaim: the seed's `kubectl patch pvc flink-state-pvc -p
 * '{"spec":{"resources":{"requests":{"storage":"100Gi"}}}}'` for a full RocksDB disk. Only larger
 * than the current request, and only where the claim's StorageClass allows expansion. A claim never
 * shrinks again (and EBS takes one modification per volume every 6 hours): high risk.
 */
import { z } from "zod";
import { parseQuantity, QuantityError, scaledValue } from "../core/quantity.ts";
import type { KubernetesPort, VolumeClaimInfo } from "../ports/kubernetes.ts";
import { type ActionContext, type ActionDefinition, ActionRefusal } from "./action.ts";
import { namespaceProblems, parseParams } from "./parse-params.ts";
import { refusalOf, requirePort } from "./require-port.ts";

const paramsSchema = z
  .object({
    namespace: z.string().min(1),
    claim: z.string().min(1),
    /** The claim's requested size when the request was made ("50Gi"); execution is refused if it changed. */
    from: z.string().min(1).optional(),
    /** The new size ("100Gi"). */
    to: z.string().min(1),
  })
  .strict();

export type GrowPvcParams = z.infer<typeof paramsSchema>;

/** Bytes of a storage quantity; undefined when it is not one (or not > 0). */
export function storageBytes(text: string): number | undefined {
  try {
    const bytes = scaledValue(parseQuantity(text), 0);
    return bytes > 0 && Number.isFinite(bytes) ? bytes : undefined;
  } catch (error) {
    if (error instanceof QuantityError) return undefined;
    throw error;
  }
}

/** Why the claim cannot grow to `to` now; undefined when it can. */
export function growRefusal(claim: VolumeClaimInfo, to: string): string | undefined {
  const toBytes = storageBytes(to) ?? 0;
  if (claim.resizing !== null) {
    return `${claim.name} is being resized already (${claim.resizing}); wait until it finishes`;
  }
  if (claim.phase !== "Bound")
    return `${claim.name} is ${claim.phase}, not Bound: only a bound claim can grow`;
  if (toBytes <= claim.requestedBytes) {
    return `${claim.name} can only grow: ${to} is not larger than its current ${claim.requested}`;
  }
  if (claim.storageClass === null) return `${claim.name} has no StorageClass, so it cannot be expanded`;
  if (claim.allowsExpansion === false) {
    return `${claim.name} cannot be expanded: StorageClass ${claim.storageClass} does not set allowVolumeExpansion: true`;
  }
  return undefined;
}

export function growPreview(claim: VolumeClaimInfo, to: string): string {
  const policy =
    claim.allowsExpansion === null
      ? "whether it allows expansion is unknown: storageclasses are not readable, the API server decides"
      : "allows expansion";
  return `grow ${claim.name} ${claim.requested} -> ${to} (StorageClass ${claim.storageClass ?? "none"} ${policy})`;
}

async function readClaim(params: GrowPvcParams, ctx: ActionContext): Promise<VolumeClaimInfo> {
  const k8s: KubernetesPort = requirePort(ctx.ports.kubernetes, "Kubernetes");
  const claim = await k8s.volumeClaim(params.namespace, params.claim);
  const refusal = growRefusal(claim, params.to);
  if (refusal !== undefined) throw new ActionRefusal(refusal);
  return claim;
}

export const growPvc: ActionDefinition<GrowPvcParams> = {
  id: "grow-pvc",
  title: "Grow the state volume",
  risk: "high",
  parse(raw, config) {
    return parseParams(paramsSchema, raw, (p) => {
      const allowed = config.pipeline.statePvc;
      const problems = [
        ...namespaceProblems(p.namespace, config),
        ...(p.claim === allowed ? [] : [`claim: only ${allowed} may be grown, not ${p.claim}`]),
      ];
      if (storageBytes(p.to) === undefined)
        problems.push(`to: ${JSON.stringify(p.to)} is not a storage size like 100Gi`);
      if (p.from !== undefined && storageBytes(p.from) === undefined) {
        problems.push(`from: ${JSON.stringify(p.from)} is not a storage size like 50Gi`);
      }
      return problems;
    });
  },
  async prepare(params, ctx) {
    const claim = await readClaim(params, ctx);
    return { params: { ...params, from: claim.requested }, preview: growPreview(claim, params.to) };
  },
  async recheck(params, ctx) {
    return refusalOf(async () => {
      const claim = await readClaim(params, ctx);
      if (params.from !== undefined && storageBytes(params.from) !== claim.requestedBytes) {
        throw new ActionRefusal(
          `${claim.name} now requests ${claim.requested}, not the ${params.from} this request was computed from`,
        );
      }
    });
  },
  outcomeCheck(params) {
    return `spec.resources.requests.storage of PersistentVolumeClaim ${params.namespace}/${params.claim} (${params.to} if it applied${params.from === undefined ? "" : `, ${params.from} if not`})`;
  },
  async settle(params, ctx) {
    const claim = await requirePort(ctx.ports.kubernetes, "Kubernetes").volumeClaim(
      params.namespace,
      params.claim,
    );
    return {
      applied: claim.requested === params.to,
      detail: `${claim.requested} requested (spec.resources.requests.storage of ${params.namespace}/${params.claim})`,
    };
  },
  async execute(params, ctx) {
    const k8s = requirePort(ctx.ports.kubernetes, "Kubernetes");
    const grown = await k8s.expandVolumeClaim(params.namespace, params.claim, params.to);
    const capacity = grown.capacity ?? "unknown";
    return {
      message: `${params.claim} in namespace ${params.namespace} now requests ${grown.requested} (was ${params.from ?? "?"}); capacity ${capacity} until the volume is resized`,
      details: {
        namespace: params.namespace,
        claim: params.claim,
        from: params.from ?? null,
        to: grown.requested,
        capacity: grown.capacity,
        resizing: grown.resizing,
      },
    };
  },
};
