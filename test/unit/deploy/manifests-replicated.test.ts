/**
 * What makes the default variant replicated: two pods rolling on PostgreSQL (its URL from a
 * Secret), spread over nodes, a PodDisruptionBudget, the metrics Service, and a NetworkPolicy that
 * lets in only the ops port and out only what the bot calls.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Doc, loadDocs, loadVariant, ROOT } from "./manifest-files.ts";

const { one, manifests } = loadVariant("replicated");
const deployment = one("Deployment");
const pod = deployment.spec.template.spec as Doc;
const container = (pod.containers as Doc[])[0] as Doc;
const labels = deployment.spec.template.metadata.labels as Record<string, string>;

describe("replicated Deployment", () => {
  it("runs two replicas, rolling one at a time without going below two ready", () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
  });

  it("keeps no state in the pod: no volume claim, no /data", () => {
    expect(manifests.filter((m) => m.doc.kind === "PersistentVolumeClaim")).toEqual([]);
    for (const volume of pod.volumes as Doc[])
      expect(volume.persistentVolumeClaim, volume.name).toBeUndefined();
  });

  it("takes the database URL from a Secret", () => {
    const url = (container.env as Doc[]).find((e) => e.name === "RUNBOOK_BOT_DATABASE_URL");
    expect(url?.value).toBeUndefined();
    expect(url?.valueFrom?.secretKeyRef).toEqual({ name: "runbook-bot-database", key: "url" });
  });

  it("spreads the replicas over nodes", () => {
    const spread = (pod.topologySpreadConstraints as Doc[])[0];
    expect(spread?.topologyKey).toBe("kubernetes.io/hostname");
    expect(spread?.maxSkew).toBe(1);
    expect(spread?.labelSelector.matchLabels).toEqual(labels);
    const preferred = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution as Doc[];
    expect(preferred[0]?.podAffinityTerm.topologyKey).toBe("kubernetes.io/hostname");
    expect(preferred[0]?.podAffinityTerm.labelSelector.matchLabels).toEqual(labels);
  });
});

describe("PodDisruptionBudget", () => {
  it("keeps at least one replica through voluntary disruptions", () => {
    const pdb = one("PodDisruptionBudget");
    expect(pdb.apiVersion).toBe("policy/v1");
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
  });
});

describe("Service", () => {
  it("exposes the ops port of the pods for scraping", () => {
    const service = one("Service");
    expect(service.spec.selector).toEqual(labels);
    expect(service.spec.ports).toEqual([{ name: "ops", port: 9090, targetPort: "ops", protocol: "TCP" }]);
    expect(service.metadata.annotations["prometheus.io/path"]).toBe("/metrics");
  });
});

describe("NetworkPolicy", () => {
  const policy = one("NetworkPolicy");
  const egress = policy.spec.egress as Doc[];
  const portsTo = (rule: Doc) => (rule.ports as Doc[]).map((p) => `${p.protocol}/${p.port}`);

  it("applies to the bot's pods, both directions", () => {
    expect(policy.spec.podSelector.matchLabels).toEqual(labels);
    expect([...policy.spec.policyTypes].sort()).toEqual(["Egress", "Ingress"]);
  });

  it("lets in only the ops port", () => {
    expect(policy.spec.ingress).toEqual([{ ports: [{ port: 9090, protocol: "TCP" }] }]);
  });

  it("lets out DNS, PostgreSQL, Kafka, Flink REST and HTTPS (Slack, AWS, the API server), nothing else", () => {
    const all = egress.flatMap(portsTo).sort();
    expect(all).toEqual(
      [
        "UDP/53",
        "TCP/53",
        "TCP/5432",
        "TCP/9092",
        "TCP/9094",
        "TCP/9096",
        "TCP/9098",
        "TCP/8081",
        "TCP/443",
        "TCP/6443",
      ].sort(),
    );
    for (const rule of egress) expect(rule.ports?.length, JSON.stringify(rule)).toBeGreaterThan(0);
    const dns = egress.find((r) => portsTo(r).includes("UDP/53"));
    expect(dns?.to[0].namespaceSelector.matchLabels).toEqual({
      "kubernetes.io/metadata.name": "kube-system",
    });
    const flink = egress.find((r) => portsTo(r).includes("TCP/8081"));
    expect(flink?.to[0].podSelector.matchLabels).toEqual({ app: "flink-jobmanager" });
  });
});

describe("the database Secret example", () => {
  it("is outside what `kubectl apply -f manifests/` applies, and holds no real value", () => {
    const [secret] = loadDocs(["manifests/examples/database-secret.yaml"]).map((d) => d.doc);
    expect(secret?.kind).toBe("Secret");
    expect(secret?.metadata.name).toBe("runbook-bot-database");
    expect(secret?.stringData.url).toMatch(/REPLACE-ME/);
    expect(manifests.some((m) => m.doc.kind === "Secret")).toBe(false);
  });
});

describe("Dockerfile", () => {
  it("exposes the ops port and checks /healthz", () => {
    const text = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    expect(text).toMatch(/^EXPOSE 9090$/m);
    expect(text).toMatch(/^HEALTHCHECK .*\\\n\s+CMD \["node", "-e", ".*127\.0\.0\.1:9090\/healthz/m);
  });
});
