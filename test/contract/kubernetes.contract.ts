/**
 * The KubernetesPort contract: what every adapter must answer for the sandbox's story
 * (Deployment flink-taskmanager with 4 Running taskmanagers, revisions 1-3 of
 * flink-job 1.4.1/1.4.2/1.4.3, flink-state-pvc 50Gi on gp3). Run against the real adapter on a
 * real kube-apiserver (test/peers/kube-peer.ts, the story built in a namespace of its own), on the
 * stand-in API server, and against the simulated adapter, so the sandbox tells the truth about
 * what the real systems return.
 *
 * `kubernetesContract` holds what the API server answers; `kubeletContract` what only a kubelet
 * (Summary API through the node proxy) and metrics-server (metrics.k8s.io) answer, which the real
 * control plane here has not: it runs against the stand-in and the simulated adapter.
 * Writes on a real server are followed by its controllers asynchronously, so what they bring
 * about (new ReplicaSets, a renumbered revision) is polled for.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { KubernetesError, type KubernetesPort } from "../../src/ports/kubernetes.ts";

export interface KubernetesContractSubject {
  readonly port: KubernetesPort;
  /** The story's namespace ("flink" on the stand-in and in the sandbox). */
  readonly namespace: string;
  /** The 4 taskmanager pods, sorted (flink-taskmanager-0..3, or the ReplicaSet's generated names). */
  readonly pods: readonly string[];
  close(): Promise<void>;
}

const DEPLOYMENT = "flink-taskmanager";
const SELECTOR = "app=flink-taskmanager";
/** How long a controller may take to act on a write. */
const SETTLE = { timeout: 15_000, interval: 100 };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

async function rejection(promise: Promise<unknown>): Promise<KubernetesError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KubernetesError);
  return error as KubernetesError;
}

export function kubernetesContract(name: string, create: () => Promise<KubernetesContractSubject>): void {
  describe(`KubernetesPort contract: ${name}`, () => {
    let subject: KubernetesContractSubject;
    let port: KubernetesPort;
    let NS: string;
    let PODS: readonly string[];

    beforeEach(async () => {
      subject = await create();
      port = subject.port;
      NS = subject.namespace;
      PODS = subject.pods;
      return () => subject.close();
    });

    describe("reads", () => {
      it("describes its target", () => {
        expect(port.describeTarget.length).toBeGreaterThan(0);
      });

      it("lists the four running, ready taskmanagers by name", async () => {
        const pods = await port.listPods(NS, SELECTOR);
        expect(pods.map((p) => p.name)).toEqual(PODS);
        for (const pod of pods) {
          expect(pod).toMatchObject({ phase: "Running", ready: true, restarts: 0, problem: null });
          expect(pod.node).toBe("ip-10-0-1-23.ec2.internal");
          expect(pod.startedAt).toMatch(RFC3339);
          expect(pod.containers).toEqual([
            {
              name: "taskmanager",
              image: "flink-job:1.4.3",
              ready: true,
              restarts: 0,
              state: "running",
              reason: null,
              exitCode: null,
              lastTerminationReason: null,
            },
          ]);
        }
        expect(await port.listPods(NS, "app=nothing")).toEqual([]);
      });

      it("greps each pod's log case-insensitively within the bounds", async () => {
        const logs = await port.podLogs(NS, SELECTOR, { grep: "Checkpoint" });
        expect(logs.map((l) => [l.pod, l.container, l.error])).toEqual(
          PODS.map((p) => [p, "taskmanager", null]),
        );
        for (const log of logs) {
          expect(log.lines.length).toBeGreaterThan(0);
          expect(log.lines.every((line) => line.toLowerCase().includes("checkpoint"))).toBe(true);
          expect(log.matched).toBe(log.lines.length);
          expect(log.truncated).toBe(false);
        }
        const windows = await port.podLogs(NS, SELECTOR, { grep: "window emitted", maxLines: 1 });
        for (const log of windows) {
          expect(log).toMatchObject({ matched: 2, truncated: true });
          expect(log.lines).toHaveLength(1);
          expect(log.lines[0]).toMatch(/window emitted: window=\[10:15:00/);
        }
        const recent = await port.podLogs(NS, SELECTOR, { sinceSeconds: 90 });
        expect(recent.every((log) => log.lines.length === 2)).toBe(true);
        const bytes = await port.podLogs(NS, SELECTOR, { maxBytes: 300 });
        expect(bytes.every((log) => log.lines.join("\n").length <= 300 && log.truncated)).toBe(true);
      });

      it("reports a missing container per pod and refuses bad bounds", async () => {
        const logs = await port.podLogs(NS, SELECTOR, { container: "sidecar" });
        expect(logs.map((l) => l.error)).toEqual(
          PODS.map((p) => `pod ${p} has no container "sidecar" (containers: taskmanager)`),
        );
        expect(await rejection(port.podLogs(NS, SELECTOR, { maxLines: 0 }))).toMatchObject({
          code: "invalid",
        });
      });

      it("reports a completed rollout at revision 3", async () => {
        expect(await port.rolloutStatus(NS, DEPLOYMENT)).toMatchObject({
          namespace: NS,
          name: DEPLOYMENT,
          replicas: 4,
          updatedReplicas: 4,
          readyReplicas: 4,
          availableReplicas: 4,
          paused: false,
          state: "complete",
          message: 'deployment "flink-taskmanager" successfully rolled out',
          revision: 3,
        });
      });

      it("lists the revision history oldest first", async () => {
        const history = await port.rolloutHistory(NS, DEPLOYMENT);
        expect(history.map((r) => [r.revision, r.images, r.changeCause, r.current, r.replicas])).toEqual([
          [1, ["flink-job:1.4.1"], "deploy 1.4.1", false, 0],
          [2, ["flink-job:1.4.2"], "deploy 1.4.2", false, 0],
          [3, ["flink-job:1.4.3"], "deploy 1.4.3", true, 4],
        ]);
        for (const r of history) expect(r.createdAt).toMatch(RFC3339);
        const times = history.map((r) => Date.parse(r.createdAt));
        expect([...times].sort((x, y) => x - y)).toEqual(times);
        expect(new Set(history.map((r) => r.replicaSet)).size).toBe(3);
      });

      it("reads the RocksDB claim with its StorageClass's expansion policy", async () => {
        expect(await port.volumeClaim(NS, "flink-state-pvc")).toEqual({
          namespace: NS,
          name: "flink-state-pvc",
          phase: "Bound",
          requested: "50Gi",
          requestedBytes: 50 * 2 ** 30,
          capacity: "50Gi",
          capacityBytes: 50 * 2 ** 30,
          storageClass: "gp3",
          allowsExpansion: true,
          resizing: null,
        });
      });

      it("runs the taskmanagers as a plain Deployment", async () => {
        expect(await port.taskmanagerWorkload(NS, DEPLOYMENT, SELECTOR)).toEqual({
          mode: "deployment",
          kind: "Deployment",
          namespace: NS,
          name: DEPLOYMENT,
          detectedBy: "deployment",
          flink: null,
        });
      });

      it("names what is missing", async () => {
        const missing = await rejection(port.rolloutStatus(NS, "nope"));
        expect(missing).toMatchObject({ code: "not-found", message: `deployment ${NS}/nope not found` });
        expect((await rejection(port.getScale(NS, "nope"))).message).toBe(`deployment ${NS}/nope not found`);
        expect((await rejection(port.volumeClaim(NS, "nope"))).message).toBe(
          `persistentvolumeclaim ${NS}/nope not found`,
        );
      });
    });

    describe("writes", () => {
      it("scales", async () => {
        expect(await port.getScale(NS, DEPLOYMENT)).toEqual({
          namespace: NS,
          name: DEPLOYMENT,
          replicas: 4,
          currentReplicas: 4,
        });
        expect(await port.scaleDeployment(NS, DEPLOYMENT, 6)).toMatchObject({
          name: DEPLOYMENT,
          replicas: 6,
        });
        expect((await port.getScale(NS, DEPLOYMENT)).replicas).toBe(6);
        await expect.poll(async () => (await port.rolloutStatus(NS, DEPLOYMENT)).replicas, SETTLE).toBe(6);
        expect(await rejection(port.scaleDeployment(NS, DEPLOYMENT, -1))).toMatchObject({ code: "invalid" });
      });

      it("restarts: a new revision of the same image becomes current", async () => {
        const result = await port.restartRollout(NS, DEPLOYMENT);
        expect(result.workload).toEqual({
          mode: "deployment",
          kind: "Deployment",
          namespace: NS,
          name: DEPLOYMENT,
        });
        expect(result.restartedAt).toMatch(RFC3339);
        expect(result.restartNonce).toBeNull();
        const revisions = async () =>
          (await port.rolloutHistory(NS, DEPLOYMENT)).map((r) => [
            r.revision,
            r.images[0],
            r.changeCause,
            r.current,
          ]);
        await expect.poll(revisions, SETTLE).toEqual([
          [1, "flink-job:1.4.1", "deploy 1.4.1", false],
          [2, "flink-job:1.4.2", "deploy 1.4.2", false],
          [3, "flink-job:1.4.3", "deploy 1.4.3", false],
          [4, "flink-job:1.4.3", "deploy 1.4.3", true],
        ]);
      });

      it("undoes to the previous revision, which is renumbered", async () => {
        expect(await port.undoRollout(NS, DEPLOYMENT)).toEqual({
          namespace: NS,
          name: DEPLOYMENT,
          fromRevision: 3,
          toRevision: 2,
          images: ["flink-job:1.4.2"],
          changeCause: "deploy 1.4.2",
        });
        const revisions = async () =>
          (await port.rolloutHistory(NS, DEPLOYMENT)).map((r) => [r.revision, r.images[0], r.current]);
        await expect.poll(revisions, SETTLE).toEqual([
          [1, "flink-job:1.4.1", false],
          [3, "flink-job:1.4.3", false],
          [4, "flink-job:1.4.2", true],
        ]);
        await expect.poll(async () => (await port.rolloutStatus(NS, DEPLOYMENT)).revision, SETTLE).toBe(4);
      });

      it("refuses an undo to a missing or current revision", async () => {
        expect(await rejection(port.undoRollout(NS, DEPLOYMENT, 9))).toMatchObject({
          code: "refused",
          message: "unable to find specified revision 9 in history",
        });
        expect(await rejection(port.undoRollout(NS, DEPLOYMENT, 3))).toMatchObject({
          code: "refused",
          message: "skipped rollback (current template already matches revision 3)",
        });
      });

      it("deletes the selected pods and returns their names", async () => {
        expect(await port.deletePods(NS, SELECTOR)).toEqual({ namespace: NS, pods: PODS });
        expect(await rejection(port.deletePods(NS, ""))).toMatchObject({ code: "invalid" });
      });

      it("reads one container's resources from the Deployment's template", async () => {
        expect(await port.containerResources(NS, DEPLOYMENT, "taskmanager")).toEqual({
          requests: { cpu: "2", memory: "8Gi" },
          limits: { cpu: "2", memory: "8Gi" },
        });
        expect(await port.containerResources(NS, DEPLOYMENT, "sidecar")).toBeNull();
        expect((await rejection(port.containerResources(NS, "nope", "taskmanager"))).message).toBe(
          `deployment ${NS}/nope not found`,
        );
      });

      it("sets one container's resources and refuses requests above limits", async () => {
        const result = await port.setContainerResources(NS, DEPLOYMENT, "taskmanager", {
          requests: { memory: "12Gi" },
          limits: { memory: "12Gi" },
        });
        expect(result).toEqual({
          workload: { mode: "deployment", kind: "Deployment", namespace: NS, name: DEPLOYMENT },
          container: "taskmanager",
          before: { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } },
          after: { requests: { cpu: "2", memory: "12Gi" }, limits: { cpu: "2", memory: "12Gi" } },
        });
        const tooMuch = await rejection(
          port.setContainerResources(NS, DEPLOYMENT, "taskmanager", { requests: { cpu: "4" } }),
        );
        expect(tooMuch).toMatchObject({
          code: "invalid",
          message:
            "requests.cpu 4 would exceed limits.cpu 2; a request must be less than or equal to its limit",
        });
        expect(
          await rejection(port.setContainerResources(NS, DEPLOYMENT, "sidecar", { limits: { cpu: "1" } })),
        ).toMatchObject({ code: "invalid" });
      });

      it("grows the claim, and refuses to shrink it", async () => {
        const grown = await port.expandVolumeClaim(NS, "flink-state-pvc", "100Gi");
        expect(grown).toMatchObject({ requested: "100Gi", requestedBytes: 100 * 2 ** 30, capacity: "50Gi" });
        expect((await port.volumeClaim(NS, "flink-state-pvc")).requested).toBe("100Gi");
        expect(await rejection(port.expandVolumeClaim(NS, "flink-state-pvc", "80Gi"))).toMatchObject({
          code: "refused",
          message: `persistentvolumeclaim ${NS}/flink-state-pvc can only grow: 80Gi is not larger than the requested 100Gi`,
        });
      });
    });
  });
}

/** What a kubelet and metrics-server answer (see the header). */
export function kubeletContract(name: string, create: () => Promise<KubernetesContractSubject>): void {
  describe(`KubernetesPort kubelet and metrics contract: ${name}`, () => {
    let subject: KubernetesContractSubject;
    let port: KubernetesPort;
    let NS: string;
    let PODS: readonly string[];

    beforeEach(async () => {
      subject = await create();
      port = subject.port;
      NS = subject.namespace;
      PODS = subject.pods;
      return () => subject.close();
    });

    it("reports usage against 2-core / 8Gi limits", async () => {
      const usage = await port.podUsage(NS, SELECTOR);
      expect(usage.map((u) => u.pod)).toEqual(PODS);
      for (const row of usage) {
        expect(row).toMatchObject({ cpuLimitMillicores: 2000, memoryLimitBytes: 8 * 2 ** 30 });
        expect(row.cpuMillicores).toBeGreaterThan(0);
        expect(row.cpuMillicores).toBeLessThanOrEqual(2000);
        expect(row.memoryBytes).toBeGreaterThan(0);
      }
    });

    it("reads the volume usage of the RocksDB claim from the kubelet", async () => {
      const usage = await port.volumeUsage(NS, SELECTOR);
      expect(usage.map((u) => [u.pod, u.volume, u.claim, u.node])).toEqual(
        PODS.map((p) => [p, "flink-state", "flink-state-pvc", "ip-10-0-1-23.ec2.internal"]),
      );
      for (const row of usage) {
        expect(row.usedBytes + row.availableBytes).toBe(row.capacityBytes);
        expect(row.usedBytes / row.capacityBytes).toBeCloseTo(0.633, 2);
      }
    });
  });
}
