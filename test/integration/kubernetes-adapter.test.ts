/**
 * The Kubernetes adapter (@kubernetes/client-node 1.4) against the local API server peer:
 * exact requests (method, path, query, content type, body), answers, and error wording.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubernetes, KubernetesError } from "../../src/adapters/kubernetes/index.ts";
import type { KubernetesPort } from "../../src/ports/kubernetes.ts";
import {
  type KubeApiServer,
  podMetricsObject,
  podObject,
  startKubeApiServer,
} from "../peers/kube-api-server.ts";

const MI = 2 ** 20;
const NS = "flink";
const DEPLOYMENT = "flink-taskmanager";
const SELECTOR = "app=flink-taskmanager";
const SCALE_PATH = "/apis/apps/v1/namespaces/flink/deployments/flink-taskmanager/scale";

let kube: KubeApiServer;
let port: KubernetesPort;

beforeEach(async () => {
  kube = await startKubeApiServer();
  port = createKubernetes({ kubeConfigYaml: kube.kubeConfigYaml, requestTimeoutMs: 2_000 });
});

afterEach(async () => {
  await kube.stop();
});

/** Rejection of a promise, as a KubernetesError. */
async function failure(promise: Promise<unknown>): Promise<KubernetesError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KubernetesError);
  return error as KubernetesError;
}

/** A 127.0.0.1 port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("describeTarget", () => {
  it("names the server and the context", () => {
    expect(port.describeTarget).toBe(`${kube.url} (context kube-test)`);
    expect(port.describeTarget).not.toContain(kube.token);
  });
});

describe("podUsage", () => {
  it("joins pod limits with metrics.k8s.io usage, exactly", async () => {
    const usage = await port.podUsage(NS, SELECTOR);
    const limits = { cpuLimitMillicores: 2000, memoryLimitBytes: 8 * 2 ** 30 };
    expect(usage).toEqual([
      { pod: "flink-taskmanager-0", cpuMillicores: 1900, memoryBytes: 7600 * MI, ...limits },
      { pod: "flink-taskmanager-1", cpuMillicores: 1954, memoryBytes: 7650 * MI, ...limits },
      { pod: "flink-taskmanager-2", cpuMillicores: 1875, memoryBytes: 7580 * MI, ...limits },
      { pod: "flink-taskmanager-3", cpuMillicores: 1922, memoryBytes: 7620 * MI, ...limits },
    ]);
  });

  it("asks for the pods and the pod metrics of the namespace by label selector", async () => {
    await port.podUsage(NS, SELECTOR);
    const sent = kube.requests.map(({ method, path, query }) => ({ method, path, query }));
    expect(sent).toHaveLength(2);
    expect(sent).toEqual(
      expect.arrayContaining([
        { method: "GET", path: "/api/v1/namespaces/flink/pods", query: { labelSelector: SELECTOR } },
        {
          method: "GET",
          path: "/apis/metrics.k8s.io/v1beta1/namespaces/flink/pods",
          query: { labelSelector: SELECTOR },
        },
      ]),
    );
  });

  it("leaves out pods of other selectors and pods metrics-server has not scraped yet", async () => {
    const jobmanager = { app: "flink-jobmanager" };
    const taskmanager = { app: "flink-taskmanager" };
    kube.state.pods.push(
      podObject({
        namespace: NS,
        name: "flink-jobmanager-0",
        labels: jobmanager,
        containers: [{ name: "jm" }],
      }),
      podObject({
        namespace: NS,
        name: "flink-taskmanager-4",
        labels: taskmanager,
        containers: [{ name: "taskmanager", limits: { cpu: "2", memory: "8Gi" } }],
        phase: "Pending",
      }),
    );
    kube.state.podMetrics.push(
      podMetricsObject({
        namespace: NS,
        name: "flink-jobmanager-0",
        labels: jobmanager,
        containers: [{ name: "jm", cpu: "5m", memory: "1Gi" }],
      }),
    );
    const usage = await port.podUsage(NS, SELECTOR);
    expect(usage.map((u) => u.pod)).toEqual([0, 1, 2, 3].map((i) => `flink-taskmanager-${i}`));
    const jm = await port.podUsage(NS, "app=flink-jobmanager");
    expect(jm).toEqual([
      {
        pod: "flink-jobmanager-0",
        cpuMillicores: 5,
        memoryBytes: 2 ** 30,
        cpuLimitMillicores: null,
        memoryLimitBytes: null,
      },
    ]);
  });

  it("is empty for a selector that matches nothing", async () => {
    expect(await port.podUsage(NS, "app=nothing")).toEqual([]);
  });

  it("says plainly when metrics-server is not installed", async () => {
    kube.state.metricsApi = false;
    const error = await failure(port.podUsage(NS, SELECTOR));
    expect(error.message).toBe("metrics.k8s.io is not available (is metrics-server installed?)");
    expect(error.code).toBe("metrics-unavailable");
    expect(error.status).toBe(404);
  });

  it("says when metrics-server is installed but not answering", async () => {
    kube.setFailure({ resource: "pods.metrics.k8s.io", status: 503 });
    const error = await failure(port.podUsage(NS, SELECTOR));
    expect(error.message).toBe(
      "metrics.k8s.io is not available (metrics-server is not answering: the server is currently unable to handle the request)",
    );
  });

  it("passes on RBAC refusals with the server's message", async () => {
    kube.setFailure({ verb: "list", resource: "pods", status: 403 });
    const error = await failure(port.podUsage(NS, SELECTOR));
    expect(error.message).toBe(
      'forbidden: pods is forbidden: User "system:serviceaccount:ops:runbook-bot" cannot list resource "pods" in API group "" in the namespace "flink"',
    );
    expect(error.code).toBe("forbidden");
  });
});

describe("getScale", () => {
  it("reads the deployment (is it owned by a FlinkDeployment?), then its scale subresource", async () => {
    expect(await port.getScale(NS, DEPLOYMENT)).toEqual({
      namespace: NS,
      name: DEPLOYMENT,
      replicas: 4,
      currentReplicas: 4,
    });
    expect(kube.requests.map(({ method, path }) => `${method} ${path}`)).toEqual([
      "GET /apis/apps/v1/namespaces/flink/deployments/flink-taskmanager",
      `GET ${SCALE_PATH}`,
    ]);
  });

  it("names the missing deployment", async () => {
    const error = await failure(port.getScale(NS, "nope"));
    expect(error.message).toBe("deployment flink/nope not found");
    expect(error.code).toBe("not-found");
  });
});

describe("scaleDeployment", () => {
  it("sends a merge patch of spec.replicas to the scale subresource and returns the answered scale", async () => {
    const scale = await port.scaleDeployment(NS, DEPLOYMENT, 8);
    // One read first: is the Deployment owned by a FlinkDeployment (then the operator would undo it)?
    expect(kube.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /apis/apps/v1/namespaces/flink/deployments/flink-taskmanager",
      `PATCH ${SCALE_PATH}`,
    ]);
    const request = kube.requests[1];
    expect({
      method: request?.method,
      path: request?.path,
      contentType: request?.contentType,
      body: request?.body,
    }).toEqual({
      method: "PATCH",
      path: SCALE_PATH,
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 8 } },
    });
    // The server answers the new spec; status is the controller's, not yet converged.
    expect(scale).toEqual({ namespace: NS, name: DEPLOYMENT, replicas: 8, currentReplicas: 4 });
    const deployment = kube.state.deployments[0];
    expect(deployment?.spec.replicas).toBe(8);
    expect(deployment?.metadata.generation).toBe(2);
  });

  it("reads back the converged scale and the new pods", async () => {
    await port.scaleDeployment(NS, DEPLOYMENT, 8);
    kube.converge(NS, DEPLOYMENT);
    expect(await port.getScale(NS, DEPLOYMENT)).toMatchObject({ replicas: 8, currentReplicas: 8 });
    expect(await port.podUsage(NS, SELECTOR)).toHaveLength(8);
    await port.scaleDeployment(NS, DEPLOYMENT, 2);
    kube.converge(NS, DEPLOYMENT);
    expect((await port.podUsage(NS, SELECTOR)).map((u) => u.pod)).toEqual([
      "flink-taskmanager-0",
      "flink-taskmanager-1",
    ]);
  });

  it("refuses a replica count that is not a whole number >= 0 without calling the API", async () => {
    const error = await failure(port.scaleDeployment(NS, DEPLOYMENT, -1));
    expect(error.code).toBe("invalid");
    expect(await failure(port.scaleDeployment(NS, DEPLOYMENT, 2.5))).toMatchObject({ code: "invalid" });
    expect(kube.requests).toEqual([]);
  });

  it("passes on RBAC refusals with the server's message", async () => {
    kube.setFailure({ verb: "patch", resource: "deployments.apps/scale", status: 403 });
    const error = await failure(port.scaleDeployment(NS, DEPLOYMENT, 8));
    expect(error.message).toBe(
      'forbidden: deployments.apps "flink-taskmanager" is forbidden: User "system:serviceaccount:ops:runbook-bot" cannot patch resource "deployments/scale" in API group "apps" in the namespace "flink"',
    );
    expect(error.status).toBe(403);
    expect(kube.state.deployments[0]?.spec.replicas).toBe(4);
  });

  it("names the missing deployment", async () => {
    const error = await failure(port.scaleDeployment(NS, "flink-taskmanager-typo", 8));
    expect(error.message).toBe("deployment flink/flink-taskmanager-typo not found");
  });
});

describe("connection problems", () => {
  it("rejects quickly and clearly when nothing listens at the server address", async () => {
    const closed = await closedPort();
    const yaml = kube.kubeConfigYaml.replace(kube.url, `http://127.0.0.1:${closed}`);
    const unreachable = createKubernetes({ kubeConfigYaml: yaml, requestTimeoutMs: 5_000 });
    const started = Date.now();
    const error = await failure(unreachable.getScale(NS, DEPLOYMENT));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe("unreachable");
    expect(error.message).toBe(
      `could not reach the Kubernetes API at http://127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}`,
    );
  });

  it("gives up on a slow server after the request timeout", async () => {
    kube.setFailure({ resource: "deployments.apps/scale", delayMs: 10_000 });
    const impatient = createKubernetes({ kubeConfigYaml: kube.kubeConfigYaml, requestTimeoutMs: 300 });
    const started = Date.now();
    const error = await failure(impatient.scaleDeployment(NS, DEPLOYMENT, 8));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3_000);
    expect(error.code).toBe("timeout");
    expect(error.message).toBe(`the Kubernetes API at ${kube.url} did not answer within 300 ms`);
  });

  it("answers normally when the server is slow but within the timeout", async () => {
    kube.setFailure({ resource: "deployments.apps/scale", delayMs: 150, times: 1 });
    expect(await port.getScale(NS, DEPLOYMENT)).toMatchObject({ replicas: 4 });
  });

  it("reports rejected credentials without showing them", async () => {
    const yaml = kube.kubeConfigYaml.replace(kube.token, "wrong-token-123");
    const error = await failure(createKubernetes({ kubeConfigYaml: yaml }).getScale(NS, DEPLOYMENT));
    expect(error.code).toBe("unauthorized");
    expect(error.message).toBe(`unauthorized: the Kubernetes API at ${kube.url} rejected the credentials`);
    expect(error.message).not.toContain("wrong-token-123");
  });

  it("never puts the token in an error message", async () => {
    kube.setFailure({ status: 500 });
    const error = await failure(port.getScale(NS, DEPLOYMENT));
    expect(error.message).toContain("Kubernetes API error 500");
    expect(error.message).not.toContain(kube.token);
  });
});

describe("configuration", () => {
  it("loads a kubeconfig file and selects a context", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kube-"));
    try {
      const path = join(dir, "config");
      const second = kube.kubeConfigYaml
        .replace("current-context: kube-test", "current-context: elsewhere")
        .replace(
          "contexts:\n",
          "contexts:\n  - name: elsewhere\n    context:\n      cluster: kube-test\n      user: nobody\n",
        );
      writeFileSync(path, second);
      const fromFile = createKubernetes({ kubeconfigPath: path, context: "kube-test" });
      expect(fromFile.describeTarget).toBe(`${kube.url} (context kube-test)`);
      expect(await fromFile.getScale(NS, DEPLOYMENT)).toMatchObject({ replicas: 4 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown context", () => {
    expect(() => createKubernetes({ kubeConfigYaml: kube.kubeConfigYaml, context: "prod" })).toThrow(
      'kubeconfig has no context "prod"',
    );
  });

  it("says so when no kubeconfig can be found at all", () => {
    const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG };
    const home = mkdtempSync(join(tmpdir(), "home-"));
    try {
      process.env.HOME = home;
      delete process.env.KUBECONFIG;
      const create = () => createKubernetes({});
      if (existsSync("/var/run/secrets/kubernetes.io/serviceaccount/token")) {
        // Inside a pod the default resolution finds the service account instead.
        expect(create().describeTarget).toContain("inClusterContext");
      } else {
        expect(create).toThrow(
          "could not load the default kubeconfig: no kubeconfig found ($KUBECONFIG, ~/.kube/config) and no in-cluster service account",
        );
      }
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("refuses a missing kubeconfig file", () => {
    expect(() => createKubernetes({ kubeconfigPath: "/nonexistent/kubeconfig" })).toThrow(
      /could not load \/nonexistent\/kubeconfig: ENOENT/,
    );
  });
});

describe("the API server peer", () => {
  const patch = (contentType: string, body: string, query = "") =>
    fetch(`${kube.url}${SCALE_PATH}${query}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${kube.token}`, "content-type": contentType },
      body,
    });

  it("rejects a PATCH content type the scale subresource does not take with 415", async () => {
    const response = await patch("application/json", '{"spec":{"replicas":8}}');
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "UnsupportedMediaType",
      code: 415,
    });
    expect(kube.state.deployments[0]?.spec.replicas).toBe(4);
  });

  it("applies json-patch and strategic merge patch, and wants a fieldManager for apply", async () => {
    const jsonPatch = await patch(
      "application/json-patch+json",
      '[{"op":"test","path":"/spec/replicas","value":4},{"op":"replace","path":"/spec/replicas","value":5}]',
    );
    expect(jsonPatch.status).toBe(200);
    expect(kube.state.deployments[0]?.spec.replicas).toBe(5);
    const strategic = await patch("application/strategic-merge-patch+json", '{"spec":{"replicas":6}}');
    expect(await strategic.json()).toMatchObject({
      kind: "Scale",
      spec: { replicas: 6 },
      status: { replicas: 4 },
    });
    const apply = await patch(
      "application/apply-patch+yaml",
      "apiVersion: autoscaling/v1\nkind: Scale\nspec:\n  replicas: 7\n",
    );
    expect(apply.status).toBe(422);
    const applied = await patch(
      "application/apply-patch+yaml",
      "apiVersion: autoscaling/v1\nkind: Scale\nspec:\n  replicas: 7\n",
      "?fieldManager=test",
    );
    expect(applied.status).toBe(200);
    expect(kube.state.deployments[0]?.spec.replicas).toBe(7);
  });

  it("validates replicas, honours resourceVersion preconditions and dryRun", async () => {
    expect((await patch("application/merge-patch+json", '{"spec":{"replicas":-1}}')).status).toBe(422);
    const stale = await patch(
      "application/merge-patch+json",
      '{"metadata":{"resourceVersion":"999"},"spec":{"replicas":9}}',
    );
    expect(stale.status).toBe(409);
    const dry = await patch("application/merge-patch+json", '{"spec":{"replicas":9}}', "?dryRun=All");
    expect(await dry.json()).toMatchObject({ spec: { replicas: 9 } });
    expect(kube.state.deployments[0]?.spec.replicas).toBe(4);
  });

  it("requires the bearer token and serves discovery", async () => {
    expect((await fetch(`${kube.url}${SCALE_PATH}`)).status).toBe(401);
    expect(await (await fetch(`${kube.url}/version`)).json()).toMatchObject({
      major: "1",
      gitVersion: "v1.31.0",
    });
    const groups = async () =>
      (await (
        await fetch(`${kube.url}/apis`, { headers: { authorization: `Bearer ${kube.token}` } })
      ).json()) as {
        groups: { name: string }[];
      };
    expect((await groups()).groups.map((g) => g.name)).toEqual(["apps", "storage.k8s.io", "metrics.k8s.io"]);
    kube.state.metricsApi = false;
    expect((await groups()).groups.map((g) => g.name)).toEqual(["apps", "storage.k8s.io"]);
    kube.state.flinkOperator = true;
    expect((await groups()).groups.map((g) => g.name)).toEqual([
      "apps",
      "storage.k8s.io",
      "flink.apache.org",
    ]);
  });

  it("filters with set-based and inequality label selectors and refuses malformed ones", async () => {
    const list = async (selector: string) => {
      const response = await fetch(
        `${kube.url}/api/v1/namespaces/flink/pods?labelSelector=${encodeURIComponent(selector)}`,
        { headers: { authorization: `Bearer ${kube.token}` } },
      );
      return { status: response.status, body: (await response.json()) as { items?: unknown[] } };
    };
    expect((await list("app in (flink-taskmanager,x)")).body.items).toHaveLength(4);
    expect((await list("app notin (flink-taskmanager)")).body.items).toHaveLength(0);
    expect((await list("app!=other,app")).body.items).toHaveLength(4);
    expect((await list("!app")).body.items).toHaveLength(0);
    expect((await list("app=flink-taskmanager,tier=gold")).body.items).toHaveLength(0);
    expect((await list("app==")).body.items).toHaveLength(0);
    expect((await list("app in x")).status).toBe(400);
  });

  it("refuses a failure rule that would do nothing", () => {
    expect(() => kube.setFailure({ verb: "get" })).toThrow("status and/or delayMs");
  });

  it("records every request and fails only as many times as told", async () => {
    kube.setFailure({ verb: "get", resource: "deployments.apps/scale", status: 404, times: 1 });
    await expect(port.getScale(NS, DEPLOYMENT)).rejects.toThrow(
      "deployment flink/flink-taskmanager not found",
    );
    await expect(port.getScale(NS, DEPLOYMENT)).resolves.toMatchObject({ replicas: 4 });
    expect(kube.requests.map((r) => [r.verb, r.resource, r.namespace, r.name])).toEqual([
      // The Deployment first (a FlinkDeployment may own it), then its scale.
      ["get", "deployments.apps", NS, DEPLOYMENT],
      ["get", "deployments.apps/scale", NS, DEPLOYMENT],
      ["get", "deployments.apps", NS, DEPLOYMENT],
      ["get", "deployments.apps/scale", NS, DEPLOYMENT],
    ]);
  });
});
