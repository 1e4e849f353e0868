/**
 * Loading a kubeconfig, per-call options (timeout, content type, path fix-ups) and the one call
 * wrapper every request goes through: typed errors, and a bounded retry with backoff when the API
 * throttles (429, honouring Retry-After up to a cap).
 */
import {
  ApiException,
  type ConfigurationOptions,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { type CallContext, KubernetesError, toKubernetesError } from "./kube-errors.ts";

/**
 * The field manager every write names (?fieldManager=): the server records the fields the bot set
 * under it in managedFields, instead of the HTTP client's user agent ("node-fetch").
 */
export const FIELD_MANAGER = "runbook-bot";

export interface KubeConfigSource {
  readonly kubeconfigPath?: string;
  readonly context?: string;
  readonly inCluster?: boolean;
  readonly kubeConfigYaml?: string;
}

export function loadKubeConfig(options: KubeConfigSource): KubeConfig {
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
export function safeServerUrl(server: string): string {
  try {
    const url = new URL(server);
    url.username = "";
    url.password = "";
    return url.toString().replace(/\/$/, "");
  } catch {
    return server;
  }
}

/** Aborts the request (connect, headers and body) after `ms`; optionally rewrites the URL. */
function requestMiddleware(ms: number, rewriteUrl?: (url: string) => string): ObservableMiddleware {
  return {
    pre: (request) => {
      request.setSignal(AbortSignal.timeout(ms));
      if (rewriteUrl) request.setUrl(rewriteUrl(request.getUrl()));
      return new Observable(Promise.resolve(request));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

export interface RetryPolicy {
  /** Attempts in all when throttled (default 3). */
  readonly maxAttempts: number;
  /** First backoff; doubles each time (default 250 ms). */
  readonly baseDelayMs: number;
  /** Cap for one wait, Retry-After included (default 2 s). */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 };

function retryAfterMs(error: ApiException<unknown>): number | undefined {
  const header = error.headers?.["retry-after"] ?? error.headers?.["Retry-After"];
  if (header === undefined) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export class KubeCaller {
  constructor(
    readonly server: string,
    readonly timeoutMs: number,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  /** Fresh options per call: the client reverses a shared middleware array in place. */
  options(contentType?: string, rewriteUrl?: (url: string) => string): ConfigurationOptions {
    const base: ConfigurationOptions = {
      middleware: [requestMiddleware(this.timeoutMs, rewriteUrl)],
      middlewareMergeStrategy: "append",
    };
    return contentType === undefined ? base : setHeaderOptions("Content-Type", contentType, base);
  }

  /**
   * Runs one API call; a 429 is retried with backoff up to maxAttempts, then reported as
   * "throttled ... N times; gave up after X s". `operation` names the call in that message.
   */
  async call<T>(
    operation: string,
    context: Omit<CallContext, "server" | "timeoutMs">,
    run: () => Promise<T>,
  ): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await run();
      } catch (error) {
        const throttled = error instanceof ApiException && Number(error.code) === 429;
        if (throttled && attempt < this.retry.maxAttempts) {
          const backoff = this.retry.baseDelayMs * 2 ** (attempt - 1);
          const wait = Math.min(this.retry.maxDelayMs, Math.max(backoff, retryAfterMs(error) ?? 0));
          await new Promise((resolve) => setTimeout(resolve, wait));
          continue;
        }
        const typed = toKubernetesError(error, {
          ...context,
          server: this.server,
          timeoutMs: this.timeoutMs,
        });
        if (throttled) {
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          return Promise.reject(
            new KubernetesError(
              "throttled",
              `the Kubernetes API throttled ${operation} ${attempt} times; gave up after ${seconds} s`,
              429,
            ),
          );
        }
        throw typed;
      }
    }
  }
}
