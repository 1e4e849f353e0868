/**
 * The runbook's "try to produce/consume": one unique record written with acks=all, then read
 * back through a scratch group (see scratch-read.ts). Every failure is a result, not a throw.
 */
import { randomUUID } from "node:crypto";
import type { Admin, Kafka } from "kafkajs";
import type { KafkaError, RoundTripResult } from "../../ports/kafka.ts";
import { errorType } from "./kafka-errors.ts";
import { readWithScratchGroup } from "./scratch-read.ts";
import { TimeoutError, withTimeout } from "./with-timeout.ts";

export async function runRoundTrip(
  kafka: Kafka,
  connectedAdmin: () => Promise<Admin>,
  request: {
    readonly topic: string;
    readonly timeoutMs: number;
    readonly groupPrefix: string;
    /** Turns an error into a KafkaError with a safe one-line message (names the target, no secrets). */
    readonly describe: (err: unknown) => KafkaError;
  },
): Promise<RoundTripResult> {
  const { topic, timeoutMs } = request;
  const startedAt = Date.now();
  const deadline = startedAt + timeoutMs;
  const elapsed = (): number => Date.now() - startedAt;
  const key = `runbook-bot-round-trip-${randomUUID()}`;

  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    // Retries (NOT_ENOUGH_REPLICAS, a leader moving) are bounded by the deadline below.
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  let sent: { partition: number; offset: number };
  try {
    const metadata = await withTimeout(
      (async () => {
        await producer.connect();
        return producer.send({
          topic,
          acks: -1,
          timeout: timeoutMs,
          messages: [
            {
              key,
              value: JSON.stringify({ check: "round-trip", sentAt: new Date(startedAt).toISOString() }),
              headers: { "runbook-bot": "round-trip" },
            },
          ],
        });
      })(),
      timeoutMs,
    );
    const first = metadata[0];
    if (first === undefined || first.baseOffset === undefined)
      throw new Error("the produce answer named no offset");
    sent = { partition: first.partition, offset: Number(first.baseOffset) };
  } catch (err) {
    const timedOut = err instanceof TimeoutError;
    if (timedOut || errorType(err) === "UNKNOWN_TOPIC_OR_PARTITION") {
      const reason = timedOut ? `no acknowledgement within ${timeoutMs} ms` : `topic ${topic} does not exist`;
      return { ok: false, topic, failedAt: "produce", reason, timedOut, elapsedMs: elapsed() };
    }
    const error = request.describe(err);
    return {
      ok: false,
      topic,
      failedAt: "produce",
      reason: error.message,
      timedOut,
      ...(error.kind === "auth" ? { accessRefused: true } : {}),
      elapsedMs: elapsed(),
    };
  } finally {
    await withTimeout(producer.disconnect(), 5000).catch(() => {});
  }

  const produceMs = elapsed();
  try {
    const admin = await withTimeout(connectedAdmin(), Math.max(1, deadline - Date.now()));
    let found = false;
    await readWithScratchGroup(kafka, admin, {
      topic,
      ranges: new Map([[sent.partition, { from: sent.offset, until: sent.offset + 1 }]]),
      deadline,
      groupPrefix: request.groupPrefix,
      onRecord: (_partition, message) => {
        found = message.key?.toString("utf8") === key;
        return found;
      },
    });
    if (!found) {
      return {
        ok: false,
        topic,
        failedAt: "consume",
        reason: `written to partition ${sent.partition} at offset ${sent.offset}, but not read back within ${timeoutMs} ms`,
        timedOut: true,
        produceMs,
        elapsedMs: elapsed(),
      };
    }
    return {
      ok: true,
      topic,
      partition: sent.partition,
      offset: sent.offset,
      produceMs,
      consumeMs: elapsed() - produceMs,
    };
  } catch (err) {
    const timedOut = err instanceof TimeoutError;
    const error = timedOut ? undefined : request.describe(err);
    return {
      ok: false,
      topic,
      failedAt: "consume",
      reason: error?.message ?? `could not start reading within ${timeoutMs} ms`,
      timedOut,
      ...(error?.kind === "auth" ? { accessRefused: true } : {}),
      produceMs,
      elapsedMs: elapsed(),
    };
  }
}
