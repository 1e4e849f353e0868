/**
 * Connection options -> kafkajs config: TLS, SASL PLAIN/SCRAM, and MSK IAM over OAUTHBEARER with
 * tokens signed locally by aws-msk-iam-sasl-signer-js (no network: static credentials from the
 * environment, SigV4 presigning is pure computation).
 */
import type { KafkaConfig } from "kafkajs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildKafkaConfig } from "../../src/adapters/kafka/kafka-config.ts";
import { toKafkaError } from "../../src/adapters/kafka/kafka-errors.ts";
import { KafkaError } from "../../src/ports/kafka.ts";

const ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";
const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

function oauthProvider(sasl: KafkaConfig["sasl"]): () => Promise<{ value: string }> {
  if (
    sasl === undefined ||
    !("oauthBearerProvider" in sasl) ||
    typeof sasl.oauthBearerProvider !== "function"
  ) {
    throw new Error(`expected oauthbearer, got ${sasl?.mechanism}`);
  }
  return sasl.oauthBearerProvider;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("buildKafkaConfig: TLS", () => {
  it("is off by default and on with ssl: true", () => {
    expect(buildKafkaConfig({ brokers: ["b:9092"], clientId: "c" }).config.ssl).toBeUndefined();
    expect(buildKafkaConfig({ brokers: ["b:9094"], clientId: "c", ssl: true }).config.ssl).toBe(true);
  });

  it("passes a CA, servername and rejectUnauthorized (true unless said otherwise)", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    expect(buildKafkaConfig({ brokers: ["b:9094"], clientId: "c", ssl: { ca: pem } }).config.ssl).toEqual({
      ca: pem,
      rejectUnauthorized: true,
    });
    expect(
      buildKafkaConfig({
        brokers: ["b:9094"],
        clientId: "c",
        ssl: { ca: [pem, pem], rejectUnauthorized: false, servername: "kafka.internal" },
      }).config.ssl,
    ).toEqual({ ca: [pem, pem], rejectUnauthorized: false, servername: "kafka.internal" });
  });

  it("bounds connecting and requests, with one retry", () => {
    const { config } = buildKafkaConfig({
      brokers: ["a:9092", "b:9092"],
      clientId: "c",
      connectionTimeoutMs: 1500,
      requestTimeoutMs: 4000,
    });
    expect(config).toMatchObject({
      brokers: ["a:9092", "b:9092"],
      clientId: "c",
      connectionTimeout: 1500,
      requestTimeout: 4000,
      retry: { retries: 1 },
    });
  });
});

describe("buildKafkaConfig: SASL", () => {
  it.each(["plain", "scram-sha-256", "scram-sha-512"] as const)(
    "passes %s with the password kept secret",
    (mechanism) => {
      const built = buildKafkaConfig({
        brokers: ["b:9096"],
        clientId: "c",
        ssl: true,
        sasl: { mechanism, username: "bot", password: "s3cret-pw" },
      });
      expect(built.config.sasl).toEqual({ mechanism, username: "bot", password: "s3cret-pw" });
      expect(built.secrets()).toEqual(["s3cret-pw"]);
    },
  );

  it("wires MSK IAM as OAUTHBEARER with TLS on by default (MSK's IAM listener is TLS)", () => {
    const { config } = buildKafkaConfig({
      brokers: ["b-1.msk:9098"],
      clientId: "c",
      sasl: { mechanism: "aws-msk-iam", region: "eu-west-1" },
    });
    expect(config.ssl).toBe(true);
    expect(config.sasl?.mechanism).toBe("oauthbearer");
    expect(
      buildKafkaConfig({
        brokers: ["b-1.msk:9098"],
        clientId: "c",
        ssl: false,
        sasl: { mechanism: "aws-msk-iam", region: "eu-west-1" },
      }).config.ssl,
    ).toBeUndefined();
  });
});

describe("MSK IAM token provider (the installed aws-msk-iam-sasl-signer-js, offline)", () => {
  it("signs a kafka-cluster:Connect URL for the region with the environment's credentials", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", ACCESS_KEY);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    vi.stubEnv("AWS_SESSION_TOKEN", "");
    vi.stubEnv("AWS_PROFILE", "");
    const built = buildKafkaConfig({
      brokers: ["b-1.msk:9098"],
      clientId: "c",
      sasl: { mechanism: "aws-msk-iam", region: "eu-west-1" },
    });
    const provider = oauthProvider(built.config.sasl);

    const { value } = await provider();
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
    const url = new URL(Buffer.from(value, "base64url").toString("utf8"));
    expect(url.protocol).toBe("https:");
    expect(url.host).toBe("kafka.eu-west-1.amazonaws.com");
    expect(url.searchParams.get("Action")).toBe("kafka-cluster:Connect");
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(
      new RegExp(`^${ACCESS_KEY}/\\d{8}/eu-west-1/kafka-cluster/aws4_request$`),
    );
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    // The secret key signs; it never travels.
    expect(url.toString()).not.toContain(SECRET_KEY);
    expect(url.toString()).not.toContain(encodeURIComponent(SECRET_KEY));

    // The token is itself a credential: errors must not show it.
    expect(built.secrets()).toEqual([value]);
    expect(
      toKafkaError(new Error(`handshake failed for ${value}`), "b-1.msk:9098", built.secrets()).message,
    ).toBe("Kafka at b-1.msk:9098 failed: handshake failed for ***");
  });

  it("reuses a token until a minute before it expires, then signs a new one", async () => {
    let now = 1_000_000;
    const spy = vi.spyOn(Date, "now").mockImplementation(() => now);
    try {
      const tokenProvider = vi.fn(async (region: string) => ({
        token: `token-${region}-${tokenProvider.mock.calls.length}`,
        expiryTime: now + 900_000,
      }));
      const provider = oauthProvider(
        buildKafkaConfig({
          brokers: ["b:9098"],
          clientId: "c",
          sasl: { mechanism: "aws-msk-iam", region: "us-east-1", tokenProvider },
        }).config.sasl,
      );
      expect(await provider()).toEqual({ value: "token-us-east-1-1" });
      now += 800_000;
      expect(await provider()).toEqual({ value: "token-us-east-1-1" });
      now += 50_000; // 50 s before expiry
      expect(await provider()).toEqual({ value: "token-us-east-1-2" });
      expect(tokenProvider).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it("fails with a message naming the region only when no credentials can be found", async () => {
    const provider = oauthProvider(
      buildKafkaConfig({
        brokers: ["b:9098"],
        clientId: "c",
        sasl: {
          mechanism: "aws-msk-iam",
          region: "ap-south-1",
          tokenProvider: async () => {
            throw new Error(`Could not load credentials from profile with key ${SECRET_KEY}\n    at x`);
          },
        },
      }).config.sasl,
    );
    const error = await provider().then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toMatch(/^could not sign an MSK IAM token for ap-south-1: /);
    expect(toKafkaError(error, "b:9098", []).kind).toBe("auth");
    expect(toKafkaError(error, "b:9098", [SECRET_KEY]).message).toBe(
      "could not authenticate to Kafka at b:9098: could not sign an MSK IAM token for ap-south-1: Could not load credentials from profile with key ***",
    );
  });
});

describe("toKafkaError", () => {
  it("gives each failure a kind and one line naming the target", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const wrapped = Object.assign(new Error("retries exceeded"), { originalError: refused });
    expect(toKafkaError(wrapped, "b:1", [])).toMatchObject({
      kind: "unreachable",
      message: "could not reach Kafka at b:1: connection refused",
    });
    const sasl = Object.assign(new Error("SASL SCRAM SHA512 authentication failed"), {
      name: "KafkaJSSASLAuthenticationError",
    });
    expect(toKafkaError(sasl, "b:1", [])).toMatchObject({ kind: "auth" });
    const timeout = Object.assign(new Error("Request Metadata(key: 3, version: 6) timed out"), {
      name: "KafkaJSRequestTimeoutError",
    });
    expect(toKafkaError(timeout, "b:1", [])).toMatchObject({ kind: "timeout" });
    const unknown = Object.assign(new Error("This server does not host this topic-partition"), {
      type: "UNKNOWN_TOPIC_OR_PARTITION",
    });
    expect(toKafkaError(unknown, "b:1", [])).toMatchObject({ kind: "not-found" });
    const ours = new KafkaError("not-found", "topic x does not exist");
    expect(toKafkaError(ours, "b:1", [])).toMatchObject({
      kind: "not-found",
      message: "Kafka at b:1: topic x does not exist",
    });
  });
});
