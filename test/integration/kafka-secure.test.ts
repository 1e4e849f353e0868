/**
 * The adapter's TLS and SASL paths on the real broker's secure listeners (kafka-secure-listeners.ts:
 * SSL, SASL_SSL with SCRAM-SHA-512/256, SASL_PLAINTEXT with PLAIN; a CA made at test time), built
 * the way the bot builds it: a config file's kafka section -> buildConfig -> createPorts.
 * Also what goes wrong for real: a wrong password, an untrusted CA, a name the certificate does not
 * carry, TLS against a plaintext port and the reverse, each a clear message with no secret in it,
 * and the broker-down runbook and `runbook-bot diagnose lag` over SCRAM.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createPorts } from "../../src/adapters/create-ports.ts";
import { buildConfig, ConfigError } from "../../src/config/load-config.ts";
import type { AppConfig } from "../../src/config/schema.ts";
import { runRunbook } from "../../src/engine/run-runbook.ts";
import { KafkaError, type KafkaPort } from "../../src/ports/kafka.ts";
import { automatedRunbook } from "../../src/runbooks/registry.ts";
import { runCli } from "../cli/run-cli.ts";
import { createServedTopics } from "../peers/kafka-topics.ts";

const plaintext = inject("kafkaBrokers");
const secure = inject("kafkaSecure");
const id = randomUUID().slice(0, 8);
const topic = `orders-secure-${id}`;
const group = `order-processor-secure-${id}`;
/** The round-trip checks write here, so the lag on `topic` stays as seeded. */
const healthcheck = `runbook-bot.healthcheck-secure-${id}`;
const PASSWORD_ENV = "KAFKA_SASL_PASSWORD";
const WRONG_PASSWORD = `wrong-${randomUUID()}`;

let dir: string;
let caFile: string;
const opened: KafkaPort[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rb-kafka-secure-"));
  caFile = join(dir, "kafka-ca.pem");
  writeFileSync(caFile, secure.caPem);
  // Seeded over the plaintext listener of the same broker: lag 30 + 5 = 35.
  await createServedTopics(plaintext, [
    { topic, numPartitions: 2 },
    { topic: healthcheck, numPartitions: 1 },
  ]);
  const kafka = new Kafka({
    brokers: [plaintext],
    clientId: "kafka-secure-seed",
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const admin = kafka.admin();
  await producer.connect();
  await admin.connect();
  try {
    await producer.send({
      topic,
      messages: [
        ...Array.from({ length: 40 }, (_, i) => ({ partition: 0, value: `a-${i}` })),
        ...Array.from({ length: 25 }, (_, i) => ({ partition: 1, value: `b-${i}` })),
      ],
    });
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: "10" },
        { partition: 1, offset: "20" },
      ],
    });
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
});

afterAll(async () => {
  await Promise.allSettled(opened.map((port) => port.close()));
});

/** A config as the bot loads it: the kafka section of a file, the password from the environment. */
function configWith(kafka: Record<string, unknown>, password?: string): AppConfig {
  return buildConfig(
    {
      kafka: { connectionTimeoutMs: 3000, requestTimeoutMs: 10_000, ...kafka },
      pipeline: { sourceTopic: topic, consumerGroup: group },
    },
    password === undefined ? {} : { [PASSWORD_ENV]: password },
    "kafka-secure.test",
  );
}

async function portFor(kafka: Record<string, unknown>, password?: string): Promise<KafkaPort> {
  const port = (await createPorts(configWith(kafka, password))).kafka;
  if (port === undefined) throw new Error("createPorts built no Kafka port");
  opened.push(port);
  return port;
}

const scram = (mechanism: "scram-sha-512" | "scram-sha-256") => ({
  mechanism,
  username: secure.username,
  passwordEnv: PASSWORD_ENV,
});

/** The KafkaError a call rejects with, and how long it took. */
async function failure(call: Promise<unknown>): Promise<{ error: KafkaError; ms: number }> {
  const startedAt = Date.now();
  try {
    await call;
  } catch (error) {
    if (!(error instanceof KafkaError)) throw error;
    return { error, ms: Date.now() - startedAt };
  }
  throw new Error("the call succeeded");
}

const expectedLag = [
  { topic, partition: 0, lag: 30 },
  { topic, partition: 1, lag: 5 },
];

describe("Kafka over TLS and SASL on the real broker", { timeout: 60_000 }, () => {
  it("TLS with the test CA from kafka.ssl.caFile: reads the group's lag and the cluster", async () => {
    const kafka = await portFor({ brokers: [secure.ssl], ssl: { caFile } });
    const lag = await kafka.groupLag(group, [topic]);
    expect(lag.totalLag).toBe(35);
    expect(
      lag.partitions.map(({ topic: t, partition, lag: l }) => ({ topic: t, partition, lag: l })),
    ).toEqual(expectedLag);
    const cluster = await kafka.describeCluster({ expectedBrokers: 1 });
    // The broker advertises this listener's own address to a client that came in over it.
    expect(cluster.brokers).toEqual([{ id: 1, host: "127.0.0.1", port: Number(secure.ssl.split(":")[1]) }]);
    expect(cluster.missingBrokerIds).toEqual([]);
  });

  it.each(["scram-sha-512", "scram-sha-256"] as const)(
    "SASL_SSL with %s: reads the group's lag, and writes and reads back a record",
    async (mechanism) => {
      const kafka = await portFor(
        { brokers: [secure.saslSsl], ssl: { caFile }, sasl: scram(mechanism) },
        secure.password,
      );
      expect((await kafka.groupLag(group, [topic])).totalLag).toBe(35);
      const trip = await kafka.roundTrip(healthcheck, 10_000);
      expect(trip.ok).toBe(true);
    },
  );

  it("SASL_PLAINTEXT with PLAIN", async () => {
    const kafka = await portFor(
      {
        brokers: [secure.saslPlaintext],
        sasl: { mechanism: "plain", username: secure.username, passwordEnv: PASSWORD_ENV },
      },
      secure.password,
    );
    expect((await kafka.describeCluster()).brokers.map((b) => b.id)).toEqual([1]);
  });

  it("rejectUnauthorized: false connects without the CA", async () => {
    const kafka = await portFor({ brokers: [secure.ssl], ssl: { rejectUnauthorized: false } });
    expect((await kafka.groupLag(group, [topic])).totalLag).toBe(35);
  });

  it("servername: a name the certificate carries (DNS:localhost) works, another one is refused clearly", async () => {
    const good = await portFor({ brokers: [secure.ssl], ssl: { caFile, servername: "localhost" } });
    expect((await good.describeCluster()).brokers.map((b) => b.id)).toEqual([1]);

    const bad = await portFor({ brokers: [secure.ssl], ssl: { caFile, servername: "kafka.example.com" } });
    const { error, ms } = await failure(bad.describeCluster());
    expect(error.kind).toBe("auth");
    expect(error.message).toBe(
      `TLS to Kafka at ${secure.ssl} failed: the broker's certificate does not carry the name the bot checked (Hostname/IP does not match certificate's altnames: Host: kafka.example.com. is not in the cert's altnames: IP Address:127.0.0.1, DNS:localhost): connect by a name the certificate carries, or set kafka.ssl.servername`,
    );
    expect(ms).toBeLessThan(5000);
  });

  it("an untrusted CA (ssl: true, the system CAs): a TLS error that names the fix, not 'could not reach'", async () => {
    const kafka = await portFor({ brokers: [secure.ssl], ssl: true });
    const { error, ms } = await failure(kafka.groupLag(group, [topic]));
    expect(error.kind).toBe("auth");
    expect(error.message).toBe(
      `TLS to Kafka at ${secure.ssl} failed: the broker's certificate is not trusted (self-signed certificate in certificate chain): set kafka.ssl.caFile to the CA that signed it`,
    );
    expect(ms).toBeLessThan(5000);
  });

  it.each(["scram-sha-512", "scram-sha-256"] as const)(
    "a wrong %s password: an authentication error, quickly, without the password",
    async (mechanism) => {
      const kafka = await portFor(
        { brokers: [secure.saslSsl], ssl: { caFile }, sasl: scram(mechanism) },
        WRONG_PASSWORD,
      );
      const { error, ms } = await failure(kafka.groupLag(group, [topic]));
      expect(error.kind).toBe("auth");
      expect(error.message).toBe(
        `could not authenticate to Kafka at ${secure.saslSsl}: SASL authentication failed (check kafka.sasl: the user name, the password, and that the user has a credential for this mechanism)`,
      );
      expect(error.message).not.toContain(WRONG_PASSWORD);
      expect(ms).toBeLessThan(5000);
    },
  );

  it("PLAIN offered to the SCRAM listener: says the listener does not offer the mechanism", async () => {
    const kafka = await portFor(
      {
        brokers: [secure.saslSsl],
        ssl: { caFile },
        sasl: { mechanism: "plain", username: secure.username, passwordEnv: PASSWORD_ENV },
      },
      secure.password,
    );
    const { error } = await failure(kafka.describeCluster());
    expect(error.kind).toBe("auth");
    expect(error.message).toContain("this listener does not offer the configured SASL mechanism");
    expect(error.message).not.toContain(secure.password);
  });

  it("TLS against the plaintext port, and plaintext against the TLS port: the broker closes, said so", async () => {
    const tlsToPlain = await portFor({ brokers: [plaintext], ssl: { caFile } });
    const a = await failure(tlsToPlain.describeCluster());
    expect(a.error.kind).toBe("unreachable");
    expect(a.error.message).toBe(
      `could not reach Kafka at ${plaintext}: connection closed by the broker (TLS or SASL mismatch?)`,
    );
    expect(a.ms).toBeLessThan(5000);

    const plainToTls = await portFor({ brokers: [secure.ssl] });
    const b = await failure(plainToTls.describeCluster());
    expect(b.error.kind).toBe("unreachable");
    expect(b.error.message).toBe(
      `could not reach Kafka at ${secure.ssl}: the broker closed the connection (a broker shutting down, or kafka.ssl / kafka.sasl not matching this listener)`,
    );
    expect(b.ms).toBeLessThan(5000);
  });

  it("sasl aws-msk-iam with kafka.ssl left out: the client speaks TLS (MSK's IAM port requires it)", async () => {
    // No IAM on this broker: what matters is the first thing the client does. Over TLS with the
    // system CAs it fails on the test CA; a plaintext client would be cut off instead.
    const kafka = await portFor({
      brokers: [secure.saslSsl],
      sasl: { mechanism: "aws-msk-iam", region: "us-east-1" },
    });
    const { error } = await failure(kafka.describeCluster());
    expect(error.message).toBe(
      `TLS to Kafka at ${secure.saslSsl} failed: the broker's certificate is not trusted (self-signed certificate in certificate chain): set kafka.ssl.caFile to the CA that signed it`,
    );
  });

  it("kafka.ssl.caFile that does not exist or holds no certificate: refused when the config loads", () => {
    const notPem = join(dir, "not-a-cert.pem");
    writeFileSync(notPem, "hello\n");
    for (const [file, problem] of [
      [join(dir, "missing.pem"), `kafka.ssl.caFile: cannot read ${join(dir, "missing.pem")}: file not found`],
      [notPem, `kafka.ssl.caFile: ${notPem} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`],
    ] as const) {
      let caught: unknown;
      try {
        configWith({ brokers: [secure.ssl], ssl: { caFile: file } });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).problems).toEqual([problem]);
    }
  });
});

describe("the runbooks over SCRAM on the real broker", { timeout: 90_000 }, () => {
  it("kafka-broker-down with a wrong password: the bot's access, not 'cluster unusable'", async () => {
    const runbook = automatedRunbook("kafka-broker-down");
    if (runbook === undefined) throw new Error("no kafka-broker-down runbook");
    const config = configWith(
      { brokers: [secure.saslSsl], ssl: { caFile }, sasl: scram("scram-sha-512"), testTopic: healthcheck },
      WRONG_PASSWORD,
    );
    const ports = await createPorts(config);
    try {
      const report = await runRunbook(runbook, { ports, config });
      const c = report.conclusion;
      expect(c.cause).toBe("unknown");
      expect(c.severity).not.toBe("critical");
      expect(c.summary).toContain(
        "Kafka refused the bot's own connection (its credentials or TLS settings), so the brokers' state is unknown; this is no sign of a broker outage",
      );
      expect(c.evidence).toContain(
        `the test record failed at produce: could not authenticate to Kafka at ${secure.saslSsl}: SASL authentication failed (check kafka.sasl: the user name, the password, and that the user has a credential for this mechanism)`,
      );
      expect(JSON.stringify(report)).not.toContain(WRONG_PASSWORD);
    } finally {
      await ports.kafka?.close();
    }
  });

  it("kafka-broker-down with the right password: all brokers up", async () => {
    const runbook = automatedRunbook("kafka-broker-down");
    if (runbook === undefined) throw new Error("no kafka-broker-down runbook");
    const config = configWith(
      { brokers: [secure.saslSsl], ssl: { caFile }, sasl: scram("scram-sha-512"), testTopic: healthcheck },
      secure.password,
    );
    // One broker here: the threshold the alert would use for a single-node cluster.
    const single: AppConfig = { ...config, thresholds: { ...config.thresholds, minBrokersAlive: 1 } };
    const ports = await createPorts(single);
    try {
      const report = await runRunbook(runbook, { ports, config: single });
      expect(report.conclusion.cause).toBe("all-brokers-up");
      expect(JSON.stringify(report)).not.toContain(secure.password);
    } finally {
      await ports.kafka?.close();
    }
  });

  it("`runbook-bot diagnose lag` from a config file over SASL_SSL / SCRAM-SHA-512", async () => {
    const path = writeLagConfig();
    const run = await runCli(["diagnose", "lag", "--json", "--config", path], {
      env: { [PASSWORD_ENV]: secure.password },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(secure.password);
    const report = JSON.parse(run.stdout) as { steps: { id: string; summary: string }[] };
    expect(report.steps[0]?.summary).toBe(
      `Lag 35 (threshold 20), worst ${topic}/0 at 30; 35 -> 35 in 1 s (0.0 records/s).`,
    );
  });

  it("`runbook-bot diagnose lag` with a wrong password: the finding says why, without the password", async () => {
    const run = await runCli(["diagnose", "lag", "--json", "--config", writeLagConfig()], {
      env: { [PASSWORD_ENV]: WRONG_PASSWORD },
    });
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(WRONG_PASSWORD);
    const report = JSON.parse(run.stdout) as {
      steps: { status: string; findings: { title: string; detail?: string }[] }[];
    };
    const assess = report.steps[0]!;
    expect(assess.status).toBe("error");
    const problem = assess.findings.find((f) => f.title === "Could not read the consumer group's lag");
    expect(problem?.detail).toContain(
      `could not authenticate to Kafka at ${secure.saslSsl}: SASL authentication failed (check kafka.sasl`,
    );
  });
});

/** A config file for `diagnose lag` over SASL_SSL with SCRAM-SHA-512 and the test CA. */
function writeLagConfig(): string {
  const path = join(dir, `config-${randomUUID().slice(0, 8)}.yaml`);
  writeFileSync(
    path,
    [
      "kafka:",
      `  brokers: ["${secure.saslSsl}"]`,
      "  ssl:",
      `    caFile: ${caFile}`,
      "  sasl:",
      "    mechanism: scram-sha-512",
      `    username: ${secure.username}`,
      `    passwordEnv: ${PASSWORD_ENV}`,
      "pipeline:",
      `  sourceTopic: ${topic}`,
      `  consumerGroup: ${group}`,
      "thresholds:",
      "  consumerLagRecords: 20",
      "runbooks:",
      "  lagSampleIntervalSeconds: 1",
      "",
    ].join("\n"),
  );
  return path;
}
