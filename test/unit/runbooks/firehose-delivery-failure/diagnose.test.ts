import { describe, expect, it } from "vitest";
import {
  classifyDeliveryErrors,
  kindOf,
} from "../../../../src/runbooks/firehose-delivery-failure/classify.ts";
import {
  diagnoseFirehose,
  type FirehoseCause,
  type FirehoseSignals,
  proposedBuffering,
} from "../../../../src/runbooks/firehose-delivery-failure/diagnose.ts";

const KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const err = (code: string, message: string, count = 1) =>
  classifyDeliveryErrors([{ source: "error log", code, message, count }])!;

describe("kindOf", () => {
  it.each([
    [
      "S3.AccessDenied",
      "Access was denied. Ensure that the access policy allows access to the S3 bucket.",
      "s3-access-denied",
    ],
    ["S3.AllAccessDisabled", "All access to this object has been disabled", "s3-access-denied"],
    [
      "",
      "User: arn:aws:sts::1:assumed-role/FirehoseDeliveryRole is not authorized to perform: s3:PutObject",
      "s3-access-denied",
    ],
    ["S3.KMS.AccessDeniedException", "not authorized to perform kms:GenerateDataKey", "kms-denied"],
    ["KMS_ACCESS_DENIED", "Firehose does not have access to the KMS key", "kms-denied"],
    ["S3.KMS.KeyDisabled", "The KMS key is disabled", "kms-denied"],
    ["", `Access Denied (Service: Amazon S3; Status Code: 403) while calling KMS key ${KEY}`, "kms-denied"],
    ["S3.SlowDown", "Please reduce your request rate.", "quota-exceeded"],
    ["S3.KMS.RequestLimitExceeded", "KMS request rate exceeded", "quota-exceeded"],
    ["", "Request was throttled", "quota-exceeded"],
    ["S3.NoSuchBucket", "The specified bucket does not exist", "other"],
  ] as const)("%s %s -> %s", (code, message, kind) => {
    expect(kindOf({ code, message })).toBe(kind);
  });

  it("picks the most frequent classified kind and finds a key ARN", () => {
    const c = classifyDeliveryErrors([
      { source: "error log", code: "S3.NoSuchBucket", message: "gone", count: 9 },
      { source: "error log", code: "S3.KMS.AccessDeniedException", message: `denied on ${KEY}`, count: 3 },
      { source: "error log", code: "S3.AccessDenied", message: "Access Denied", count: 2 },
    ]);
    expect(c?.kind).toBe("kms-denied");
    expect(c?.keyArnInText).toBe(KEY);
    expect(c?.counts).toEqual({ other: 9, "kms-denied": 3, "s3-access-denied": 2 });
    expect(classifyDeliveryErrors([])).toBeUndefined();
  });
});

interface Case {
  readonly name: string;
  readonly signals: Partial<FirehoseSignals>;
  readonly cause: FirehoseCause;
  readonly confidence?: "high" | "medium" | "low";
  readonly open?: number;
}

const failing = {
  status: "ACTIVE",
  latestSuccess: 0,
  recentRecords: [60_000, 0, 0, 0],
  errorLog: "read",
} as const;

const cases: Case[] = [
  {
    name: "access denied while failing",
    signals: { ...failing, error: err("S3.AccessDenied", "Access Denied") },
    cause: "s3-access-denied",
    confidence: "high",
  },
  {
    name: "KMS denied, success unknown",
    signals: { status: "ACTIVE", errorLog: "read", error: err("S3.KMS.AccessDeniedException", "denied") },
    cause: "kms-denied",
    confidence: "medium",
  },
  {
    name: "KMS failure description on a stream that is not ACTIVE",
    signals: {
      status: "CREATING_FAILED",
      errorLog: "absent",
      error: classifyDeliveryErrors([
        { source: "failure description", code: "INVALID_KMS_KEY", message: "invalid key", count: 1 },
      ])!,
    },
    cause: "kms-denied",
    confidence: "high",
  },
  {
    name: "SlowDown while failing",
    signals: {
      ...failing,
      latestSuccess: 0.4,
      error: err("S3.SlowDown", "Please reduce your request rate."),
    },
    cause: "quota-exceeded",
    confidence: "high",
  },
  {
    name: "partial success, no error logged",
    signals: { ...failing, latestSuccess: 0.7, recentRecords: [40_000, 42_000] },
    cause: "slow-network",
    confidence: "medium",
    open: 0,
  },
  {
    name: "partial success, error log absent: low, the denials stay open",
    signals: { ...failing, latestSuccess: 0.7, recentRecords: [42_000], errorLog: "absent" },
    cause: "slow-network",
    confidence: "low",
    open: 3,
  },
  {
    name: "nothing succeeds, no error",
    signals: { ...failing },
    cause: "unknown",
    confidence: "low",
    open: 4,
  },
  {
    name: "failing with an unclassified error",
    signals: { ...failing, error: err("S3.NoSuchBucket", "The specified bucket does not exist") },
    cause: "unknown",
    confidence: "low",
    open: 3,
  },
  {
    name: "suspended stream",
    signals: { status: "SUSPENDED", errorLog: "absent", latestSuccess: 0 },
    cause: "stream-not-active",
    confidence: "high",
  },
  {
    name: "success back to 1",
    signals: { status: "ACTIVE", errorLog: "absent", latestSuccess: 1 },
    cause: "delivering",
    confidence: "high",
  },
  {
    name: "success 1 although errors were logged: recovered",
    signals: {
      status: "ACTIVE",
      errorLog: "read",
      latestSuccess: 1,
      error: err("S3.AccessDenied", "Access Denied"),
    },
    cause: "delivering",
  },
  { name: "no data at all", signals: { errorLog: "unread" }, cause: "unknown", confidence: "low", open: 4 },
];

describe("diagnoseFirehose", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const d = diagnoseFirehose({ errorLog: "unread", ...c.signals } as FirehoseSignals);
    expect(d.cause).toBe(c.cause);
    if (c.confidence) expect(d.confidence).toBe(c.confidence);
    if (c.open !== undefined) expect(d.openBranches).toHaveLength(c.open);
  });
});

describe("proposedBuffering", () => {
  it("bigger, slower batches against throttling, within 128 MiB / 900 s", () => {
    expect(proposedBuffering("quota-exceeded", { sizeMb: 64, intervalSeconds: 60 }, false)).toEqual({
      sizeMb: 128,
      intervalSeconds: 300,
    });
    expect(proposedBuffering("quota-exceeded", { sizeMb: 128, intervalSeconds: 600 }, false)).toEqual({
      sizeMb: 128,
      intervalSeconds: 900,
    });
    expect(proposedBuffering("quota-exceeded", { sizeMb: 128, intervalSeconds: 900 }, false)).toBeUndefined();
  });

  it("smaller, more frequent batches against slow uploads, respecting dynamic partitioning's 64 MiB floor", () => {
    expect(proposedBuffering("slow-network", { sizeMb: 128, intervalSeconds: 300 }, false)).toEqual({
      sizeMb: 64,
      intervalSeconds: 30,
    });
    expect(proposedBuffering("slow-network", { sizeMb: 64, intervalSeconds: 30 }, false)).toEqual({
      sizeMb: 32,
      intervalSeconds: 30,
    });
    expect(proposedBuffering("slow-network", { sizeMb: 64, intervalSeconds: 30 }, true)).toBeUndefined();
    expect(proposedBuffering("slow-network", { sizeMb: 1, intervalSeconds: 0 }, false)).toBeUndefined();
  });

  it("proposes nothing where buffering does not help", () => {
    expect(
      proposedBuffering("s3-access-denied", { sizeMb: 128, intervalSeconds: 300 }, false),
    ).toBeUndefined();
    expect(proposedBuffering("kms-denied", { sizeMb: 128, intervalSeconds: 300 }, false)).toBeUndefined();
  });
});
