/** Step 4 (Fix): the fix for the cause found, with its proposals. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding, type Proposal } from "../../core/finding.ts";
import { formatCount } from "../../core/metric-math.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import { cannotScaleText, scaleProposal } from "../scale-proposal.ts";
import { LATENCY_RULES, type LatencyCause } from "./diagnose.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { firehoseStreamProbe, slowEnrichmentProbe } from "./probes.ts";
import { latencySignals, slowCallsByCustomer } from "./signals.ts";
import {
  BUFFER_POOL_SNIPPET,
  BUFFER_POOL_TITLE,
  CACHE_ADVICE,
  CACHE_TTL_SNIPPET,
  CAUSE_TITLE,
  FIX_TEXT,
  REDIS_SNIPPET,
} from "./texts.ts";

/** The seed's buffering (256 MiB / 60 s), held to S3's documented maximum of 128 MiB. */
export const SEED_BUFFERING = { sizeMb: 256, intervalSeconds: 60 } as const;

export const S3_MAX_SIZE_MB = 128;

export function firehoseProposal(results: ProbeResults): { proposal?: Proposal; note: string } {
  const stream = read(results, firehoseStreamProbe);
  if (stream === undefined) {
    return { note: "The delivery stream could not be described, so no buffering change is offered." };
  }
  const destination = stream.destinations.find((d) => d.s3 !== undefined);
  if (destination?.s3 === undefined) {
    return { note: `${stream.name} has no S3 destination: buffering hints cannot be changed here.` };
  }
  const current = destination.s3.buffering;
  const sizeMb = Math.min(SEED_BUFFERING.sizeMb, S3_MAX_SIZE_MB);
  const intervalSeconds = Math.min(
    current?.intervalSeconds ?? SEED_BUFFERING.intervalSeconds,
    SEED_BUFFERING.intervalSeconds,
  );
  if (current !== undefined && current.sizeMb === sizeMb && current.intervalSeconds === intervalSeconds) {
    return {
      note: `${stream.name} already buffers ${current.sizeMb} MiB / ${current.intervalSeconds} s: buffering is not the lever; add a parallel stream (Option 2).`,
    };
  }
  const from = current === undefined ? "unset" : `${current.sizeMb} MiB / ${current.intervalSeconds} s`;
  return {
    proposal: {
      action: "firehose-buffering",
      label: `Firehose buffering ${from} -> ${sizeMb} MiB / ${intervalSeconds} s`,
      params: {
        streamName: stream.name,
        destinationId: destination.id,
        versionId: stream.versionId,
        sizeMb,
        intervalSeconds,
      },
    },
    note: `The seed says 256 MB; S3 destinations take at most ${S3_MAX_SIZE_MB} MiB, so ${sizeMb} MiB. Uploading every ${intervalSeconds} s bounds how long a record waits in Firehose.`,
  };
}

export function enrichmentFix(results: ProbeResults, cause: LatencyCause): Finding[] {
  const out: Finding[] = [];
  if (cause === "enrichment-customer-hotspot") {
    const slow = read(results, slowEnrichmentProbe);
    const top = slow === undefined ? [] : slowCallsByCustomer(slow.result.rows).slice(0, 3);
    out.push(
      finding("warning", "Human step: the customer service is slow for a few customers", {
        detail: `Ask the team owning the customer service why lookups for ${top.map((c) => `${c.customer} (${c.calls} slow calls)`).join(", ") || "these customers"} take over ${formatCount(LATENCY_RULES.slowCallMs)} ms. Meanwhile caching their records longer (below) takes them off the hot path.`,
      }),
    );
  }
  out.push(
    finding(cause === "enrichment-customer-hotspot" ? "info" : "warning", CACHE_ADVICE.title, {
      detail: cause === "enrichment-cache-miss" ? CACHE_ADVICE["enrichment-cache-miss"] : CACHE_ADVICE.other,
      evidence: [
        { kind: "code", text: CACHE_TTL_SNIPPET },
        { kind: "code", text: REDIS_SNIPPET },
      ],
    }),
  );
  return out;
}

export function suggestedProposals(results: ProbeResults, config: AppConfig): Proposal[] {
  const { cause } = diagnosisOf(results, config);
  if (cause === "backpressure-cpu") {
    const p = scaleProposal(results, config);
    return p ? [p] : [];
  }
  if (cause === "firehose-slow") {
    const { proposal } = firehoseProposal(results);
    return proposal ? [proposal] : [];
  }
  return [];
}

export function assessFix(results: ProbeResults, config: AppConfig): StepAssessment {
  const diagnosis = diagnosisOf(results, config);
  const { cause } = diagnosis;
  const findings: Finding[] = [];
  switch (cause) {
    case "below-threshold":
      findings.push(
        finding("ok", FIX_TEXT["below-threshold"].title, {
          detail: FIX_TEXT["below-threshold"].detail,
        }),
      );
      break;
    case "enrichment-customer-hotspot":
    case "enrichment-cache-miss":
    case "enrichment-api-slow":
      findings.push(...enrichmentFix(results, cause));
      break;
    case "enrichment":
      findings.push(
        finding("info", FIX_TEXT.enrichment.title, {
          detail: FIX_TEXT.enrichment.detail,
          evidence: [{ kind: "code", text: CACHE_TTL_SNIPPET }],
        }),
      );
      break;
    case "firehose-slow": {
      const { proposal, note } = firehoseProposal(results);
      findings.push(
        finding("warning", "Option 1: Increase the Firehose buffer", {
          detail: `Firehose batches more before each upload and uploads on a fixed interval. ${note}`,
          proposals: proposal ? [proposal] : [],
        }),
        finding("info", "Option 2 (human step): add a parallel Firehose stream", {
          detail: `If ${config.pipeline.deliveryStream} carries more than 5 MB/s: create a 2nd Firehose stream and split traffic (even order_ids -> stream 1, odd -> stream 2). See \`/runbook firehose\` if deliveries are failing rather than slow.`,
        }),
      );
      break;
    }
    case "backpressure-cpu": {
      const p = scaleProposal(results, config);
      findings.push(
        finding("warning", FIX_TEXT["backpressure-cpu"].title, {
          detail: p ? FIX_TEXT["backpressure-cpu"].detail : cannotScaleText(config),
          proposals: p ? [p] : [],
        }),
        finding("info", BUFFER_POOL_TITLE, {
          evidence: [{ kind: "code", text: BUFFER_POOL_SNIPPET }],
        }),
      );
      break;
    }
    case "backpressure":
      findings.push(
        finding("warning", FIX_TEXT.backpressure.title, {
          detail: FIX_TEXT.backpressure.detail,
          evidence: [{ kind: "code", text: BUFFER_POOL_SNIPPET }],
        }),
      );
      break;
    case "operator-slow": {
      const slow = latencySignals(results, config).operators?.[0];
      findings.push(
        finding("info", `Human step: look into ${slow?.operator ?? "the slow operator"}`, {
          detail: FIX_TEXT["operator-slow"].detail,
        }),
      );
      break;
    }
    case "unknown":
      findings.push(
        finding("info", FIX_TEXT.unknown.title, {
          detail: FIX_TEXT.unknown.detail,
        }),
      );
      break;
  }
  const proposals = findings.flatMap((f) => f.proposals);
  return {
    status: "info",
    summary:
      proposals.length > 0
        ? `Proposed: ${proposals.map((p) => p.label).join(", ")}.`
        : `${CAUSE_TITLE[cause]}: ${findings[0]?.title ?? "no fix"}.`,
    findings,
  };
}
