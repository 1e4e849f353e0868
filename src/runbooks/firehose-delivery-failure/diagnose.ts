/**
 * The deciding logic of the firehose-delivery-failure runbook, pure: signals in, likely cause out.
 * The causes are the seed's Step 2 branches (A S3 access denied, B KMS key denied, C quota exceeded,
 * D slow network) plus what the seed implies: a stream that is not ACTIVE, deliveries that already
 * resumed, and failures the configured sources cannot explain.
 */
import { formatCount } from "../../core/metric-math.ts";
import type { Confidence } from "../../core/runbook.ts";
import { type BufferingHints, bufferingProblems, S3_BUFFERING_LIMITS } from "../../ports/firehose.ts";
import type { DeliveryErrorClassification } from "./classify.ts";

export type FirehoseCause =
  | "s3-access-denied"
  | "kms-denied"
  | "quota-exceeded"
  | "slow-network"
  | "stream-not-active"
  | "delivering"
  | "unknown";

export const CAUSE_TITLE: Record<FirehoseCause, string> = {
  "s3-access-denied": "S3 access denied (A)",
  "kms-denied": "KMS key denied (B)",
  "quota-exceeded": "S3 quota exceeded / throttling (C)",
  "slow-network": "S3 network latency (D)",
  "stream-not-active": "the delivery stream is not ACTIVE",
  delivering: "Firehose delivers to S3",
  unknown: "not determined",
};

export interface FirehoseSignals {
  /** StreamStatus; undefined when the stream could not be described. */
  readonly status?: string;
  /** The error texts classified; undefined when there were none (or none could be read). */
  readonly error?: DeliveryErrorClassification;
  /** read: the error log was queried; absent: the stream has no error log group; unread: not queried. */
  readonly errorLog: "read" | "absent" | "unread";
  /** DeliveryToS3.Success (Average: successful puts / all puts) of the latest minute with data. */
  readonly latestSuccess?: number;
  /** DeliveryToS3.Records of the last minutes, oldest first. */
  readonly recentRecords?: readonly number[];
}

export interface FirehoseDiagnosis {
  readonly cause: FirehoseCause;
  readonly because: string;
  readonly confidence: Confidence;
  readonly evidence: readonly string[];
  readonly openBranches: readonly string[];
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function diagnoseFirehose(s: FirehoseSignals): FirehoseDiagnosis {
  const evidence: string[] = [];
  if (s.status !== undefined) evidence.push(`stream status ${s.status}`);
  if (s.latestSuccess !== undefined)
    evidence.push(`DeliveryToS3.Success ${s.latestSuccess.toFixed(2)} in the latest minute`);
  const recent = s.recentRecords?.slice(-3);
  if (recent !== undefined && recent.length > 0)
    evidence.push(`DeliveryToS3.Records last ${recent.length} min: ${recent.map(formatCount).join(", ")}`);
  const e = s.error;
  if (e !== undefined) {
    evidence.push(
      `${e.evidence.source}: ${e.evidence.code ? `${e.evidence.code}: ` : ""}${e.evidence.message}`,
    );
  } else if (s.errorLog === "read") {
    evidence.push("no delivery errors in the error log (last 10 min)");
  } else if (s.errorLog === "absent") {
    evidence.push("the stream has no error log group (error logging off)");
  }
  const failing = s.latestSuccess !== undefined && s.latestSuccess < 1;
  const delivering = s.latestSuccess === 1;
  const notActive = s.status !== undefined && s.status !== "ACTIVE";
  const d = (cause: FirehoseCause, because: string, confidence: Confidence, open: string[] = []) => ({
    cause,
    because,
    confidence,
    evidence,
    openBranches: open,
  });

  if (e !== undefined && e.kind !== "other" && !delivering) {
    const agree = failing || notActive;
    const what =
      e.kind === "s3-access-denied"
        ? "Firehose's role may not write to the bucket"
        : e.kind === "kms-denied"
          ? "Firehose's role may not use the KMS key"
          : "S3 (or KMS) throttles Firehose's requests";
    return d(
      e.kind,
      `${e.evidence.source} says ${e.evidence.code ?? e.evidence.message.slice(0, 120)}: ${what}`,
      agree ? "high" : "medium",
    );
  }
  if (notActive) {
    return d("stream-not-active", `the stream is ${s.status}, not ACTIVE: it does not deliver`, "high");
  }
  if (delivering) {
    return d(
      "delivering",
      `every S3 put succeeded in the latest minute (DeliveryToS3.Success 1)${e !== undefined ? `; earlier errors (${e.evidence.code ?? e.kind}) have stopped` : ""}`,
      s.status === "ACTIVE" ? "high" : "medium",
    );
  }
  if (failing) {
    if (e !== undefined) {
      return d(
        "unknown",
        `${pct(1 - s.latestSuccess!)} of S3 puts fail with an error the runbook does not classify: ${e.evidence.code ?? e.evidence.message.slice(0, 120)}`,
        "low",
        [CAUSE_TITLE["s3-access-denied"], CAUSE_TITLE["kms-denied"], CAUSE_TITLE["quota-exceeded"]],
      );
    }
    const moving = (recent ?? []).some((v) => v > 0) && s.latestSuccess! > 0;
    const unseen = [
      CAUSE_TITLE["s3-access-denied"],
      CAUSE_TITLE["kms-denied"],
      CAUSE_TITLE["quota-exceeded"],
    ];
    if (moving) {
      return d(
        "slow-network",
        `${pct(s.latestSuccess!)} of S3 puts succeed and records still arrive, with no delivery error logged: deliveries are slow rather than refused`,
        s.errorLog === "read" ? "medium" : "low",
        s.errorLog === "read" ? [] : unseen,
      );
    }
    return d(
      "unknown",
      `no S3 put succeeds and no error says why${s.errorLog === "read" ? "" : " (the error log could not be read)"}`,
      "low",
      [...unseen, CAUSE_TITLE["slow-network"]],
    );
  }
  return d(
    "unknown",
    s.latestSuccess === undefined
      ? "DeliveryToS3.Success has no datapoints to tell whether deliveries succeed"
      : "the configured sources do not single out a cause",
    "low",
    [
      CAUSE_TITLE["s3-access-denied"],
      CAUSE_TITLE["kms-denied"],
      CAUSE_TITLE["quota-exceeded"],
      CAUSE_TITLE["slow-network"],
    ],
  );
}

/**
 * Buffering that helps, within the documented limits: for throttling, bigger and slower batches
 * (fewer PUTs: size to the 128 MiB maximum, interval doubled, at least 300 s); for slow uploads,
 * smaller and more frequent ones (the seed's 64 MiB / 30 s). Undefined when nothing would change or
 * the values would be refused.
 */
export function proposedBuffering(
  cause: FirehoseCause,
  current: BufferingHints,
  dynamicPartitioning: boolean,
): BufferingHints | undefined {
  const { sizeMb, intervalSeconds } = S3_BUFFERING_LIMITS;
  const minSize = dynamicPartitioning ? sizeMb.minWithDynamicPartitioning : sizeMb.min;
  let next: BufferingHints;
  if (cause === "quota-exceeded") {
    next = {
      sizeMb: sizeMb.max,
      intervalSeconds: Math.min(intervalSeconds.max, Math.max(current.intervalSeconds * 2, 300)),
    };
  } else if (cause === "slow-network") {
    next = {
      sizeMb: current.sizeMb > 64 ? 64 : Math.max(minSize, Math.floor(current.sizeMb / 2)),
      intervalSeconds: Math.min(current.intervalSeconds, 30),
    };
  } else {
    return undefined;
  }
  if (next.sizeMb === current.sizeMb && next.intervalSeconds === current.intervalSeconds) return undefined;
  return bufferingProblems(next, { dynamicPartitioning }).length === 0 ? next : undefined;
}
