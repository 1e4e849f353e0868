/**
 * checkpoint-failure's Kubernetes probes on a real kube-apiserver v1.34 with its controller
 * manager (test/peers/kube-peer.ts), the sandbox's story in a namespace of its own; Flink from the
 * Flink REST test server (a checkpoint failed on S3's 403). What the thread says about the pods,
 * their logs and the state volume comes from the real server: its pods (bound and made Running by
 * the fake kubelet) and their logs through the apiserver's log path.
 * The kubelet Summary API cannot be reached here (the apiserver refuses to proxy to a loopback
 * node): the volume usage probe's failure is part of what is asserted.
 */
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createPorts } from "../../../src/adapters/create-ports.ts";
import type { Finding } from "../../../src/core/finding.ts";
import { type FlinkRestServer, startFlinkRestServer } from "../../peers/flink-rest-server.ts";
import { settlePods } from "../../peers/kube-kubelet.ts";
import { deleteNamespace, STORY_SELECTOR, type Story, seedStory } from "../../peers/kube-story.ts";
import { makeConfig, runLive, writeKubeconfig } from "./live-helpers.ts";

const peer = inject("kubePeer");
let flink: FlinkRestServer;
let story: Story;
let kubeconfig: string;

beforeAll(async () => {
  flink = await startFlinkRestServer();
  story = await seedStory(peer, "runbook-cf");
  kubeconfig = writeKubeconfig(peer.adminKubeConfigYaml);
});

afterAll(async () => {
  await flink?.stop();
  if (story) await deleteNamespace(peer, story.namespace);
  // The kubeconfig holds the admin token: remove it with its folder.
  if (kubeconfig) rmSync(dirname(kubeconfig), { recursive: true, force: true });
});

const config = () =>
  makeConfig({
    flink: { url: flink.url, requestTimeoutMs: 20_000 },
    kubernetes: { kubeconfig },
    pipeline: { namespace: story.namespace },
  });

function podTable(findings: readonly Finding[]): { title: string; rows: string[][] } {
  for (const f of findings) {
    for (const e of f.evidence ?? []) {
      if (e.kind === "table" && e.columns[0] === "POD")
        return { title: f.title, rows: e.rows.map((r) => [...r]) };
    }
  }
  throw new Error(`no pod table in: ${findings.map((f) => f.title).join(" | ")}`);
}

describe.sequential("checkpoint-failure's Kubernetes probes on a real kube-apiserver", {
  timeout: 120_000,
}, () => {
  it("lists the real pods Running and ready, reads their logs; says the volume usage could not be read", async () => {
    const run = await runLive("checkpoint-failure", config());
    expect(run.report.conclusion.cause).toBe("s3-access-denied");
    const table = podTable(run.findings);
    expect(table.title).toBe("4 Flink pod(s) Running, no restarts");
    expect(table.rows).toEqual(story.pods.map((p) => [p, "Running", "yes", "0", "-"]));
    const text = JSON.stringify(run.findings);
    // The story's log lines came through the apiserver's pods/log path.
    expect(text).toContain("checkpoint 4812 acknowledged");
    const usage = run.findings.find((f) => f.title === "Could not read the taskmanagers' volume usage");
    expect(usage?.detail).toMatch(/rejected by the Kubernetes API \(400\): address not allowed/);
  });

  it("after the pods were deleted: the old ones are Terminating and not ready, beside the new ones", async () => {
    const ports = await createPorts(config());
    await ports.kubernetes!.deletePods(story.namespace, STORY_SELECTOR);
    const fresh = await settlePods(peer, story.namespace, peer.node, {
      labelSelector: STORY_SELECTOR,
      expect: 4,
    });
    const run = await runLive("checkpoint-failure", config());
    const table = podTable(run.findings);
    expect(table.rows).toHaveLength(8);
    expect(table.rows.filter((r) => story.pods.includes(r[0]!))).toEqual(
      story.pods.map((p) => [p, "Running", "no", "0", "Terminating"]),
    );
    expect(table.rows.filter((r) => fresh.includes(r[0]!)).map((r) => r.slice(1))).toEqual(
      fresh.map(() => ["Running", "yes", "0", "-"]),
    );
  });
});
