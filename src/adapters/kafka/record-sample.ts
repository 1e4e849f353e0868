/** The newest records of a topic, read through a scratch group (see scratch-read.ts). */
import type { Admin, IHeaders, Kafka, KafkaMessage } from "kafkajs";
import { KafkaError, type RecordSample, type SampledRecord } from "../../ports/kafka.ts";
import { topicOffsets } from "./group-lag.ts";
import { readWithScratchGroup } from "./scratch-read.ts";

export const DEFAULT_MAX_VALUE_CHARS = 1000;
/** Upper bound of records one sample returns. */
export const MAX_SAMPLE_COUNT = 500;

export async function readNewest(
  kafka: Kafka,
  admin: Admin,
  request: {
    readonly topic: string;
    readonly count: number;
    readonly maxValueChars: number;
    readonly deadline: number;
    readonly groupPrefix: string;
  },
): Promise<RecordSample> {
  const { topic, count, maxValueChars } = request;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SAMPLE_COUNT) {
    throw new KafkaError(
      "failed",
      `sample size must be a whole number from 1 to ${MAX_SAMPLE_COUNT}, not ${count}`,
    );
  }
  const ends = await topicOffsets(admin, topic);
  // The newest `count` across partitions are among the last `count` of each partition.
  const ranges = new Map(
    ends
      .filter((e) => e.logEnd > e.logStart)
      .map((e) => [e.partition, { from: Math.max(e.logStart, e.logEnd - count), until: e.logEnd }] as const),
  );
  const records: SampledRecord[] = [];
  const { complete } = await readWithScratchGroup(kafka, admin, {
    topic,
    ranges,
    deadline: request.deadline,
    groupPrefix: request.groupPrefix,
    onRecord: (partition, message) => {
      records.push(toSampledRecord(partition, message, maxValueChars));
      return false;
    },
  });
  records.sort((a, b) =>
    a.timestamp === b.timestamp
      ? b.offset - a.offset || a.partition - b.partition
      : a.timestamp < b.timestamp
        ? 1
        : -1,
  );
  return { topic, records: records.slice(0, count), complete };
}

export function toSampledRecord(partition: number, message: KafkaMessage, maxChars: number): SampledRecord {
  const key = message.key === null ? null : bounded(message.key.toString("utf8"), maxChars);
  const value = message.value === null ? null : bounded(message.value.toString("utf8"), maxChars);
  return {
    partition,
    offset: Number(message.offset),
    timestamp: new Date(Number(message.timestamp)).toISOString(),
    key: key?.text ?? null,
    value: value?.text ?? null,
    valueBytes: message.value?.length ?? 0,
    truncated: (key?.cut ?? false) || (value?.cut ?? false),
    headers: decodeHeaders(message.headers, maxChars),
  };
}

function decodeHeaders(headers: IHeaders | undefined, maxChars: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    if (raw === undefined) continue;
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) =>
      typeof v === "string" ? v : v.toString("utf8"),
    );
    out[name] = bounded(values.join(", "), maxChars).text;
  }
  return out;
}

function bounded(text: string, maxChars: number): { text: string; cut: boolean } {
  if (text.length <= maxChars) return { text, cut: false };
  // Never split a surrogate pair (an emoji in a value would become an invalid character).
  const end = /[\uD800-\uDBFF]/.test(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return { text: `${text.slice(0, end)}…`, cut: true };
}
