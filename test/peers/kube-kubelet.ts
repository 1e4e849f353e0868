/**
 * What a kubelet does that the tests need, on a control plane that has none:
 *
 * - `startKubeletLogServer`: an HTTPS server (certificate from the peer's CA) that answers the
 *   kube-apiserver's `GET /containerLogs/{ns}/{pod}/{container}` from files in a folder, as the
 *   real kubelet answers from /var/log/pods: one CRI log line per line
 *   (`<RFC3339Nano> stdout F <text>`), the previous container's log in `<container>.previous.log`.
 *   It honours tailLines, sinceSeconds, limitBytes and timestamps. The apiserver reaches it through
 *   the Node's InternalIP (127.0.0.1) and status.daemonEndpoints.kubeletEndpoint.Port: pod logs
 *   take that path on a real apiserver; node proxy (stats/summary) refuses a loopback address, so
 *   the Summary API and metrics.k8s.io stay with the stand-in (test/peers/kube-api-server.ts).
 * - `registerNode`: the Node object a kubelet would register, Ready, pointing at that server.
 * - `settlePods`: what the scheduler and kubelet would do to new pods: bind them to the node
 *   (pods/binding) and write a Running, Ready status (pods/status).
 * - `finishDeletions`: a kubelet confirms a pod's deletion once its containers stopped; here the
 *   pods with a deletionTimestamp are deleted with gracePeriodSeconds=0.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { eventually, type KubeEndpoint, kube, MERGE_PATCH } from "./kube-rest.ts";

export interface KubeletLogServer {
  readonly port: number;
  readonly logDir: string;
  stop(): Promise<void>;
}

/** The file the log server reads for one container (previous: the terminated one before it). */
export function containerLogFile(
  logDir: string,
  namespace: string,
  pod: string,
  container: string,
  previous = false,
): string {
  return join(logDir, `${namespace}_${pod}_${container}${previous ? ".previous" : ""}.log`);
}

/** Writes a container's log as the kubelet stores it (CRI format, one entry per line). */
export async function writeContainerLog(
  logDir: string,
  target: { namespace: string; pod: string; container: string; previous?: boolean },
  lines: readonly { at: Date; text: string }[],
): Promise<void> {
  await mkdir(logDir, { recursive: true });
  const text = lines.map((l) => `${l.at.toISOString()} stdout F ${l.text}\n`).join("");
  await writeFile(
    containerLogFile(logDir, target.namespace, target.pod, target.container, target.previous ?? false),
    text,
  );
}

interface CriLine {
  readonly at: Date;
  readonly text: string;
}

function parseCri(text: string): CriLine[] {
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      const [time = "", , , ...rest] = line.split(" ");
      return { at: new Date(time), text: rest.join(" ") };
    });
}

/** The kubelet's answer for one container log request. */
function containerLog(
  logDir: string,
  path: string,
  query: URLSearchParams,
): { status: number; body: string } {
  const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
  if (!match) return { status: 404, body: "404 page not found\n" };
  const [, namespace = "", pod = "", container = ""] = match;
  const previous = query.get("previous") === "true";
  const file = containerLogFile(logDir, namespace, pod, container, previous);
  if (!existsSync(file)) {
    if (previous) {
      return {
        status: 400,
        body: `previous terminated container "${container}" in pod "${pod}" not found`,
      };
    }
    return { status: 200, body: "" };
  }
  let lines = parseCri(readFileSync(file, "utf8"));
  const since = query.get("sinceSeconds");
  if (since !== null) {
    const from = Date.now() - Number(since) * 1000;
    lines = lines.filter((l) => l.at.getTime() >= from);
  }
  const tail = query.get("tailLines");
  if (tail !== null) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
  const timestamps = query.get("timestamps") === "true";
  let body = lines.map((l) => `${timestamps ? `${l.at.toISOString()} ` : ""}${l.text}\n`).join("");
  const limit = query.get("limitBytes");
  if (limit !== null) body = Buffer.from(body).subarray(0, Number(limit)).toString("utf8");
  return { status: 200, body };
}

export async function startKubeletLogServer(options: {
  logDir: string;
  certFile: string;
  keyFile: string;
}): Promise<KubeletLogServer> {
  await mkdir(options.logDir, { recursive: true });
  const server: Server = createServer(
    { cert: readFileSync(options.certFile), key: readFileSync(options.keyFile) },
    (req, res) => {
      const url = new URL(req.url ?? "/", "https://127.0.0.1");
      const answer =
        req.method === "GET"
          ? containerLog(options.logDir, url.pathname, url.searchParams)
          : { status: 405, body: "method not allowed\n" };
      res.writeHead(answer.status, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(answer.body);
    },
  );
  await new Promise<void>((done, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => done());
  });
  return {
    port: (server.address() as AddressInfo).port,
    logDir: options.logDir,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Registers the Node a kubelet would: Ready, InternalIP 127.0.0.1, kubelet port = the log server's. */
export async function registerNode(endpoint: KubeEndpoint, name: string, kubeletPort: number): Promise<void> {
  await kube(endpoint, "POST", "/api/v1/nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "m6i.2xlarge",
      },
    },
    spec: {},
  });
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const capacity = { cpu: "8", memory: "32Gi", pods: "110", "ephemeral-storage": "100Gi" };
  await kube(
    endpoint,
    "PATCH",
    `/api/v1/nodes/${name}/status`,
    {
      status: {
        capacity,
        allocatable: capacity,
        addresses: [
          { type: "InternalIP", address: "127.0.0.1" },
          { type: "Hostname", address: name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: "KubeletReady",
            message: "kubelet is posting ready status",
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
        ],
        nodeInfo: {
          machineID: "runbook-bot-test",
          systemUUID: "runbook-bot-test",
          bootID: "runbook-bot-test",
          kernelVersion: "6.1.0",
          osImage: "runbook-bot test node (no containers run here)",
          containerRuntimeVersion: "none://0",
          kubeletVersion: "v0.0.0-fake",
          kubeProxyVersion: "",
          operatingSystem: "linux",
          architecture: "amd64",
        },
      },
    },
    MERGE_PATCH,
  );
}

interface PodLike {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { name: string; image: string }[] };
  status?: { phase?: string };
}

function apiTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function runningStatus(pod: PodLike, index: number): Record<string, unknown> {
  const at = apiTime(new Date());
  const condition = (type: string) => ({ type, status: "True", lastProbeTime: null, lastTransitionTime: at });
  return {
    phase: "Running",
    hostIP: "127.0.0.1",
    hostIPs: [{ ip: "127.0.0.1" }],
    podIP: `10.244.0.${(index % 250) + 2}`,
    podIPs: [{ ip: `10.244.0.${(index % 250) + 2}` }],
    startTime: at,
    conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map(
      condition,
    ),
    containerStatuses: pod.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `${c.image}@sha256:${"0".repeat(64)}`,
      containerID: `containerd://${randomBytes(32).toString("hex")}`,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: at } },
      lastState: {},
    })),
  };
}

export interface SettleOptions {
  /** Label selector of the pods to settle (default: every pod of the namespace). */
  readonly labelSelector?: string;
  /** Wait until at least this many pods match before settling (the controller creates them). */
  readonly expect?: number;
}

let podIndex = 0;

/**
 * Binds every unscheduled, undeleted pod of the namespace (or selector) to the node and writes a
 * Running/Ready status. Resolves with the names of the pods running on the node afterwards.
 */
export async function settlePods(
  endpoint: KubeEndpoint,
  namespace: string,
  node: string,
  options: SettleOptions = {},
): Promise<string[]> {
  const query = options.labelSelector ? `?labelSelector=${encodeURIComponent(options.labelSelector)}` : "";
  const list = async () =>
    (
      await kube<{ items: PodLike[] }>(endpoint, "GET", `/api/v1/namespaces/${namespace}/pods${query}`)
    ).items.filter((p) => p.metadata.deletionTimestamp === undefined);
  const wanted = options.expect;
  const pods =
    wanted === undefined
      ? await list()
      : await eventually(`${wanted} pods in ${namespace} ${options.labelSelector ?? ""}`, async () => {
          const items = await list();
          return items.length >= wanted ? items : undefined;
        });
  for (const pod of pods) {
    const path = `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}`;
    if (pod.spec.nodeName === undefined) {
      await kube(endpoint, "POST", `${path}/binding`, {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name: pod.metadata.name },
        target: { apiVersion: "v1", kind: "Node", name: node },
      });
    }
    if (pod.status?.phase !== "Running") {
      podIndex += 1;
      await kube(endpoint, "PATCH", `${path}/status`, { status: runningStatus(pod, podIndex) }, MERGE_PATCH);
    }
  }
  return pods.map((p) => p.metadata.name).sort();
}

/** Completes the deletion of pods that have a deletionTimestamp (what their kubelet would confirm). */
export async function finishDeletions(
  endpoint: KubeEndpoint,
  namespace: string,
  labelSelector?: string,
): Promise<string[]> {
  const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
  const pods = (
    await kube<{ items: PodLike[] }>(endpoint, "GET", `/api/v1/namespaces/${namespace}/pods${query}`)
  ).items.filter((p) => p.metadata.deletionTimestamp !== undefined);
  for (const pod of pods) {
    await kube(
      endpoint,
      "DELETE",
      `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}?gracePeriodSeconds=0`,
    ).catch((error: unknown) => {
      if (!String(error).includes(" 404 ")) throw error;
    });
  }
  return pods.map((p) => p.metadata.name).sort();
}
