/**
 * A small JSON client for the Kubernetes control plane peer (node:https, the peer's CA, a bearer
 * token), used by the peer itself and by tests to set up state the way kubectl would, and to look
 * at what the server stored. Not the code under test: src/ talks through @kubernetes/client-node.
 */
import { request } from "node:https";

export interface KubeEndpoint {
  /** https://127.0.0.1:PORT */
  readonly server: string;
  readonly caPem: string;
  readonly token: string;
}

export interface KubeAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  /** Parsed JSON when the answer is JSON, else the raw text. */
  readonly body: unknown;
  readonly text: string;
}

export const MERGE_PATCH = "application/merge-patch+json";
export const STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
export const JSON_PATCH = "application/json-patch+json";

/** One request; never throws for an HTTP status (look at `status`). */
export function kubeFetch(
  endpoint: KubeEndpoint,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<KubeAnswer> {
  const url = new URL(path, endpoint.server);
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolveAnswer, reject) => {
    const req = request(
      url,
      {
        method,
        ca: endpoint.caPem,
        headers: {
          Authorization: `Bearer ${endpoint.token}`,
          Accept: "application/json",
          "User-Agent": "runbook-bot-tests",
          ...(payload !== undefined
            ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) }
            : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const type = res.headers["content-type"];
          let parsed: unknown = text;
          if (type?.includes("json")) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
          }
          resolveAnswer({ status: res.statusCode ?? 0, contentType: type, body: parsed, text });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Like kubeFetch, but a status >= 300 is an error naming the request and the server's message. */
export async function kube<T = Record<string, unknown>>(
  endpoint: KubeEndpoint,
  method: string,
  path: string,
  body?: unknown,
  contentType?: string,
): Promise<T> {
  const answer = await kubeFetch(endpoint, method, path, body, contentType);
  if (answer.status >= 300) {
    const message =
      answer.body !== null && typeof answer.body === "object" && "message" in answer.body
        ? String((answer.body as { message: unknown }).message)
        : answer.text.slice(0, 500);
    throw new Error(`${method} ${path}: ${answer.status} ${message}`);
  }
  return answer.body as T;
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined, or times out. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not reached within ${timeoutMs} ms${last instanceof Error ? ` (${last.message})` : ""}`,
      );
    }
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}
