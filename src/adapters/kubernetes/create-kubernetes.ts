/**
 * KubernetesPort over @kubernetes/client-node 1.4 (the only module that imports it, with
 * kube-errors.ts).
 *
 * - podUsage: CoreV1 listNamespacedPod (limits) + metrics.k8s.io/v1beta1 PodMetrics through
 *   CustomObjectsApi (the client's Metrics class cannot pass a labelSelector, loses the server's
 *   Status on errors and takes no timeout), joined in pod-usage.ts.
 * - getScale / scaleDeployment: the deployments/scale subresource; the PATCH is a JSON merge
 *   patch with an explicit Content-Type (client-node 1.x would otherwise send json-patch).
 * - Every call carries an AbortSignal (requestTimeoutMs), set by a per-call middleware.
 */
import {
  AppsV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  PatchStrategy,
  setHeaderOptions,
  type V1Scale,
} from "@kubernetes/client-node";
import type { DeploymentScale, KubernetesPort, PodUsage } from "../../ports/kubernetes.ts";
import { type CallContext, KubernetesError, toKubernetesError } from "./kube-errors.ts";
import { joinPodUsage, podMetricsItems } from "./pod-usage.ts";

export interface KubernetesOptions {
  /** kubeconfig file; without it (and without inCluster) the default kubeconfig resolution applies. */
  readonly kubeconfigPath?: string;
  /** kubeconfig context; the file's current-context when absent. */
  readonly context?: string;
  /** Use the pod's service account (KUBERNETES_SERVICE_HOST/PORT and the mounted token). */
  readonly inCluster?: boolean;
  /** kubeconfig content itself (tests, sandbox); wins over the other sources. */
  readonly kubeConfigYaml?: string;
  /** Per-request timeout, default 10 s. */
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

const METRICS_GROUP = "metrics.k8s.io";
const METRICS_VERSION = "v1beta1";

function loadKubeConfig(options: KubernetesOptions): KubeConfig {
  const config = new KubeConfig();
  try {
    if (options.kubeConfigYaml !== undefined) {
      config.loadFromString(options.kubeConfigYaml);
    } else if (options.inCluster) {
      if (!process.env.KUBERNETES_SERVICE_HOST || !process.env.KUBERNETES_SERVICE_PORT) {
        throw new Error("KUBERNETES_SERVICE_HOST/PORT are not set (not running in a pod?)");
      }
      config.loadFromCluster();
    } else if (options.kubeconfigPath !== undefined) {
      config.loadFromFile(options.kubeconfigPath);
    } else {
      config.loadFromDefault();
      // Nothing found: the client falls back to an unauthenticated http://localhost:8080.
      if (config.getCurrentContext() === "loaded-context" && config.getCurrentCluster()?.name === "cluster") {
        throw new Error(
          "no kubeconfig found ($KUBECONFIG, ~/.kube/config) and no in-cluster service account",
        );
      }
    }
  } catch (error) {
    const source =
      options.kubeConfigYaml !== undefined
        ? "the given kubeconfig"
        : options.inCluster
          ? "in-cluster credentials"
          : (options.kubeconfigPath ?? "the default kubeconfig");
    throw new Error(`could not load ${source}: ${(error as Error).message}`);
  }
  if (options.context !== undefined) {
    if (!config.getContextObject(options.context)) {
      throw new Error(`kubeconfig has no context ${JSON.stringify(options.context)}`);
    }
    config.setCurrentContext(options.context);
  }
  if (!config.getCurrentCluster()) {
    throw new Error("kubeconfig has no current context with a cluster");
  }
  return config;
}

/** The server URL without any user:password part. */
function safeServerUrl(server: string): string {
  try {
    const url = new URL(server);
    url.username = "";
    url.password = "";
    return url.toString().replace(/\/$/, "");
  } catch {
    return server;
  }
}

/** Aborts the request (connect, headers and body) after `ms`. */
function timeoutMiddleware(ms: number): ObservableMiddleware {
  return {
    pre: (request) => {
      request.setSignal(AbortSignal.timeout(ms));
      return new Observable(Promise.resolve(request));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

function toDeploymentScale(scale: V1Scale, namespace: string, name: string): DeploymentScale {
  return {
    namespace: scale.metadata?.namespace ?? namespace,
    name: scale.metadata?.name ?? name,
    replicas: scale.spec?.replicas ?? 0,
    currentReplicas: scale.status?.replicas ?? 0,
  };
}

export function createKubernetes(options: KubernetesOptions = {}): KubernetesPort {
  const config = loadKubeConfig(options);
  const server = safeServerUrl(config.getCurrentCluster()?.server ?? "");
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const core = config.makeApiClient(CoreV1Api);
  const apps = config.makeApiClient(AppsV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);

  /** Fresh options per call: the client reverses a shared middleware array in place. */
  const callOptions = (contentType?: string): ConfigurationOptions => {
    const base: ConfigurationOptions = {
      middleware: [timeoutMiddleware(timeoutMs)],
      middlewareMergeStrategy: "append",
    };
    return contentType === undefined ? base : setHeaderOptions("Content-Type", contentType, base);
  };

  async function call<T>(
    context: Omit<CallContext, "server" | "timeoutMs">,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toKubernetesError(error, { ...context, server, timeoutMs });
    }
  }

  return {
    describeTarget: `${server} (context ${config.getCurrentContext()})`,

    async podUsage(namespace: string, labelSelector: string): Promise<PodUsage[]> {
      const [pods, metrics] = await Promise.allSettled([
        call({}, () => core.listNamespacedPod({ namespace, labelSelector }, callOptions())),
        call({ metricsApi: true }, () =>
          custom.listNamespacedCustomObject(
            { group: METRICS_GROUP, version: METRICS_VERSION, namespace, plural: "pods", labelSelector },
            callOptions(),
          ),
        ),
      ]);
      if (pods.status === "rejected") throw pods.reason;
      if (metrics.status === "rejected") throw metrics.reason;
      return joinPodUsage(pods.value.items, podMetricsItems(metrics.value));
    },

    async getScale(namespace: string, deployment: string): Promise<DeploymentScale> {
      const scale = await call({ object: `deployment ${namespace}/${deployment}` }, () =>
        apps.readNamespacedDeploymentScale({ namespace, name: deployment }, callOptions()),
      );
      return toDeploymentScale(scale, namespace, deployment);
    },

    async scaleDeployment(namespace: string, deployment: string, replicas: number): Promise<DeploymentScale> {
      if (!Number.isInteger(replicas) || replicas < 0) {
        throw new KubernetesError("invalid", `replicas must be a whole number >= 0, got ${replicas}`);
      }
      const scale = await call({ object: `deployment ${namespace}/${deployment}` }, () =>
        apps.patchNamespacedDeploymentScale(
          { namespace, name: deployment, body: { spec: { replicas } } },
          callOptions(PatchStrategy.MergePatch),
        ),
      );
      return toDeploymentScale(scale, namespace, deployment);
    },
  };
}
