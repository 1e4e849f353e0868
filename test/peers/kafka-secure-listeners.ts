/**
 * The Kafka peer's listeners as MSK runs them, next to PLAINTEXT: SSL (MSK's TLS port 9094),
 * SASL_SSL with SCRAM-SHA-512 (MSK's 9096) and SCRAM-SHA-256, and SASL_PLAINTEXT with PLAIN.
 * Certificates come from kafka-certificates.ts; SCRAM users are written into the metadata when
 * the storage is formatted (`kafka-storage format --add-scram`), PLAIN users live in the JAAS line.
 * The controller and inter-broker listeners stay PLAINTEXT.
 */
import { randomBytes } from "node:crypto";
import { makeKafkaTestCertificates } from "./kafka-certificates.ts";

/** What a test needs to reach the secure listeners (handed to tests through vitest's provide). */
export interface KafkaSecureListeners {
  /** "127.0.0.1:PORT" of the SSL listener (TLS, no authentication). */
  readonly ssl: string;
  /** "127.0.0.1:PORT" of the SASL_SSL listener (TLS + SCRAM-SHA-512 / SCRAM-SHA-256). */
  readonly saslSsl: string;
  /** "127.0.0.1:PORT" of the SASL_PLAINTEXT listener (PLAIN, no TLS). */
  readonly saslPlaintext: string;
  /** PEM of the test CA that signed the broker's certificate (SANs IP:127.0.0.1, DNS:localhost). */
  readonly caPem: string;
  /** The SCRAM users (each has a SHA-512 and a SHA-256 credential) and the PLAIN user. */
  readonly username: string;
  readonly password: string;
}

export interface SecureListenerSetup {
  readonly listeners: KafkaSecureListeners;
  /** "NAME://127.0.0.1:PORT" entries for `listeners` and `advertised.listeners`. */
  readonly listenerEntries: readonly string[];
  /** "NAME:PROTOCOL" entries for `listener.security.protocol.map`. */
  readonly protocolMapEntries: readonly string[];
  /** Extra server.properties lines. */
  readonly properties: readonly string[];
  /** Extra arguments of `StorageTool format` (the SCRAM credentials). */
  readonly formatArgs: readonly string[];
}

export async function prepareSecureListeners(
  dir: string,
  ports: { readonly ssl: number; readonly saslSsl: number; readonly saslPlaintext: number },
): Promise<SecureListenerSetup> {
  const certs = await makeKafkaTestCertificates(dir);
  const username = "runbook-bot";
  // Hex only: StorageTool's --add-scram parser splits on ',', '=' and brackets.
  const password = randomBytes(16).toString("hex");
  const address = (port: number) => `127.0.0.1:${port}`;
  const scramModule = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
  return {
    listeners: {
      ssl: address(ports.ssl),
      saslSsl: address(ports.saslSsl),
      saslPlaintext: address(ports.saslPlaintext),
      caPem: certs.caPem,
      username,
      password,
    },
    listenerEntries: [
      `SSL://${address(ports.ssl)}`,
      `SASL_SSL://${address(ports.saslSsl)}`,
      `SASL_PLAINTEXT://${address(ports.saslPlaintext)}`,
    ],
    protocolMapEntries: ["SSL:SSL", "SASL_SSL:SASL_SSL", "SASL_PLAINTEXT:SASL_PLAINTEXT"],
    properties: [
      "ssl.keystore.type=PKCS12",
      `ssl.keystore.location=${certs.keystorePath}`,
      `ssl.keystore.password=${certs.keystorePassword}`,
      `ssl.key.password=${certs.keystorePassword}`,
      "ssl.client.auth=none",
      "sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN",
      "listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256",
      `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scramModule}`,
      `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scramModule}`,
      "listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN",
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="${password}";`,
    ],
    formatArgs: [
      "--add-scram",
      `SCRAM-SHA-512=[name=${username},password=${password}]`,
      "--add-scram",
      `SCRAM-SHA-256=[name=${username},password=${password}]`,
    ],
  };
}
