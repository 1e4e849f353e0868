/**
 * Certificates and keys for the Kubernetes control plane peer, made at test time with openssl
 * (ECDSA P-256, valid 2 days): one CA, the apiserver's serving certificate (127.0.0.1, localhost,
 * kubernetes.default.svc...), the fake kubelet's serving certificate (127.0.0.1), the apiserver's
 * client certificate for the kubelet, and the service-account signing key pair.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

export interface KubeCerts {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly apiserverCert: string;
  readonly apiserverKey: string;
  readonly kubeletCert: string;
  readonly kubeletKey: string;
  readonly kubeletClientCert: string;
  readonly kubeletClientKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

function openssl(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === "ENOENT"
            ? "kube-peer: `openssl` is not on PATH (the Kubernetes peer makes its certificates with it)"
            : `kube-peer: openssl failed to start: ${error.message}`,
        ),
      ),
    );
    child.once("exit", (code) =>
      code === 0
        ? resolveRun()
        : reject(new Error(`kube-peer: openssl ${args[0]} exited ${code}: ${stderr.trim()}`)),
    );
  });
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** A key and a certificate signed by the CA, with the given subject and extensions. */
async function leaf(
  dir: string,
  name: string,
  subject: string,
  extensions: readonly string[],
): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await openssl(
    [
      "req",
      "-x509",
      ...EC,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "2",
      "-subj",
      subject,
      ...extensions.flatMap((e) => ["-addext", e]),
    ],
    dir,
  );
  return { cert, key };
}

export async function makeKubeCerts(dir: string): Promise<KubeCerts> {
  await openssl(
    [
      "req",
      "-x509",
      ...EC,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "2",
      "-subj",
      "/CN=runbook-bot-test-ca",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    ],
    dir,
  );
  const serverUsage = ["basicConstraints=critical,CA:FALSE", "extendedKeyUsage=serverAuth"];
  const [apiserver, kubelet, kubeletClient] = await Promise.all([
    leaf(dir, "apiserver", "/CN=kube-apiserver", [
      ...serverUsage,
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1",
    ]),
    leaf(dir, "kubelet", "/CN=runbook-bot-test-kubelet", [...serverUsage, "subjectAltName=IP:127.0.0.1"]),
    leaf(dir, "kubelet-client", "/O=system:masters/CN=kube-apiserver-kubelet-client", [
      "basicConstraints=critical,CA:FALSE",
      "extendedKeyUsage=clientAuth",
    ]),
  ]);
  const serviceAccountKey = join(dir, "sa.key");
  const serviceAccountPub = join(dir, "sa.pub");
  await openssl(
    ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", serviceAccountKey],
    dir,
  );
  await openssl(["pkey", "-in", serviceAccountKey, "-pubout", "-out", serviceAccountPub], dir);
  return {
    dir,
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    apiserverCert: apiserver.cert,
    apiserverKey: apiserver.key,
    kubeletCert: kubelet.cert,
    kubeletKey: kubelet.key,
    kubeletClientCert: kubeletClient.cert,
    kubeletClientKey: kubeletClient.key,
    serviceAccountKey,
    serviceAccountPub,
  };
}
