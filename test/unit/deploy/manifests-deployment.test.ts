/**
 * The Deployment and ConfigMap of both variants: the replicated default (two replicas on
 * PostgreSQL, rolling) and the single-replica SQLite variant (Recreate, a ReadWriteOnce volume).
 * Hardened, probed on the ops endpoints, secrets only from Secrets, a config the real loader takes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AppConfig } from "../../../src/config/schema.ts";
import { storeChoice } from "../../../src/config/store-choice.ts";
import { type Doc, loadConfigMap, loadVariant, ROOT, type VariantName } from "./manifest-files.ts";

const VARIANTS: VariantName[] = ["replicated", "single-replica-sqlite"];

describe.each(VARIANTS)("%s variant", (name) => {
  const { manifests, one, ofKind } = loadVariant(name);
  const deployment = one("Deployment");
  const configMap = one("ConfigMap");
  const account = one("ServiceAccount");
  const pod = deployment.spec.template.spec as Doc;
  const container = (pod.containers as Doc[])[0] as Doc;
  const configText = configMap.data["config.yaml"] as string;
  let loaded: AppConfig | undefined;
  const loadedConfig = () => {
    loaded ??= loadConfigMap(configMap, container);
    return loaded;
  };

  describe("Deployment", () => {
    it("selects its own pods", () => {
      expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    });

    it("uses the ServiceAccount and mounts its token for the API calls", () => {
      expect(pod.serviceAccountName).toBe(account.metadata.name);
      expect(pod.automountServiceAccountToken).toBe(true);
    });

    it("has a hardened security context", () => {
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBe(10001);
      expect(pod.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
      expect(pod.hostNetwork ?? false).toBe(false);
      expect(pod.hostPID ?? false).toBe(false);
      expect(pod.hostIPC ?? false).toBe(false);
      expect(pod.containers).toHaveLength(1);
      const sc = container.securityContext as Doc;
      expect(sc.allowPrivilegeEscalation).toBe(false);
      expect(sc.readOnlyRootFilesystem).toBe(true);
      expect(sc.privileged ?? false).toBe(false);
      expect(sc.runAsNonRoot).toBe(true);
      expect(sc.capabilities).toEqual({ drop: ["ALL"] });
      for (const volume of pod.volumes as Doc[]) expect(volume.hostPath, volume.name).toBeUndefined();
    });

    it("runs as the image's user", () => {
      const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
      const user = [...dockerfile.matchAll(/^USER\s+(\d+)/gm)].at(-1)?.[1];
      expect(Number(user)).toBe(pod.securityContext.runAsUser);
    });

    it("requests about the measured idle memory (~112 MB) and limits it with room for runs", () => {
      const mib = (q: string) => {
        const m = /^(\d+)(Mi|Gi)$/.exec(q);
        expect(m, q).not.toBeNull();
        return Number(m?.[1]) * (m?.[2] === "Gi" ? 1024 : 1);
      };
      const request = mib(container.resources.requests.memory);
      const limit = mib(container.resources.limits.memory);
      expect(request).toBeGreaterThanOrEqual(112 * 1.2 * 0.954); // 112 MB idle plus a margin, in MiB
      expect(request).toBeLessThanOrEqual(256);
      expect(limit).toBeGreaterThanOrEqual(2 * request);
      expect(limit).toBeLessThanOrEqual(512);
      expect(container.resources.requests.cpu).toBeTruthy();
      expect(container.resources.limits.cpu).toBeTruthy();
      // The V8 heap fits in the limit with room for the rest of the process.
      const heap = /--max-old-space-size=(\d+)/.exec(
        (container.env as Doc[]).find((e) => e.name === "NODE_OPTIONS")?.value ?? "",
      );
      expect(Number(heap?.[1])).toBeLessThan(limit * 0.8);
    });

    it("probes liveness on /healthz and readiness on /readyz, on the ops port of the config", () => {
      const ops = (container.ports as Doc[]).find((p) => p.name === "ops");
      expect(ops?.containerPort).toBe(loadedConfig().ops.port);
      expect(loadedConfig().ops.enabled).toBe(true);
      expect(loadedConfig().ops.host).toBe("0.0.0.0");
      expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "ops" });
      expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "ops" });
      // Liveness is slower to give up than readiness: Slack or the store away is not a restart.
      expect(
        container.livenessProbe.failureThreshold * container.livenessProbe.periodSeconds,
      ).toBeGreaterThan(container.readinessProbe.failureThreshold * container.readinessProbe.periodSeconds);
    });

    it("takes the Slack tokens from the runbook-bot-slack Secret, never from literal values", () => {
      const env = container.env as Doc[];
      for (const envName of ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]) {
        const entry = env.find((e) => e.name === envName);
        expect(entry?.valueFrom?.secretKeyRef?.name, envName).toBe("runbook-bot-slack");
        expect(entry?.value, envName).toBeUndefined();
      }
      for (const entry of env.filter((e) => /TOKEN|SECRET|PASSWORD|URL/.test(e.name as string))) {
        expect(entry.valueFrom?.secretKeyRef, entry.name).toBeDefined();
      }
      expect(container.envFrom).toBeUndefined();
      expect(JSON.stringify(manifests)).not.toMatch(/xox[abp]-[A-Za-z0-9]|xapp-\d-[A-Za-z0-9]/);
    });

    it("has a writable /tmp on a read-only root", () => {
      const mount = (container.volumeMounts as Doc[]).find((m) => m.mountPath === "/tmp");
      expect(mount?.readOnly ?? false).toBe(false);
      expect((pod.volumes as Doc[]).find((v) => v.name === mount?.name)?.emptyDir).toBeDefined();
    });

    it("mounts the ConfigMap where the command reads it", () => {
      expect(container.args).toEqual(["serve", "--config", "/etc/runbook-bot/config.yaml"]);
      const mount = (container.volumeMounts as Doc[]).find((m) => m.mountPath === "/etc/runbook-bot");
      expect(mount?.readOnly).toBe(true);
      const volume = (pod.volumes as Doc[]).find((v) => v.name === mount?.name);
      expect(volume?.configMap?.name).toBe(configMap.metadata.name);
      expect(volume?.configMap?.items).toEqual([{ key: "config.yaml", path: "config.yaml" }]);
    });
  });

  describe("ConfigMap", () => {
    it("holds a config.yaml the real loader accepts with the Deployment's environment", () => {
      expect(Object.keys(configMap.data)).toEqual(["config.yaml"]);
      expect(loadedConfig().secrets.slackBotToken).toBeDefined();
      expect(loadedConfig().secrets.slackAppToken).toBeDefined();
    });

    it("chooses the store of its variant: PostgreSQL for the replicas, SQLite for one replica", () => {
      expect(storeChoice(loadedConfig()).kind).toBe(name === "replicated" ? "postgres" : "sqlite");
    });

    it("uses in-cluster credentials and Socket Mode", () => {
      expect(loadedConfig().kubernetes?.inCluster).toBe(true);
      expect(loadedConfig().slack.mode).toBe("socket");
    });

    it("gets every variable it names from the Deployment", () => {
      const config = loadedConfig();
      const sasl = config.kafka?.sasl;
      const passwordEnv = sasl && "passwordEnv" in sasl ? sasl.passwordEnv : undefined;
      if (passwordEnv) {
        expect(config.secrets.kafkaPassword).toBeDefined();
        const entry = (container.env as Doc[]).find((e) => e.name === passwordEnv);
        expect(entry?.valueFrom?.secretKeyRef, passwordEnv).toBeDefined();
      }
    });

    it("configures approvers, so that fixes can be requested", () => {
      const { approvals } = loadedConfig();
      expect(approvals.users.length + approvals.usergroups.length).toBeGreaterThan(0);
      expect(approvals.allowSelfApproval).toBe(false);
    });

    it("holds no secret values", () => {
      expect(configText).not.toMatch(/xox[abp]-|xapp-|password:\s*\S|postgres(ql)?:\/\//);
    });
  });

  if (name === "single-replica-sqlite") {
    it("runs one replica on a ReadWriteOnce volume, replaced with Recreate", () => {
      expect(deployment.spec.replicas).toBe(1);
      expect(deployment.spec.strategy).toEqual({ type: "Recreate" });
      const mount = (container.volumeMounts as Doc[]).find((m) => m.mountPath === "/data");
      expect(mount?.readOnly ?? false).toBe(false);
      const claim = (pod.volumes as Doc[]).find((v) => v.name === mount?.name)?.persistentVolumeClaim;
      const pvc = ofKind("PersistentVolumeClaim").find((c) => c.metadata.name === claim?.claimName);
      expect(pvc?.spec.accessModes).toEqual(["ReadWriteOnce"]);
      expect(pod.securityContext.fsGroup).toBe(10001);
      expect(loadedConfig().store.path).toBe("/data/runbook-bot.db");
      expect(ofKind("PodDisruptionBudget")).toEqual([]);
    });
  }
});
