/**
 * Why Firehose cannot deliver to S3, from the texts it gives: the stream's failure description
 * (DescribeDeliveryStream: KMS_ACCESS_DENIED, INVALID_KMS_KEY...) and the delivery error log
 * (error logging writes `errorCode` / `message` per failed delivery: S3.AccessDenied,
 * S3.KMS.AccessDeniedException, S3.SlowDown...). Following the seed's Step 2:
 *   A. S3 access denied   B. KMS key denied   C. quota exceeded (throttling / SlowDown / quota)
 * Pure: no I/O.
 */

export type DeliveryErrorKind = "s3-access-denied" | "kms-denied" | "quota-exceeded" | "other";

export interface DeliveryErrorText {
  /** Where it came from: "failure description", "encryption failure", "error log". */
  readonly source: string;
  /** The error code when there is one (S3.AccessDenied, KMS_ACCESS_DENIED). */
  readonly code?: string;
  readonly message: string;
  /** How many log rows said it (1 for a description). */
  readonly count: number;
}

export interface DeliveryErrorClassification {
  readonly kind: DeliveryErrorKind;
  /** The text that decided it (the most frequent of its kind). */
  readonly evidence: DeliveryErrorText;
  /** Texts per kind, for the thread. */
  readonly counts: Readonly<Partial<Record<DeliveryErrorKind, number>>>;
  /** A KMS key ARN named in the error texts, when one is. */
  readonly keyArnInText?: string;
}

// Quota first for KMS throttling (S3.KMS.RequestLimitExceeded is a quota, not a denial), then KMS
// (a KMS denial arrives wrapped in an S3 403), then plain S3 access.
const QUOTA = [
  /\bSlowDown\b/i,
  /\bthrottl/i,
  /\bRequestLimitExceeded\b/i,
  /\bTooManyRequests\b|\btoo many requests\b/i,
  /\breduce your request rate\b/i,
  /\bquota\b/i,
  /\bRate exceeded\b/i,
  /\bLimitExceededException\b/,
];
const KMS = [
  /^(?:S3\.)?KMS[._]/i,
  /\bkms:(Decrypt|Encrypt|GenerateDataKey\w*|ReEncrypt\w*|DescribeKey|CreateGrant)\b/i,
  /\bKMS\b.*\b(denied|not authori[sz]ed|AccessDenied\w*|disabled|invalid state|not found|pending deletion)/i,
  /\b(AccessDenied\w*|Access Denied|not authori[sz]ed)\b.*\bKMS\b/i,
  /_KMS_|KMS_KEY|KMS_ACCESS|KMS_GRANT/,
];
const S3_DENIED = [
  /^S3\.(AccessDenied|AllAccessDisabled|AccountProblem|InvalidPayer|NotSignedUp)\b/,
  /\bAccess ?Denied\b/i,
  /\bAccess was denied\b/i,
  /\bnot authori[sz]ed to perform: s3:/i,
  /\b403\b.*\bForbidden\b/i,
];

function matches(patterns: readonly RegExp[], text: string): boolean {
  return patterns.some((p) => p.test(text));
}

export function kindOf(t: Pick<DeliveryErrorText, "code" | "message">): DeliveryErrorKind {
  const code = t.code ?? "";
  const text = `${code} ${t.message}`;
  if (matches(QUOTA, text)) return "quota-exceeded";
  if (matches(KMS, code) || matches(KMS, t.message)) return "kms-denied";
  if (matches(S3_DENIED, code) || matches(S3_DENIED, t.message)) return "s3-access-denied";
  return "other";
}

const KEY_ARN = /arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+/;

/** The kind most texts point to (a classified kind beats "other"); undefined for no texts. */
export function classifyDeliveryErrors(
  texts: readonly DeliveryErrorText[],
): DeliveryErrorClassification | undefined {
  if (texts.length === 0) return undefined;
  const counts: Partial<Record<DeliveryErrorKind, number>> = {};
  const best: Partial<Record<DeliveryErrorKind, DeliveryErrorText>> = {};
  for (const t of texts) {
    const kind = kindOf(t);
    counts[kind] = (counts[kind] ?? 0) + t.count;
    const current = best[kind];
    if (current === undefined || t.count > current.count) best[kind] = t;
  }
  const ranked = (Object.keys(counts) as DeliveryErrorKind[])
    .filter((k) => k !== "other")
    .sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0));
  const kind = ranked[0] ?? "other";
  const keyArn = texts.map((t) => KEY_ARN.exec(t.message)?.[0]).find((k) => k !== undefined);
  return {
    kind,
    evidence: best[kind]!,
    counts,
    ...(keyArn === undefined ? {} : { keyArnInText: keyArn }),
  };
}
