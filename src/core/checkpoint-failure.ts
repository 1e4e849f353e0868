/**
 * Why a checkpoint failed, from the texts Flink gives (checkpoint failure_message, exception stack
 * traces, taskmanager/jobmanager log lines), following the Checkpoint Failure runbook:
 *   "Access Denied"                          -> A. S3 permission denied (IAM)
 *   KMS key denied (kms:Decrypt, GenerateDataKey, KMS AccessDeniedException)
 *                                            -> B. KMS key denied
 *   "No space left on device" / "Disk full"  -> C. RocksDB disk full
 *   "Checkpoint expired before completing" / timeouts
 *                                            -> D. S3 upload timeout
 * Pure: no I/O.
 */

export type CheckpointFailureKind = "s3-access-denied" | "kms-denied" | "disk-full" | "timeout" | "unknown";

export interface CheckpointFailureClassification {
  readonly kind: CheckpointFailureKind;
  /** The line that decided it (trimmed, at most EVIDENCE_CHARS); null for "unknown". */
  readonly evidence: string | null;
}

export const EVIDENCE_CHARS = 300;

interface Rule {
  readonly kind: Exclude<CheckpointFailureKind, "unknown">;
  readonly patterns: readonly RegExp[];
}

// A KMS denial arrives wrapped in an S3 403 ("... not authorized to perform: kms:GenerateDataKey ...
// (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)"), so KMS is tested first.
const KMS = [
  /\bkms:(Decrypt|Encrypt|GenerateDataKey\w*|ReEncrypt\w*|DescribeKey|CreateGrant)\b/i,
  /\bKMS\b.*\b(denied|not authori[sz]ed|AccessDeniedException|disabled|KMSInvalidStateException)/i,
  /\b(AccessDeniedException|Access Denied|not authori[sz]ed)\b.*\bKMS\b/i,
  /\bKMS\.(AccessDeniedException|DisabledException|KMSInvalidStateException|NotFoundException)\b/i,
  /\bAWSKMSException\b/,
];

const S3_DENIED = [
  /\bAccess Denied\b/i,
  /Error Code: AccessDenied\b/,
  /\bAccessDenied\b.*\b(s3a?|Amazon S3)\b/i,
  /\bAccessDeniedException\b.*\bs3a?:\/\//i,
  /\bs3a?:\/\/\S+.*\b(403|Forbidden|AccessDenied)/i,
  /\bnot authori[sz]ed to perform: s3:/i,
  /Status Code: 403\b.*Amazon S3|Amazon S3.*Status Code: 403\b/i,
];

const DISK_FULL = [
  /No space left on device/i,
  /\bDisk (is )?full\b/i,
  /\bIOError\(NoSpace\)/i,
  /\bENOSPC\b/,
  /\bdisk quota exceeded\b/i,
];

const TIMEOUT = [
  /Checkpoint expired before completing/i,
  /\bCHECKPOINT_EXPIRED\b/,
  /\bSocketTimeoutException\b/,
  /\bRequestTimeout\b/,
  /\b(read|connect|upload|request) timed out\b/i,
  /\btimed out\b/i,
  /\btime-?out\b/i,
];

const RULES: readonly Rule[] = [
  { kind: "kms-denied", patterns: KMS },
  { kind: "s3-access-denied", patterns: S3_DENIED },
  { kind: "disk-full", patterns: DISK_FULL },
  { kind: "timeout", patterns: TIMEOUT },
];

/** The line, or for a long one the part around the match, at most EVIDENCE_CHARS. */
function evidence(line: string, at: number): string {
  const trimmed = line.trim();
  if (trimmed.length <= EVIDENCE_CHARS) return trimmed;
  const offset = at - (line.length - line.trimStart().length);
  const start = Math.max(0, Math.min(offset - 100, trimmed.length - (EVIDENCE_CHARS - 1)));
  const head = start > 0 ? "…" : "";
  const room = EVIDENCE_CHARS - head.length;
  const body = trimmed.slice(start, start + room);
  return start + room < trimmed.length ? `${head}${body.slice(0, -1)}…` : `${head}${body}`;
}

/** Classifies one text (a message or a whole stack trace): the strongest rule over all its lines. */
export function classifyCheckpointFailureText(text: string): CheckpointFailureClassification {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  for (const rule of RULES) {
    for (const line of lines) {
      for (const pattern of rule.patterns) {
        const match = pattern.exec(line);
        if (match) return { kind: rule.kind, evidence: evidence(line, match.index) };
      }
    }
  }
  return { kind: "unknown", evidence: null };
}

/**
 * Classifies the failure from several texts given newest first (e.g. the latest failed checkpoint's
 * failure_message, then exception stack traces, then log lines): the first text that says anything
 * decides, so an old timeout does not hide today's access denial. Within one text the rules rank
 * KMS > S3 access denied > disk full > timeout.
 */
export function classifyCheckpointFailure(
  texts: string | readonly string[],
): CheckpointFailureClassification {
  for (const text of typeof texts === "string" ? [texts] : texts) {
    const result = classifyCheckpointFailureText(text);
    if (result.kind !== "unknown") return result;
  }
  return { kind: "unknown", evidence: null };
}
