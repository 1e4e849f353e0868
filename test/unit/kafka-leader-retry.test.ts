import { describe, expect, it } from "vitest";
import { toKafkaError } from "../../src/adapters/kafka/kafka-errors.ts";
import { isLeaderMove, RETRY_WINDOW_MS, retryOnLeaderMove } from "../../src/adapters/kafka/leader-retry.ts";

const notLeader = () =>
  Object.assign(new Error("This server is not the leader for that topic-partition"), {
    name: "KafkaJSProtocolError",
    type: "NOT_LEADER_FOR_PARTITION",
  });
const refused = () =>
  Object.assign(new Error("Connection error: connect ECONNREFUSED 10.0.0.3:9092"), {
    name: "KafkaJSConnectionError",
    code: "ECONNREFUSED",
    broker: "10.0.0.3:9092",
  });

/** A read that fails with the given errors first, then answers "ok". */
function scripted(errors: Error[]) {
  let calls = 0;
  const read = async () => {
    const err = errors[calls++];
    if (err) throw err;
    return "ok";
  };
  return { read, calls: () => calls };
}

describe("retryOnLeaderMove", () => {
  it("tries again after a leader moved or its broker refused the connection", async () => {
    const moved = scripted([notLeader(), refused()]);
    expect(await retryOnLeaderMove(moved.read)).toBe("ok");
    expect(moved.calls()).toBe(3);
  });

  it("gives up after five attempts, within the retry window, with the last error", async () => {
    const stuck = scripted([notLeader(), notLeader(), notLeader(), notLeader(), refused(), notLeader()]);
    const startedAt = Date.now();
    await expect(retryOnLeaderMove(stuck.read)).rejects.toMatchObject({ name: "KafkaJSConnectionError" });
    expect(stuck.calls()).toBe(5);
    expect(Date.now() - startedAt).toBeLessThan(RETRY_WINDOW_MS);
  });

  it("tries again while a moved group coordinator loads the group (COORDINATOR_LOAD_IN_PROGRESS)", async () => {
    const loading = () =>
      Object.assign(new Error("The coordinator is loading and hence can't process requests for this group"), {
        name: "KafkaJSProtocolError",
        type: "COORDINATOR_LOAD_IN_PROGRESS",
      });
    const moved = scripted([loading(), loading()]);
    expect(await retryOnLeaderMove(moved.read)).toBe("ok");
    expect(moved.calls()).toBe(3);
  });

  it("does not retry other failures", async () => {
    const unknown = Object.assign(new Error("unknown topic"), { type: "UNKNOWN_TOPIC_OR_PARTITION" });
    const failing = scripted([unknown]);
    await expect(retryOnLeaderMove(failing.read)).rejects.toBe(unknown);
    expect(failing.calls()).toBe(1);
    expect(isLeaderMove(new Error("SASL authentication failed"))).toBe(false);
    // kafkajs wraps exhausted retries; the cause inside counts.
    expect(isLeaderMove(Object.assign(new Error("retries exceeded"), { originalError: refused() }))).toBe(
      true,
    );
  });
});

describe("toKafkaError for one broker of several", () => {
  it("names the broker that refused, among the bootstrap list", () => {
    expect(toKafkaError(refused(), "10.0.0.1:9092,10.0.0.2:9092,10.0.0.3:9092", [])).toMatchObject({
      kind: "unreachable",
      message:
        "could not reach Kafka broker 10.0.0.3:9092 (one of 10.0.0.1:9092,10.0.0.2:9092,10.0.0.3:9092): connection refused",
    });
    expect(toKafkaError(refused(), "10.0.0.3:9092", []).message).toBe(
      "could not reach Kafka at 10.0.0.3:9092: connection refused",
    );
  });
});
