/**
 * A real Kubernetes control plane for the tests: etcd, kube-apiserver and kube-controller-manager
 * (binaries built from the Go module proxy by scripts/kube/build-control-plane.sh into
 * ~/.cache/runbook-bot/kube/<versions>/bin; built there by this launcher when missing), on
 * 127.0.0.1 with free ports, a fresh etcd data dir and certificates made at start.
 *
 * - kube-apiserver: secure port only, `--authorization-mode=Node,RBAC`, a static token file with
 *   the admin (group system:masters) and the controller manager, service-account tokens signed
 *   by a key made at start (TokenRequest works: `serviceAccountKubeConfig`), the kubelet
 *   connection verified against the peer's CA.
 * - kube-controller-manager: deployment, replicaset, garbage collector, serviceaccount and
 *   namespace controllers (Deployments get ReplicaSets, rollout history and status).
 * - No scheduler, no kubelet: test/peers/kube-kubelet.ts registers one Node, serves its container
 *   logs, binds pods and writes their status.
 *
 * One control plane per test run (test/setup/kube.setup.ts); tests isolate by namespace
 * (`createNamespace`). Everything stops on stop() and when this process exits.
 *
 * Manual use: `npx tsx test/peers/kube-peer.ts` starts it, prints the admin kubeconfig's path and
 * stops on Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { get as httpsGet } from "node:https";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { stringify as toYaml } from "yaml";
import { makeKubeCerts } from "./kube-certs.ts";
import { registerNode, startKubeletLogServer } from "./kube-kubelet.ts";
import { eventually, type KubeEndpoint, kube, kubeFetch } from "./kube-rest.ts";
import { freePorts, installExitGuard, serveUntilSignal, terminate } from "./peer-process.ts";

export const KUBE_VERSION = "1.34.4";
export const ETCD_VERSION = "3.6.16";
/** The one Node the fake kubelet registers (the sandbox story's node name). */
export const KUBE_NODE = "ip-10-0-1-23.ec2.internal";

/** What tests receive (serializable: handed over through vitest's provide/inject). */
export interface KubePeerInfo extends KubeEndpoint {
  /** e.g. "v1.34.4" (the apiserver's /version gitVersion). */
  readonly version: string;
  /** kubeconfig (context "kube-peer", user admin in system:masters) for the real server. */
  readonly adminKubeConfigYaml: string;
  /** Folder the fake kubelet serves container logs from (see kube-kubelet.ts). */
  readonly logDir: string;
  readonly node: string;
}

export interface KubePeer extends KubePeerInfo {
  /** Seconds from start to a ready control plane with its Node (binaries already built). */
  readonly startSeconds: number;
  stop(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;
const BUILD_TIMEOUT_MS = 60 * 60_000;

function progress(message: string): void {
  process.stderr.write(`[kube-peer] ${message}\n`);
}

function binDir(): string {
  const root = process.env.KUBE_PEER_CACHE ?? join(homedir(), ".cache/runbook-bot/kube");
  return join(root, `k8s-v${KUBE_VERSION}-etcd-v${ETCD_VERSION}`, "bin");
}

const BINARIES = ["etcd", "kube-apiserver", "kube-controller-manager"] as const;

/** The bin folder with the three binaries; runs the build script when one is missing. */
export async function ensureBinaries(): Promise<string> {
  const bin = binDir();
  if (BINARIES.every((b) => existsSync(join(bin, b)))) return bin;
  progress(`building the control plane into ${bin} (cold: about 20 minutes on 2 cores)`);
  const started = Date.now();
  const script = join(repoRoot, "scripts/kube/build-control-plane.sh");
  await new Promise<void>((done, reject) => {
    const child = spawn("bash", [script], {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, KUBE_VERSION, ETCD_VERSION },
    });
    let tail = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), BUILD_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`kube-peer: could not run ${script}: ${error.message}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) done();
      else reject(new Error(`kube-peer: ${script} failed (exit ${code}):\n${tail}`));
    });
  });
  progress(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const b of BINARIES) {
    if (!existsSync(join(bin, b))) throw new Error(`kube-peer: the build left no ${join(bin, b)}`);
  }
  return bin;
}

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with why the process ended. */
  readonly exited: Promise<string>;
}

function launch(name: string, command: string, args: readonly string[], logFile: string): Proc {
  const fd = openSync(logFile, "a");
  const child = spawn(command, args, { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  const exited = new Promise<string>((done) => {
    child.once("exit", (code, signal) => done(`${name} exited (${signal ?? `code ${code}`})`));
    child.once("error", (error) => done(`${name} could not start: ${error.message}`));
  });
  return { name, child, logFile, exited };
}

function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Waits for `ready` while watching that the process stays alive. */
async function waitFor(proc: Proc, what: string, ready: () => Promise<boolean>): Promise<void> {
  let ended: string | undefined;
  void proc.exited.then((reason) => {
    ended = reason;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (ended !== undefined) {
      throw new Error(`kube-peer: ${ended} before ${what}. Log tail:\n${logTail(proc.logFile)}`);
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `kube-peer: ${what} not reached in ${START_TIMEOUT_MS / 1000} s:\n${logTail(proc.logFile)}`,
      );
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}

async function httpOk(url: string): Promise<boolean> {
  const answer = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return answer.ok;
}

/** GET over TLS without verifying the certificate: the controller manager's own self-signed one. */
function selfSignedOk(url: string): Promise<boolean> {
  return new Promise((done) => {
    const req = httpsGet(url, { rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => done(false));
  });
}

/** A kubeconfig for one server and one bearer token. */
export function kubeConfigFor(
  endpoint: KubeEndpoint,
  user: string,
  context = "kube-peer",
  namespace?: string,
): string {
  return toYaml({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "kube-peer",
        cluster: {
          server: endpoint.server,
          "certificate-authority-data": Buffer.from(endpoint.caPem).toString("base64"),
        },
      },
    ],
    users: [{ name: user, user: { token: endpoint.token } }],
    contexts: [
      {
        name: context,
        context: { cluster: "kube-peer", user, ...(namespace !== undefined ? { namespace } : {}) },
      },
    ],
    "current-context": context,
  });
}

export async function startKubePeer(): Promise<KubePeer> {
  const bin = await ensureBinaries();
  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), "kube-peer-"));
  const procs: Proc[] = [];
  const killNow = (): void => {
    for (const { child } of procs) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    // The data dir, certificates and logs go too (synchronously: this runs on process exit).
    rmSync(workDir, { recursive: true, force: true });
  };
  const guard = installExitGuard(killNow);
  let kubelet: Awaited<ReturnType<typeof startKubeletLogServer>> | undefined;
  const stopAll = async (): Promise<void> => {
    // Reverse order: the controller manager, then the apiserver, then etcd.
    for (const proc of [...procs].reverse()) await terminate(proc.child, STOP_GRACE_MS);
    await kubelet?.stop();
    guard.remove();
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const certs = await makeKubeCerts(workDir);
    const caPem = readFileSync(certs.caCert, "utf8");
    const [etcdPort, etcdPeerPort, apiPort, cmPort] = (await freePorts(4)) as [
      number,
      number,
      number,
      number,
    ];
    const adminToken = randomBytes(24).toString("hex");
    const cmToken = randomBytes(24).toString("hex");
    const tokenFile = join(workDir, "tokens.csv");
    await writeFile(
      tokenFile,
      `${adminToken},admin,admin-uid,"system:masters"\n${cmToken},system:kube-controller-manager,kcm-uid,"system:masters"\n`,
      { mode: 0o600 },
    );

    const etcd = launch(
      "etcd",
      join(bin, "etcd"),
      [
        "--name=kube-peer",
        `--data-dir=${join(workDir, "etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=kube-peer=http://127.0.0.1:${etcdPeerPort}`,
        "--unsafe-no-fsync",
        "--log-level=warn",
      ],
      join(workDir, "etcd.log"),
    );
    procs.push(etcd);
    await waitFor(etcd, "etcd /health", () => httpOk(`http://127.0.0.1:${etcdPort}/health`));

    kubelet = await startKubeletLogServer({
      logDir: join(workDir, "container-logs"),
      certFile: certs.kubeletCert,
      keyFile: certs.kubeletKey,
    });

    const server = `https://127.0.0.1:${apiPort}`;
    const issuer = "https://kubernetes.default.svc.cluster.local";
    const apiserver = launch(
      "kube-apiserver",
      join(bin, "kube-apiserver"),
      [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        `--tls-cert-file=${certs.apiserverCert}`,
        `--tls-private-key-file=${certs.apiserverKey}`,
        `--client-ca-file=${certs.caCert}`,
        `--token-auth-file=${tokenFile}`,
        "--authorization-mode=Node,RBAC",
        `--service-account-issuer=${issuer}`,
        `--service-account-key-file=${certs.serviceAccountPub}`,
        `--service-account-signing-key-file=${certs.serviceAccountKey}`,
        `--api-audiences=${issuer}`,
        "--service-cluster-ip-range=10.96.0.0/16",
        `--kubelet-certificate-authority=${certs.caCert}`,
        `--kubelet-client-certificate=${certs.kubeletClientCert}`,
        `--kubelet-client-key=${certs.kubeletClientKey}`,
        "--kubelet-preferred-address-types=InternalIP",
        `--cert-dir=${join(workDir, "apiserver-certs")}`,
        "--profiling=false",
        "--v=1",
      ],
      join(workDir, "kube-apiserver.log"),
    );
    procs.push(apiserver);
    const admin: KubeEndpoint = { server, caPem, token: adminToken };
    await waitFor(apiserver, "kube-apiserver /readyz", async () => {
      const answer = await kubeFetch(admin, "GET", "/readyz");
      return answer.status === 200;
    });

    const cmKubeconfig = join(workDir, "controller-manager.kubeconfig");
    await writeFile(
      cmKubeconfig,
      kubeConfigFor({ server, caPem, token: cmToken }, "system:kube-controller-manager"),
      { mode: 0o600 },
    );
    const controllerManager = launch(
      "kube-controller-manager",
      join(bin, "kube-controller-manager"),
      [
        `--kubeconfig=${cmKubeconfig}`,
        "--controllers=deployment-controller,replicaset-controller,garbage-collector-controller,serviceaccount-controller,namespace-controller,clusterrole-aggregation-controller",
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        `--secure-port=${cmPort}`,
        `--cert-dir=${join(workDir, "controller-manager-certs")}`,
        `--root-ca-file=${certs.caCert}`,
        "--use-service-account-credentials=false",
        "--profiling=false",
        "--v=1",
      ],
      join(workDir, "kube-controller-manager.log"),
    );
    procs.push(controllerManager);
    await waitFor(controllerManager, "kube-controller-manager /healthz", () =>
      selfSignedOk(`https://127.0.0.1:${cmPort}/healthz`),
    );

    await registerNode(admin, KUBE_NODE, kubelet.port);
    // The serviceaccount controller gives every namespace its "default" account, which pods need.
    await eventually("the default ServiceAccount", async () =>
      (await kubeFetch(admin, "GET", "/api/v1/namespaces/default/serviceaccounts/default")).status === 200
        ? true
        : undefined,
    );
    const version = (await kube<{ gitVersion: string }>(admin, "GET", "/version")).gitVersion;
    const startSeconds = (Date.now() - started) / 1000;
    progress(
      `Kubernetes ${version} (etcd ${ETCD_VERSION}) ready at ${server} in ${startSeconds.toFixed(1)} s`,
    );
    return {
      ...admin,
      version,
      adminKubeConfigYaml: kubeConfigFor(admin, "admin"),
      logDir: kubelet.logDir,
      node: KUBE_NODE,
      startSeconds,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Hands the peer to the tests (vitest provide; read it with inject("kubePeer")). */
export function provideKubePeer(project: TestProject, peer: KubePeer): void {
  const info: KubePeerInfo = {
    server: peer.server,
    caPem: peer.caPem,
    token: peer.token,
    version: peer.version,
    adminKubeConfigYaml: peer.adminKubeConfigYaml,
    logDir: peer.logDir,
    node: peer.node,
  };
  project.provide("kubePeer", info);
}

async function main(): Promise<void> {
  const file = join(tmpdir(), `kube-peer-${process.pid}.kubeconfig`);
  await serveUntilSignal(
    async () => {
      const peer = await startKubePeer();
      await writeFile(file, peer.adminKubeConfigYaml, { mode: 0o600 });
      // Stopping also removes the admin kubeconfig written for this run.
      return { stop: () => rm(file, { force: true }).then(() => peer.stop()) };
    },
    () => {
      process.stdout.write(`${file}\n`);
      progress(`admin kubeconfig in ${file}; Ctrl-C stops it`);
    },
    progress,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    progress(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
