/**
 * Certificates for the Kafka peer's TLS listeners, made at test time with `openssl` (never stored
 * in the repo): a test CA, and a server certificate it signs for IP:127.0.0.1 and DNS:localhost,
 * packed with its key and the CA into a PKCS12 keystore the broker reads. EC P-256 keys: quick to
 * make. Valid for two days.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface KafkaTestCertificates {
  /** PEM of the test CA that signed the server certificate (what a client must trust). */
  readonly caPem: string;
  /** PKCS12 keystore: the server key, its certificate and the CA. */
  readonly keystorePath: string;
  readonly keystorePassword: string;
  /** Subject alternative names of the server certificate. */
  readonly serverNames: readonly string[];
}

const SERVER_NAMES = ["IP:127.0.0.1", "DNS:localhost"];

export async function makeKafkaTestCertificates(dir: string): Promise<KafkaTestCertificates> {
  const at = (name: string) => join(dir, name);
  const keystorePassword = randomBytes(12).toString("hex");
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl([
    "req",
    "-x509",
    ...ecKey,
    "-keyout",
    at("ca.key"),
    "-out",
    at("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=runbook-bot test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await openssl([
    "req",
    ...ecKey,
    "-keyout",
    at("server.key"),
    "-out",
    at("server.csr"),
    "-subj",
    "/CN=localhost",
  ]);
  await writeFile(
    at("server.ext"),
    `subjectAltName=${SERVER_NAMES.join(",")}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`,
  );
  await openssl([
    "x509",
    "-req",
    "-in",
    at("server.csr"),
    "-CA",
    at("ca.pem"),
    "-CAkey",
    at("ca.key"),
    "-CAcreateserial",
    "-out",
    at("server.pem"),
    "-days",
    "2",
    "-extfile",
    at("server.ext"),
  ]);
  await openssl([
    "pkcs12",
    "-export",
    "-in",
    at("server.pem"),
    "-inkey",
    at("server.key"),
    "-certfile",
    at("ca.pem"),
    "-name",
    "kafka",
    "-out",
    at("server.p12"),
    "-passout",
    `pass:${keystorePassword}`,
  ]);
  return {
    caPem: await readFile(at("ca.pem"), "utf8"),
    keystorePath: at("server.p12"),
    keystorePassword,
    serverNames: SERVER_NAMES,
  };
}

function openssl(args: readonly string[]): Promise<void> {
  return new Promise((resolveRun, reject) => {
    execFile("openssl", args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (!err) return resolveRun();
      const reason =
        (err as NodeJS.ErrnoException).code === "ENOENT"
          ? "`openssl` is not on PATH (the Kafka peer's TLS listeners need it)"
          : `openssl ${args[0]} failed: ${stderr.trim() || err.message}`;
      reject(new Error(`kafka-peer: ${reason}`));
    });
  });
}
