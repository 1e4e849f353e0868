/**
 * `runbook-bot plan`: the dry run of an action, in-process, against the Kubernetes API test server
 * through the real adapter (the config names a kubeconfig file). It reads, prints the exact change
 * and never writes; bad input is a clear error with exit code 2.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KubeApiServer, startKubeApiServer } from "../peers/kube-api-server.ts";
import { runCli } from "./run-cli.ts";

let kube: KubeApiServer;
let dir: string;

function configFile(name: string, extra = ""): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `kubernetes:\n  inCluster: false\n  kubeconfig: ${join(dir, "kubeconfig.yaml")}\n  flinkOperator: "off"\n${extra}`,
  );
  return path;
}

const SCALE = JSON.stringify({ namespace: "flink", deployment: "flink-taskmanager", replicas: 8 });
const writes = () => kube.requests.filter((r) => r.method !== "GET");

beforeAll(async () => {
  kube = await startKubeApiServer();
  dir = mkdtempSync(join(tmpdir(), "runbook-bot-plan-"));
  writeFileSync(join(dir, "kubeconfig.yaml"), kube.kubeConfigYaml);
});

afterAll(async () => {
  await kube?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("runbook-bot plan", () => {
  it("--json: validates the params, reads the live state and prints the exact change; writes nothing", async () => {
    const before = kube.requests.length;
    const run = await runCli([
      "plan",
      "scale-taskmanagers",
      "--params",
      SCALE,
      "--config",
      configFile("a.yaml"),
      "--json",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      action: "scale-taskmanagers",
      title: "Scale taskmanagers",
      risk: "high",
      requiredApprovals: 1,
      frozen: false,
      preview: "flink-taskmanager: 4 -> 8 replicas in namespace flink",
      params: { namespace: "flink", deployment: "flink-taskmanager", replicas: 8, fromReplicas: 4 },
      executed: false,
    });
    const reads = kube.requests.slice(before);
    expect(reads.map((r) => [r.method, r.path])).toContainEqual([
      "GET",
      "/apis/apps/v1/namespaces/flink/deployments/flink-taskmanager/scale",
    ]);
    expect(writes()).toEqual([]);
    expect(kube.state.deployments[0]?.spec.replicas).toBe(4);
  });

  it("prints the plan for people, with the configured risk tier and the kill switch", async () => {
    const config = configFile(
      "b.yaml",
      "approvals:\n  riskTiers:\n    scale-taskmanagers: critical\nactions:\n  frozen: true\n",
    );
    const run = await runCli(["plan", "scale-taskmanagers", "--params", SCALE, "--config", config]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Scale taskmanagers (scale-taskmanagers) — dry run, nothing was executed");
    expect(run.stdout).toContain("change:  flink-taskmanager: 4 -> 8 replicas in namespace flink");
    expect(run.stdout).toContain("risk:    critical risk: two other people approve");
    expect(run.stdout).toContain("frozen:  actions.frozen is set");
    expect(writes()).toEqual([]);
  });

  it.each([
    ["params that are not JSON", ["--params", "{replicas: 8"], /--params is not JSON/],
    ["params that are not an object", ["--params", "[8]"], /--params must be a JSON object/],
    [
      "params outside the allowed bounds",
      ["--params", JSON.stringify({ namespace: "flink", deployment: "flink-taskmanager", replicas: 500 })],
      /invalid params for scale-taskmanagers:\n {2}replicas: 500 is outside the allowed 1\.\.12/,
    ],
    ["missing params", [], /invalid params for scale-taskmanagers/],
  ])("%s -> a clear error, exit 2, nothing read or written", async (_label, args, message) => {
    const before = kube.requests.length;
    const run = await runCli(["plan", "scale-taskmanagers", ...args, "--config", configFile("c.yaml")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe("");
    expect(kube.requests.length).toBe(before);
  });

  it("an unknown action suggests the closest ids, exit 2", async () => {
    const run = await runCli([
      "plan",
      "scale-taskmanager",
      "--params",
      SCALE,
      "--config",
      configFile("d.yaml"),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no action is called "scale-taskmanager". Did you mean scale-taskmanagers?');
  });

  it("a change that is not needed is the action's refusal, exit 1 (and JSON says so)", async () => {
    const same = JSON.stringify({ namespace: "flink", deployment: "flink-taskmanager", replicas: 4 });
    const run = await runCli([
      "plan",
      "scale-taskmanagers",
      "--params",
      same,
      "--config",
      configFile("e.yaml"),
      "--json",
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "scale-taskmanagers refuses: flink-taskmanager already has 4 replicas: nothing to change",
    );
    expect(JSON.parse(run.stdout)).toMatchObject({
      action: "scale-taskmanagers",
      error: expect.stringContaining("nothing to change"),
    });
  });

  it("a system that is not configured is said plainly, exit 1", async () => {
    const path = join(dir, "nokube.yaml");
    writeFileSync(path, "log:\n  level: silent\n");
    const run = await runCli(["plan", "scale-taskmanagers", "--params", SCALE, "--config", path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^runbook-bot: scale-taskmanagers: could not read the current state: a system it needs is not configured \(not configured: kubernetes, kafka, /,
    );
  });

  it("a risk tier for an action that does not exist is a config error, exit 2", async () => {
    const config = configFile("f.yaml", "approvals:\n  riskTiers:\n    scale-everything: low\n");
    const run = await runCli(["plan", "scale-taskmanagers", "--params", SCALE, "--config", config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "approvals.riskTiers.scale-everything: no action is called scale-everything",
    );
  });
});
