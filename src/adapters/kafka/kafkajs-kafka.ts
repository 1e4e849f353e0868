/**
 * KafkaPort over kafkajs (the only file that imports it). Checked against a real Apache Kafka 4.x
 * broker in test/integration/kafka-lag.test.ts.
 */
import { type Admin, Kafka, type KafkaConfig, logLevel } from "kafkajs";
import type { GroupLag, KafkaPort, PartitionLag } from "../../ports/kafka.ts";

export interface KafkajsKafkaOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl?: boolean;
  readonly sasl?: {
    readonly mechanism: "plain" | "scram-sha-256" | "scram-sha-512";
    readonly username: string;
    readonly password: string;
  };
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

/** A Kafka call failed; the message names the brokers and is safe to show (no stack, no secrets). */
export class KafkaAdapterError extends Error {
  override readonly name = "KafkaAdapterError";
}

export function createKafkajsKafka(options: KafkajsKafkaOptions): KafkaPort {
  const describeTarget = options.brokers.join(",");
  const config: KafkaConfig = {
    brokers: [...options.brokers],
    clientId: options.clientId,
    connectionTimeout: options.connectionTimeoutMs ?? 5000,
    requestTimeout: options.requestTimeoutMs ?? 10000,
    // One retry: an unreachable cluster fails within about two connection timeouts, not minutes.
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
    logLevel: logLevel.NOTHING,
  };
  if (options.ssl) config.ssl = true;
  if (options.sasl) {
    const { mechanism, username, password } = options.sasl;
    // One branch per mechanism so TypeScript narrows each to kafkajs's option type.
    config.sasl =
      mechanism === "plain"
        ? { mechanism, username, password }
        : mechanism === "scram-sha-256"
          ? { mechanism, username, password }
          : { mechanism, username, password };
  }
  const kafka = new Kafka(config);
  const secrets = options.sasl ? [options.sasl.password] : [];

  let admin: Promise<Admin> | undefined;
  const connectedAdmin = (): Promise<Admin> => {
    admin ??= (async () => {
      const client = kafka.admin();
      try {
        await client.connect();
        return client;
      } catch (err) {
        admin = undefined; // try afresh on the next call
        await client.disconnect().catch(() => {});
        throw err;
      }
    })();
    return admin;
  };

  const fail = (err: unknown): never => {
    throw new KafkaAdapterError(describeFailure(err, describeTarget, secrets));
  };

  return {
    describeTarget,

    async groupLag(group: string, topics?: readonly string[]): Promise<GroupLag> {
      const client = await connectedAdmin().catch(fail);
      try {
        return await readGroupLag(client, group, topics);
      } catch (err) {
        return fail(err);
      }
    },

    async close(): Promise<void> {
      const current = admin;
      admin = undefined;
      if (!current) return;
      const client = await current.catch(() => undefined);
      await client?.disconnect().catch(() => {});
    },
  };
}

async function readGroupLag(admin: Admin, group: string, topics?: readonly string[]): Promise<GroupLag> {
  const { groups } = await admin.describeGroups([group]);
  const description = groups.find((g) => g.groupId === group);
  const state = description?.state ?? "Dead";
  const members = description?.members.length ?? 0;

  let topicNames: string[];
  if (topics === undefined) {
    const committed = await admin.fetchOffsets({ groupId: group });
    topicNames = committed.filter((t) => t.partitions.some((p) => Number(p.offset) >= 0)).map((t) => t.topic);
  } else {
    topicNames = [...new Set(topics)];
  }
  topicNames.sort();

  const partitions: PartitionLag[] = [];
  if (topicNames.length > 0) {
    // Log ends first: an unknown topic fails here with its name.
    const ends = await Promise.all(topicNames.map((topic) => topicOffsets(admin, topic)));
    const committed = await admin.fetchOffsets({ groupId: group, topics: topicNames });
    const committedBy = new Map<string, number>();
    for (const t of committed) {
      for (const p of t.partitions) committedBy.set(`${t.topic}/${p.partition}`, Number(p.offset));
    }
    topicNames.forEach((topic, i) => {
      for (const end of ends[i] ?? []) {
        const offset = committedBy.get(`${topic}/${end.partition}`);
        const committedOffset = offset === undefined || offset < 0 ? null : offset;
        const lag = committedOffset === null ? end.logEnd - end.logStart : end.logEnd - committedOffset;
        partitions.push({
          topic,
          partition: end.partition,
          committedOffset,
          logEndOffset: end.logEnd,
          lag: Math.max(0, lag),
        });
      }
    });
  }
  partitions.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  const totalLag = partitions.reduce((sum, p) => sum + p.lag, 0);
  return { group, state, members, partitions, totalLag };
}

async function topicOffsets(
  admin: Admin,
  topic: string,
): Promise<{ partition: number; logStart: number; logEnd: number }[]> {
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map((o) => ({ partition: o.partition, logStart: Number(o.low), logEnd: Number(o.high) }));
  } catch (err) {
    if (errorType(err) === "UNKNOWN_TOPIC_OR_PARTITION")
      throw new KafkaAdapterError(`topic ${topic} does not exist`);
    throw err;
  }
}

/** One line for a failed call: "could not reach Kafka at b1:9092: connection refused". */
function describeFailure(err: unknown, target: string, secrets: readonly string[]): string {
  if (err instanceof KafkaAdapterError) return redact(`Kafka at ${target}: ${err.message}`, secrets);
  const root = rootCause(err);
  const code = (root as { code?: unknown }).code;
  const message = root instanceof Error ? root.message : String(root);
  const type = errorType(err);
  let text: string;
  if (code === "ECONNREFUSED") text = `could not reach Kafka at ${target}: connection refused`;
  else if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    text = `could not reach Kafka at ${target}: host not found`;
  else if (code === "ETIMEDOUT" || /connection timeout/i.test(message))
    text = `could not reach Kafka at ${target}: connection timed out`;
  else if (code === "ECONNRESET" || code === "EPIPE")
    text = `could not reach Kafka at ${target}: connection closed by the broker (TLS or SASL mismatch?)`;
  else if (isNamed(err, "KafkaJSSASLAuthenticationError") || type === "SASL_AUTHENTICATION_FAILED")
    text = `could not authenticate to Kafka at ${target}: SASL authentication failed`;
  else if (isNamed(err, "KafkaJSConnectionError") || isNamed(err, "KafkaJSBrokerNotFound"))
    text = `could not reach Kafka at ${target}: ${firstLine(message)}`;
  else if (isNamed(err, "KafkaJSRequestTimeoutError") || /request timed out/i.test(message))
    text = `Kafka at ${target} did not answer in time: ${firstLine(message)}`;
  else text = `Kafka at ${target} failed: ${firstLine(message)}`;
  return redact(text, secrets);
}

/** kafkajs wraps errors (retries exceeded -> originalError, non-retriable -> cause); find the innermost. */
function rootCause(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 10; depth++) {
    const next =
      (current as { originalError?: unknown } | null)?.originalError ??
      (current as { cause?: unknown } | null)?.cause;
    if (next === undefined || next === null || next === current) return current;
    current = next;
  }
  return current;
}

function isNamed(err: unknown, name: string): boolean {
  let current = err;
  for (let depth = 0; depth < 10 && current; depth++) {
    if ((current as { name?: unknown }).name === name) return true;
    current =
      (current as { originalError?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}

function errorType(err: unknown): string | undefined {
  let current = err;
  for (let depth = 0; depth < 10 && current; depth++) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === "string") return type;
    current =
      (current as { originalError?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split("\n")[0]?.trim() || "unknown error";
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join("***");
  return out;
}
