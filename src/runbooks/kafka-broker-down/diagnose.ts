/**
 * The deciding logic of the kafka-broker-down runbook, pure: signals in, branch out.
 * The branches are the seed's: one broker down (AWS auto-recovery likely, manual reboot if stuck),
 * more than one down / the cluster unusable (critical), a reboot or MSK recovery already running
 * (do not start a second one), and all brokers back (the alert is clearing).
 */

export type BrokerDownCause =
  | "all-brokers-up"
  | "broker-rebooting"
  | "one-broker-down"
  | "cluster-unusable"
  | "unknown";

export interface BrokerSignals {
  /** config.thresholds.minBrokersAlive: the alert fires below it. */
  readonly expectedBrokers: number;
  /** Brokers the Kafka metadata reports alive; undefined when Kafka could not be asked. */
  readonly aliveBrokerIds?: readonly number[];
  /** Brokers that partitions are assigned to but that do not answer. */
  readonly missingBrokerIds?: readonly number[];
  readonly underReplicatedPartitions?: number;
  readonly offlinePartitions?: number;
  /** The produce/consume probe: true = a record went in and came back out. */
  readonly roundTripOk?: boolean;
  readonly roundTripFailedAt?: "produce" | "consume";
  /** The produce/consume probe was refused the bot's own access (credentials, TLS, ACLs). */
  readonly roundTripAccessRefused?: boolean;
  /** MSK cluster state (ACTIVE, REBOOTING_BROKER, HEALING, ...); undefined when MSK was not read. */
  readonly mskState?: string;
  /** MSK reports an operation running on the cluster (a reboot, a replacement, an update). */
  readonly mskOperationInProgress?: boolean;
  /** Whether MSK was read at all (false: not configured or unreachable). */
  readonly mskKnown: boolean;
}

export interface BrokerDiagnosis {
  readonly cause: BrokerDownCause;
  /** How many brokers are down (expected - alive, or the missing ids when more), when known. */
  readonly down: number | undefined;
  /** The broker a manual reboot would target: the lowest missing id. */
  readonly rebootCandidate: number | undefined;
  /** MSK is already rebooting or healing a broker: never offer a second reboot. */
  readonly recoveryRunning: boolean;
  /** Why, in one sentence with the numbers. */
  readonly because: string;
}

/** MSK states in which MSK itself is working on the cluster (a reboot is refused then anyway). */
const BUSY_STATES: ReadonlySet<string> = new Set(["REBOOTING_BROKER", "HEALING", "MAINTENANCE", "UPDATING"]);

export function downCount(s: BrokerSignals): number | undefined {
  if (s.aliveBrokerIds === undefined) return undefined;
  return Math.max(0, s.expectedBrokers - s.aliveBrokerIds.length, s.missingBrokerIds?.length ?? 0);
}

export function recoveryRunning(s: BrokerSignals): boolean {
  return s.mskOperationInProgress === true || (s.mskState !== undefined && BUSY_STATES.has(s.mskState));
}

function ids(list: readonly number[]): string {
  return list.length === 1 ? `broker ${list[0]}` : `brokers ${list.join(", ")}`;
}

export function diagnoseBrokers(s: BrokerSignals): BrokerDiagnosis {
  const down = downCount(s);
  const running = recoveryRunning(s);
  const missing = s.missingBrokerIds ?? [];
  const rebootCandidate = missing[0];
  const d = (cause: BrokerDownCause, because: string): BrokerDiagnosis => ({
    cause,
    down,
    rebootCandidate,
    recoveryRunning: running,
    because,
  });
  const alive = s.aliveBrokerIds?.length;
  const offline = s.offlinePartitions ?? 0;
  const produceFailed = s.roundTripOk === false;
  const mskText = running ? `; MSK reports ${s.mskState ?? "an operation in progress"}` : "";

  if (down === undefined) {
    if (produceFailed && s.roundTripAccessRefused === true) {
      // The brokers answered and refused the bot: its own settings, not an outage.
      return d(
        "unknown",
        "Kafka refused the bot's own connection (its credentials or TLS settings), so the brokers' state is unknown; this is no sign of a broker outage: fix the bot's kafka.sasl / kafka.ssl settings and run again",
      );
    }
    if (produceFailed) {
      return d(
        "cluster-unusable",
        `the produce/consume check failed at ${s.roundTripFailedAt ?? "produce"} and the cluster metadata could not be read`,
      );
    }
    if (running) return d("broker-rebooting", `MSK reports ${s.mskState ?? "an operation in progress"}`);
    return d("unknown", "neither the Kafka metadata nor the produce/consume check answered");
  }
  const aliveText = `${alive} of ${s.expectedBrokers} brokers answer`;
  if (down === 0 && offline === 0 && !produceFailed) {
    const urp = s.underReplicatedPartitions ?? 0;
    return d(
      "all-brokers-up",
      `${aliveText}${urp > 0 ? `; ${urp} partition(s) are still catching up` : ", no partition is under-replicated"}`,
    );
  }
  if (down >= 2 || offline > 0 || produceFailed) {
    const why = [
      down >= 2 ? `${down} brokers are down${missing.length > 0 ? ` (${ids(missing)})` : ""}` : "",
      offline > 0 ? `${offline} partition(s) have no leader` : "",
      produceFailed
        ? `a test record could not be ${s.roundTripFailedAt === "consume" ? "read back" : "written"}`
        : "",
    ].filter(Boolean);
    return d("cluster-unusable", `${aliveText}: ${why.join(", ")}${mskText}`);
  }
  if (running) {
    return d(
      "broker-rebooting",
      `${aliveText}${missing.length > 0 ? ` (${ids(missing)} down)` : ""} and MSK reports ${s.mskState === "ACTIVE" || s.mskState === undefined ? "an operation in progress" : s.mskState}: recovery is already under way`,
    );
  }
  return d(
    "one-broker-down",
    `${aliveText}${missing.length > 0 ? ` (${ids(missing)} down)` : ""}; writes and reads still work${
      (s.underReplicatedPartitions ?? 0) > 0
        ? `, ${s.underReplicatedPartitions} partition(s) under-replicated`
        : ""
    }`,
  );
}
