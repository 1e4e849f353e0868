/**
 * One HTTP call to the Flink JobManager REST API with plain fetch: a whole-call deadline (retries
 * and backoff included), a bounded retry with backoff for GETs when nothing answered or Flink said
 * 502/503/504 (e.g. during a JobManager leader election), and typed errors whose messages can go
 * into a thread. Writes are never retried. Credentials (user:password in the URL, headers) never
 * appear in a message.
 */

import { maskUrl } from "../../core/mask-url.ts";
import { FlinkError } from "../../ports/flink.ts";

export const DEFAULT_FLINK_TIMEOUT_MS = 5_000;
export const DEFAULT_FLINK_MAX_ATTEMPTS = 3;
const BACKOFF_BASE_MS = 200;

export interface FlinkHttpOptions {
  /** http(s)://host:8081, optionally with a path prefix (a proxy). */
  readonly url: string;
  /** Upper bound for one call, retries and backoff included. */
  readonly timeoutMs?: number;
  /** Attempts for a GET (first try included). */
  readonly maxAttempts?: number;
  /** Extra headers, e.g. Authorization for a proxy in front of the JobManager. Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FlinkRequest {
  readonly method: "GET" | "POST";
  /** Path below the base URL, starting with "/", query included. */
  readonly path: string;
  readonly body?: unknown;
  /** What the path names, for 404 messages ("job 5c1e…"). */
  readonly what?: string;
  /** Overrides the client's timeout for this call. */
  readonly timeoutMs?: number;
}

/** The base URL without user:password, for messages. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return maskUrl(parsed.toString().replace(/\/$/, ""));
  } catch {
    return maskUrl(url);
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/** The messages of Flink's error body {"errors": [...]}, server-side stack traces cut to their first line. */
export function flinkErrorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (
      parsed !== null &&
      typeof parsed === "object" &&
      Array.isArray((parsed as { errors?: unknown }).errors)
    ) {
      const lines = ((parsed as { errors: unknown[] }).errors as unknown[])
        .filter((e): e is string => typeof e === "string")
        .map((e) => {
          const text = e.replace(/^<Exception on server side:\s*/, "").trim();
          return (text.split("\n")[0] ?? "").trim();
        })
        .filter((line) => line.length > 0);
      if (lines.length > 0) return lines.join(" / ").slice(0, 500);
    }
  } catch {
    // not JSON: fall through
  }
  const text = body.trim().replace(/\s+/g, " ");
  return text.length > 0 ? text.slice(0, 200) : "(empty body)";
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function networkReason(error: unknown): string {
  const code = networkCode(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return cause ?? code ?? (error instanceof Error ? error.message : String(error));
}

/** The answer of a successful call. */
export interface FlinkResponse {
  readonly status: number;
  readonly json: unknown;
}

type Attempt =
  | { readonly ok: true; readonly response: FlinkResponse }
  | { readonly ok: false; readonly error: FlinkError; readonly retry: boolean };

export class FlinkHttp {
  readonly target: string;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly authorization: string | undefined;

  constructor(options: FlinkHttpOptions) {
    const parsed = new URL(options.url);
    // fetch refuses URLs with credentials: turn them into a basic Authorization header.
    this.authorization =
      parsed.username || parsed.password
        ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString("base64")}`
        : undefined;
    parsed.username = "";
    parsed.password = "";
    this.base = parsed.toString().replace(/\/$/, "");
    this.target = displayUrl(options.url);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_FLINK_TIMEOUT_MS;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_FLINK_MAX_ATTEMPTS);
    this.headers = options.headers ?? {};
  }

  /** GETs a path; throws FlinkError. */
  async get(path: string, what?: string): Promise<unknown> {
    return (await this.call({ method: "GET", path, ...(what === undefined ? {} : { what }) })).json;
  }

  /**
   * GETs a plain-text file (a log), keeping only its last `maxBytes`: the body is streamed, so a
   * large file never sits in memory whole. Not retried. Throws FlinkError like call().
   */
  async getTextTail(
    path: string,
    maxBytes: number,
    what: string,
  ): Promise<{ text: string; truncated: boolean }> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const headers: Record<string, string> = { Accept: "text/plain", ...this.headers };
    if (this.authorization !== undefined) headers.Authorization = this.authorization;
    try {
      const response = await fetch(`${this.base}${path}`, { headers, signal: controller.signal });
      if (response.status < 200 || response.status >= 300) {
        const detail = flinkErrorText(await response.text());
        throw new FlinkError(
          response.status === 404 ? "not-found" : "http",
          `${what} not served by Flink REST at ${this.target} (${response.status}: ${detail})`,
          response.status,
        );
      }
      const chunks: Buffer[] = [];
      let kept = 0;
      let dropped = false;
      for await (const chunk of response.body ?? []) {
        const buf = Buffer.from(chunk as Uint8Array);
        chunks.push(buf);
        kept += buf.length;
        while (kept - (chunks[0]?.length ?? 0) >= maxBytes && chunks.length > 1) {
          kept -= chunks.shift()!.length;
          dropped = true;
        }
      }
      let all = Buffer.concat(chunks);
      if (all.length > maxBytes) {
        all = all.subarray(all.length - maxBytes);
        dropped = true;
      }
      let text = all.toString("utf8");
      // A cut start is a partial line: drop it.
      if (dropped) text = text.slice(text.indexOf("\n") + 1);
      return { text, truncated: dropped };
    } catch (error) {
      if (error instanceof FlinkError) throw error;
      if (timedOut) throw this.timeoutError({ method: "GET", path }, this.timeoutMs);
      throw new FlinkError(
        "unreachable",
        `could not reach Flink REST at ${this.target} (${networkReason(error)})`,
        undefined,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async call(request: FlinkRequest): Promise<FlinkResponse> {
    const timeoutMs = request.timeoutMs ?? this.timeoutMs;
    const started = Date.now();
    const deadline = started + timeoutMs;
    const attempts = request.method === "GET" ? this.maxAttempts : 1;
    let last: FlinkError | undefined;
    let made = 0;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      made = attempt;
      const result = await this.attempt(request, remaining, timeoutMs);
      if (result.ok) return result.response;
      last = result.error;
      if (!result.retry || attempt === attempts) break;
      const backoff = BACKOFF_BASE_MS * 2 ** (attempt - 1);
      if (Date.now() + backoff >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
    const error = last ?? this.timeoutError(request, timeoutMs);
    const tries = made > 1 && error.kind !== "timeout" ? this.triesNote(request, made, started) : "";
    if (!tries) throw error;
    throw new FlinkError(error.kind, `${error.message}${tries}`, error.status, { cause: error.cause });
  }

  private triesNote(request: FlinkRequest, made: number, started: number): string {
    return `; tried ${request.method} ${this.pathOnly(request.path)} ${made} times, gave up after ${seconds(Date.now() - started)}`;
  }

  private pathOnly(path: string): string {
    return path.split("?")[0] ?? path;
  }

  private timeoutError(request: FlinkRequest, timeoutMs: number): FlinkError {
    return new FlinkError(
      "timeout",
      `Flink REST at ${this.target} did not answer ${request.method} ${this.pathOnly(request.path)} within ${seconds(timeoutMs)}`,
    );
  }

  private async attempt(request: FlinkRequest, remainingMs: number, timeoutMs: number): Promise<Attempt> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, remainingMs);
    const headers: Record<string, string> = { Accept: "application/json", ...this.headers };
    if (this.authorization !== undefined) headers.Authorization = this.authorization;
    let body: string | undefined;
    if (request.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(request.body);
    }
    const label = `${request.method} ${this.pathOnly(request.path)}`;
    try {
      const response = await fetch(`${this.base}${request.path}`, {
        method: request.method,
        headers,
        signal: controller.signal,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      if (response.status >= 200 && response.status < 300) {
        if (text.trim() === "") return { ok: true, response: { status: response.status, json: null } };
        try {
          return { ok: true, response: { status: response.status, json: JSON.parse(text) } };
        } catch {
          return {
            ok: false,
            retry: false,
            error: new FlinkError(
              "invalid-response",
              `Flink REST at ${this.target} answered ${label} with something that is not JSON: ${flinkErrorText(text)}`,
              response.status,
            ),
          };
        }
      }
      const detail = flinkErrorText(text);
      if (response.status === 404) {
        const message = request.what
          ? `${request.what} not found on Flink REST at ${this.target} (${detail})`
          : `Flink REST at ${this.target} answered 404 to ${label}: ${detail}`;
        return { ok: false, retry: false, error: new FlinkError("not-found", message, 404) };
      }
      return {
        ok: false,
        retry: response.status === 502 || response.status === 503 || response.status === 504,
        error: new FlinkError(
          "http",
          `Flink REST at ${this.target} answered ${response.status} to ${label}: ${detail}`,
          response.status,
        ),
      };
    } catch (error) {
      if (timedOut) return { ok: false, retry: false, error: this.timeoutError(request, timeoutMs) };
      return {
        ok: false,
        retry: true,
        error: new FlinkError(
          "unreachable",
          `could not reach Flink REST at ${this.target} (${networkReason(error)})`,
          undefined,
          { cause: error },
        ),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
