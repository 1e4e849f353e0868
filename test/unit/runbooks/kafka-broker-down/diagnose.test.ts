import { describe, expect, it } from "vitest";
import {
  type BrokerDownCause,
  type BrokerSignals,
  diagnoseBrokers,
  downCount,
  recoveryRunning,
} from "../../../../src/runbooks/kafka-broker-down/diagnose.ts";

const base: BrokerSignals = { expectedBrokers: 3, mskKnown: true };

interface Case {
  readonly name: string;
  readonly signals: Partial<BrokerSignals>;
  readonly cause: BrokerDownCause;
  readonly down?: number | undefined;
  readonly candidate?: number | undefined;
  readonly because?: string;
}

const healthy = {
  aliveBrokerIds: [1, 2, 3],
  missingBrokerIds: [],
  underReplicatedPartitions: 0,
  offlinePartitions: 0,
  roundTripOk: true,
};
const oneDown = {
  aliveBrokerIds: [1, 3],
  missingBrokerIds: [2],
  underReplicatedPartitions: 10,
  offlinePartitions: 0,
  roundTripOk: true,
};

const cases: Case[] = [
  {
    name: "all brokers answer",
    signals: healthy,
    cause: "all-brokers-up",
    down: 0,
    because: "3 of 3 brokers answer, no partition is under-replicated",
  },
  {
    name: "all back, replicas still catching up",
    signals: { ...healthy, underReplicatedPartitions: 4 },
    cause: "all-brokers-up",
    because: "3 of 3 brokers answer; 4 partition(s) are still catching up",
  },
  {
    name: "one broker down, writes work",
    signals: oneDown,
    cause: "one-broker-down",
    down: 1,
    candidate: 2,
    because:
      "2 of 3 brokers answer (broker 2 down); writes and reads still work, 10 partition(s) under-replicated",
  },
  {
    name: "one down without MSK: still one-broker-down",
    signals: { ...oneDown, mskKnown: false },
    cause: "one-broker-down",
  },
  {
    name: "a broker missing without partitions: counted from expected - alive",
    signals: { ...oneDown, missingBrokerIds: [] },
    cause: "one-broker-down",
    down: 1,
    candidate: undefined,
  },
  {
    name: "one down while MSK reboots it",
    signals: { ...oneDown, mskState: "REBOOTING_BROKER", mskOperationInProgress: true },
    cause: "broker-rebooting",
    because:
      "2 of 3 brokers answer (broker 2 down) and MSK reports REBOOTING_BROKER: recovery is already under way",
  },
  {
    name: "one down while MSK heals (no operation reported)",
    signals: { ...oneDown, mskState: "HEALING" },
    cause: "broker-rebooting",
  },
  {
    name: "one down, ACTIVE cluster with an operation still running",
    signals: { ...oneDown, mskOperationInProgress: true },
    cause: "broker-rebooting",
  },
  {
    name: "two brokers down",
    signals: {
      aliveBrokerIds: [1],
      missingBrokerIds: [2, 3],
      offlinePartitions: 0,
      roundTripOk: false,
      roundTripFailedAt: "produce",
    },
    cause: "cluster-unusable",
    down: 2,
    candidate: 2,
    because: "1 of 3 brokers answer: 2 brokers are down (brokers 2, 3), a test record could not be written",
  },
  {
    name: "one broker down but partitions offline",
    signals: { ...oneDown, offlinePartitions: 3 },
    cause: "cluster-unusable",
  },
  {
    name: "one broker down and the produce fails",
    signals: { ...oneDown, roundTripOk: false, roundTripFailedAt: "consume" },
    cause: "cluster-unusable",
    because: "2 of 3 brokers answer: a test record could not be read back",
  },
  {
    name: "two down while a reboot runs: still an outage",
    signals: { aliveBrokerIds: [1], missingBrokerIds: [2, 3], mskState: "REBOOTING_BROKER" },
    cause: "cluster-unusable",
    because: "1 of 3 brokers answer: 2 brokers are down (brokers 2, 3); MSK reports REBOOTING_BROKER",
  },
  {
    name: "Kafka metadata unreadable, produce fails",
    signals: { roundTripOk: false, roundTripFailedAt: "produce" },
    cause: "cluster-unusable",
    down: undefined,
  },
  {
    name: "Kafka metadata unreadable, produce refused the bot's access (credentials, TLS): not an outage",
    signals: { roundTripOk: false, roundTripFailedAt: "produce", roundTripAccessRefused: true },
    cause: "unknown",
    down: undefined,
    because:
      "Kafka refused the bot's own connection (its credentials or TLS settings), so the brokers' state is unknown; this is no sign of a broker outage: fix the bot's kafka.sasl / kafka.ssl settings and run again",
  },
  {
    name: "Kafka unreadable, MSK rebooting",
    signals: { mskState: "REBOOTING_BROKER" },
    cause: "broker-rebooting",
  },
  { name: "nothing answered", signals: {}, cause: "unknown", down: undefined },
  {
    name: "more brokers than expected answer",
    signals: { ...healthy, aliveBrokerIds: [1, 2, 3, 4] },
    cause: "all-brokers-up",
    down: 0,
  },
];

describe("diagnoseBrokers", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const d = diagnoseBrokers({ ...base, ...c.signals });
    expect(d.cause).toBe(c.cause);
    if ("down" in c) expect(d.down).toBe(c.down);
    if ("candidate" in c) expect(d.rebootCandidate).toBe(c.candidate);
    if (c.because !== undefined) expect(d.because).toBe(c.because);
  });
});

describe("helpers", () => {
  it("downCount takes the larger of expected - alive and the missing ids", () => {
    expect(downCount({ ...base, aliveBrokerIds: [1, 2], missingBrokerIds: [] })).toBe(1);
    expect(downCount({ ...base, aliveBrokerIds: [1, 2, 3, 4], missingBrokerIds: [5, 6] })).toBe(2);
    expect(downCount(base)).toBeUndefined();
  });

  it("recoveryRunning: busy MSK states or an operation in progress", () => {
    expect(recoveryRunning(base)).toBe(false);
    expect(recoveryRunning({ ...base, mskState: "UPDATING" })).toBe(true);
    expect(recoveryRunning({ ...base, mskOperationInProgress: true })).toBe(true);
    expect(recoveryRunning({ ...base, mskState: "FAILED" })).toBe(false);
  });
});
