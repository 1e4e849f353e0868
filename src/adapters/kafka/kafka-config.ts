/**
 * Our Kafka connection options -> kafkajs's KafkaConfig: TLS, SASL PLAIN / SCRAM, and OAUTHBEARER
 * with MSK IAM tokens signed locally by aws-msk-iam-sasl-signer-js (AWS default credential chain).
 */
import { type KafkaConfig, logLevel, type SASLOptions } from "kafkajs";

export type KafkaTls =
  | boolean
  | {
      /** PEM CA certificate(s) to trust instead of the system ones. */
      readonly ca?: string | readonly string[];
      /** Default true. Set false only for a test cluster with a self-signed certificate. */
      readonly rejectUnauthorized?: boolean;
      /** SNI / certificate host name when it differs from the broker address. */
      readonly servername?: string;
    };

/** An MSK IAM token: base64url of a SigV4-presigned kafka-cluster:Connect URL. */
export interface MskIamToken {
  readonly token: string;
  /** Milliseconds since the epoch. */
  readonly expiryTime: number;
}

export type KafkaSasl =
  | {
      readonly mechanism: "plain" | "scram-sha-256" | "scram-sha-512";
      readonly username: string;
      readonly password: string;
    }
  | {
      /** SASL OAUTHBEARER with an MSK IAM token (MSK's port 9098, TLS on by default). */
      readonly mechanism: "aws-msk-iam";
      readonly region: string;
      /** Token source; default: aws-msk-iam-sasl-signer-js generateAuthToken({ region }). */
      readonly tokenProvider?: (region: string) => Promise<MskIamToken>;
    };

export interface KafkaConnectionOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** TLS; default off, except on for aws-msk-iam. */
  readonly ssl?: KafkaTls;
  readonly sasl?: KafkaSasl;
  /** Per connection attempt. Default 5000. */
  readonly connectionTimeoutMs?: number;
  /** Per request. Default 10000. */
  readonly requestTimeoutMs?: number;
}

/** Tokens are refreshed this long before they expire (they live 15 minutes). */
const TOKEN_REFRESH_MARGIN_MS = 60_000;

export interface BuiltKafkaConfig {
  readonly config: KafkaConfig;
  /** Strings that must never appear in a message (passwords, the current IAM token). */
  readonly secrets: () => readonly string[];
}

export function buildKafkaConfig(options: KafkaConnectionOptions): BuiltKafkaConfig {
  const config: KafkaConfig = {
    brokers: [...options.brokers],
    clientId: options.clientId,
    connectionTimeout: options.connectionTimeoutMs ?? 5000,
    requestTimeout: options.requestTimeoutMs ?? 10000,
    // One retry: an unreachable cluster fails within about two connection timeouts, not minutes.
    // kafkajs rotates the seed broker on a connection error, so the retry tries another broker.
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
    logLevel: logLevel.NOTHING,
  };
  const ssl = options.ssl ?? options.sasl?.mechanism === "aws-msk-iam";
  if (ssl === true) config.ssl = true;
  else if (ssl !== false) {
    config.ssl = {
      ...(ssl.ca === undefined ? {} : { ca: typeof ssl.ca === "string" ? ssl.ca : [...ssl.ca] }),
      rejectUnauthorized: ssl.rejectUnauthorized ?? true,
      ...(ssl.servername === undefined ? {} : { servername: ssl.servername }),
    };
  }

  const secrets: string[] = [];
  const sasl = options.sasl;
  if (sasl) {
    if (sasl.mechanism === "aws-msk-iam") {
      const provider = createMskIamProvider(sasl.region, sasl.tokenProvider ?? defaultTokenProvider, secrets);
      config.sasl = { mechanism: "oauthbearer", oauthBearerProvider: provider };
    } else {
      secrets.push(sasl.password);
      config.sasl = saslOptions(sasl);
    }
  }
  return { config, secrets: () => secrets };
}

function saslOptions(sasl: Extract<KafkaSasl, { password: string }>): SASLOptions {
  const { mechanism, username, password } = sasl;
  // One branch per mechanism so TypeScript narrows each to kafkajs's option type.
  return mechanism === "plain"
    ? { mechanism, username, password }
    : mechanism === "scram-sha-256"
      ? { mechanism, username, password }
      : { mechanism, username, password };
}

async function defaultTokenProvider(region: string): Promise<MskIamToken> {
  // Loaded on the first handshake only: the signer pulls in the AWS SDK's credential chain.
  const { generateAuthToken } = await import("aws-msk-iam-sasl-signer-js");
  const { token, expiryTime } = await generateAuthToken({ region });
  return { token, expiryTime };
}

/**
 * kafkajs asks for a token on every SASL handshake; one token serves until shortly before it
 * expires. A failure names the region only (the signer's own message may name a profile or role).
 */
function createMskIamProvider(
  region: string,
  tokenProvider: (region: string) => Promise<MskIamToken>,
  secrets: string[],
): () => Promise<{ value: string }> {
  let current: MskIamToken | undefined;
  return async () => {
    if (current === undefined || current.expiryTime - TOKEN_REFRESH_MARGIN_MS <= Date.now()) {
      try {
        current = await tokenProvider(region);
      } catch (err) {
        const reason = err instanceof Error ? firstLine(err.message) : "unknown error";
        throw new Error(`could not sign an MSK IAM token for ${region}: ${reason}`);
      }
      secrets.splice(0, secrets.length, current.token);
    }
    return { value: current.token };
  };
}

function firstLine(text: string): string {
  return text.split("\n")[0]?.trim() || "unknown error";
}
