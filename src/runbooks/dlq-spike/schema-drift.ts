/**
 * Pure: does the source topic still carry the records the parser expects? Compares the newest
 * records of the source topic with the expected order fields (the known list, plus any field the
 * parse_error messages name) and says which field went missing, which new field replaced it
 * ("`customer_id` now arrives as `cust_id`"), which changed type, and who sends the records that
 * do not fit. Also: which senders the parse_error samples come from (a new traffic pattern).
 */
import type { SampledRecord } from "../../ports/kafka.ts";

export type JsonType = "string" | "number" | "boolean" | "array" | "object" | "null";

/**
 * The fields an order carries, with their JSON types (the seed's parser reads order_id and
 * customer_id; the checkout service also sends these). A deployment with another schema would set
 * its own list (see the report: a `pipeline.expectedFields` config entry).
 */
export const EXPECTED_ORDER_FIELDS: Readonly<Record<string, JsonType>> = {
  order_id: "string",
  customer_id: "string",
  created_at: "string",
  currency: "string",
  total_amount: "number",
  items: "array",
};

/** A field counts as missing / changed when fewer than this share of the newest records carry it as expected. */
export const FIELD_PRESENCE_FLOOR = 0.5;

export interface FieldRename {
  readonly from: string;
  readonly to: string;
}

export interface FieldRetype {
  readonly field: string;
  readonly expected: JsonType;
  readonly got: JsonType;
}

export interface SenderCount {
  readonly sender: string;
  readonly count: number;
}

export interface SchemaDrift {
  /** Records read from the topic (tombstones left out). */
  readonly sampled: number;
  /** Records whose value is not a JSON object. */
  readonly malformed: number;
  /** Expected fields absent from most of the newest records. */
  readonly missing: readonly string[];
  /** A missing field and the new field that most likely replaced it. */
  readonly renamed: readonly FieldRename[];
  /** Expected fields that now mostly arrive with another JSON type. */
  readonly retyped: readonly FieldRetype[];
  /** Fields most records carry that are not expected (and not explained as renames). */
  readonly unexpected: readonly string[];
  /** Records that do not fit (malformed, an expected field absent or of another type). */
  readonly nonConforming: number;
  /** Who sent the records that do not fit (header `source`, else the key), most first. */
  readonly nonConformingBySender: readonly SenderCount[];
}

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const t = typeof value;
  return t === "string" || t === "number" || t === "boolean" ? t : "object";
}

function parseObject(value: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const FIELD_MENTIONS = [
  /\b(?:missing|required|absent|unknown|unrecognized|unexpected)\s+(?:required\s+)?(?:field|property|key|attribute)\s*[:=]?\s*[`'"]?([A-Za-z_][\w.]*)/gi,
  /\bKeyError:\s*['"]([A-Za-z_]\w*)['"]/g,
  /\bno (?:such )?field\s*[:=]?\s*[`'"]?([A-Za-z_]\w*)/gi,
  /[`'"]([A-Za-z_]\w*)[`'"]\s+is\s+(?:required|missing)/gi,
];

/** Field names the parse_error messages mention ("missing field customer_id", "KeyError: 'customer_id'"). */
export function fieldsNamedIn(messages: readonly string[]): string[] {
  const found = new Set<string>();
  for (const message of messages) {
    for (const pattern of FIELD_MENTIONS) {
      for (const match of message.matchAll(pattern)) if (match[1]) found.add(match[1]);
    }
  }
  return [...found].sort();
}

/** The expected fields: the known list, plus fields the messages name (type unknown: any). */
export function expectedFields(messages: readonly string[]): Record<string, JsonType | "any"> {
  const out: Record<string, JsonType | "any"> = { ...EXPECTED_ORDER_FIELDS };
  for (const f of fieldsNamedIn(messages)) if (!(f in out)) out[f] = "any";
  return out;
}

function tokens(field: string): string[] {
  return field
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** How alike two field names are: shared tokens, a token that abbreviates another (cust/customer). */
export function nameSimilarity(a: string, b: string): number {
  const ta = tokens(a);
  const tb = tokens(b);
  let score = 0;
  for (const x of ta) {
    if (tb.includes(x)) score += 2;
    else if (tb.some((y) => (y.startsWith(x) || x.startsWith(y)) && Math.min(x.length, y.length) >= 3))
      score += 1.5;
  }
  if (a.toLowerCase().replace(/[^a-z0-9]/g, "") === b.toLowerCase().replace(/[^a-z0-9]/g, "")) score += 3;
  return score;
}

function senderOf(record: SampledRecord, body: Record<string, unknown> | undefined): string {
  const fromBody = body?.source ?? body?.sender;
  if (typeof fromBody === "string" && fromBody !== "") return fromBody;
  return record.headers.source ?? record.key ?? "(no key)";
}

function countBy(values: readonly string[]): SenderCount[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()]
    .map(([sender, count]) => ({ sender, count }))
    .sort((a, b) => b.count - a.count || a.sender.localeCompare(b.sender));
}

export function analyseSource(
  records: readonly SampledRecord[],
  expected: Readonly<Record<string, JsonType | "any">> = EXPECTED_ORDER_FIELDS,
): SchemaDrift {
  const withValue = records.filter((r) => r.value !== null);
  const parsed = withValue.map((r) => ({ record: r, body: r.truncated ? undefined : parseObject(r.value!) }));
  // A value cut to the sample bound cannot be parsed: it is left out rather than called malformed.
  const judged = parsed.filter((p) => !p.record.truncated);
  const objects = judged.flatMap((p) => (p.body ? [p.body] : []));
  const malformed = judged.length - objects.length;
  const share = (n: number) => (objects.length === 0 ? 0 : n / objects.length);

  const missing: string[] = [];
  const retyped: FieldRetype[] = [];
  for (const [field, type] of Object.entries(expected)) {
    const present = objects.filter((o) => Object.hasOwn(o, field));
    if (share(present.length) < FIELD_PRESENCE_FLOOR) {
      if (objects.length > 0) missing.push(field);
      continue;
    }
    if (type === "any") continue;
    const types = countBy(present.map((o) => jsonTypeOf(o[field])));
    const top = types[0];
    if (top && top.sender !== type && top.count / present.length >= FIELD_PRESENCE_FLOOR) {
      retyped.push({ field, expected: type, got: top.sender as JsonType });
    }
  }

  const keyCounts = countBy(objects.flatMap((o) => Object.keys(o)));
  const common = keyCounts
    .filter((k) => share(k.count) >= FIELD_PRESENCE_FLOOR && !(k.sender in expected))
    .map((k) => k.sender);
  const renamed: FieldRename[] = [];
  const used = new Set<string>();
  for (const from of missing) {
    const candidates = common
      .filter((c) => !used.has(c))
      .map((c) => ({ c, score: nameSimilarity(from, c) }))
      .sort((a, b) => b.score - a.score);
    const best = candidates[0];
    const onlyPair = missing.length === 1 && candidates.length === 1;
    if (best && (best.score >= 1.5 || onlyPair)) {
      renamed.push({ from, to: best.c });
      used.add(best.c);
    }
  }

  const misfits = judged.filter((p) => {
    if (!p.body) return true;
    const body = p.body;
    return Object.entries(expected).some(
      ([field, type]) =>
        !Object.hasOwn(body, field) ||
        (type !== "any" && jsonTypeOf(body[field]) !== type && !missing.includes(field)),
    );
  });
  return {
    sampled: withValue.length,
    malformed,
    missing,
    renamed,
    retyped,
    unexpected: common.filter((c) => !used.has(c)),
    nonConforming: misfits.length,
    nonConformingBySender: countBy(misfits.map((p) => senderOf(p.record, p.body))),
  };
}

/** The source changed shape: expected fields gone or retyped, or most records are not JSON objects. */
export function sourceDrifted(d: SchemaDrift): boolean {
  return d.missing.length > 0 || d.retyped.length > 0 || (d.sampled > 0 && d.malformed / d.sampled >= 0.5);
}

/** "`customer_id` now arrives as `cust_id`; `total_amount` is now a string (expected number)". */
export function describeDrift(d: SchemaDrift): string {
  const parts: string[] = [];
  for (const r of d.renamed) parts.push(`\`${r.from}\` now arrives as \`${r.to}\``);
  for (const m of d.missing) {
    if (!d.renamed.some((r) => r.from === m)) parts.push(`\`${m}\` is missing`);
  }
  for (const r of d.retyped) parts.push(`\`${r.field}\` is now a ${r.got} (expected ${r.expected})`);
  if (d.sampled > 0 && d.malformed / d.sampled >= 0.5) {
    parts.push(`${d.malformed} of ${d.sampled} records are not JSON objects`);
  }
  return parts.join("; ");
}

export interface SenderConcentration {
  /** Samples a sender could be read from. */
  readonly sampled: number;
  readonly distinct: number;
  readonly top: SenderCount;
}

const SENDER_FIELDS = ["source", "sender", "partner_id", "customer_id", "cust_id", "customer"] as const;

/** Who the failing records come from, from the parse_error samples' messages (JSON with a sender field). */
export function failingSenders(messages: readonly string[]): SenderConcentration | undefined {
  const senders: string[] = [];
  for (const m of messages) {
    const body = parseObject(m);
    if (!body) continue;
    for (const f of SENDER_FIELDS) {
      const v = body[f];
      if (typeof v === "string" && v !== "") {
        senders.push(v);
        break;
      }
    }
  }
  const counts = countBy(senders);
  const top = counts[0];
  return top === undefined ? undefined : { sampled: senders.length, distinct: counts.length, top };
}
