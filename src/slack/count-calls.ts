/**
 * Counts the Web API calls of the bot's WebClients by method and outcome for the telemetry,
 * through WebClient's `fetch` option (every HTTP request it makes, retries included, goes through
 * it). The method is the URL's path under the API base (`chat.postMessage`); a request elsewhere
 * (a file's upload URL) counts as `files.upload`. The outcome is `error` for a failed request, an
 * HTTP error or Slack's `{ok: false}`. Arguments and answers are never kept.
 */
import type { Telemetry } from "../ports/telemetry.ts";

export function countingFetch(
  apiUrl: string,
  telemetry: Telemetry,
  fetchFn: typeof fetch = fetch,
): typeof fetch {
  const base = apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`;
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = url.startsWith(base) ? (url.slice(base.length).split(/[?#]/)[0] ?? "") : "files.upload";
    let response: Response;
    try {
      response = await fetchFn(input, init);
    } catch (error) {
      telemetry.slackCall(method, "error");
      throw error;
    }
    telemetry.slackCall(method, (await answeredOk(response)) ? "ok" : "error");
    return response;
  };
}

async function answeredOk(response: Response): Promise<boolean> {
  if (!response.ok) return false;
  if (!(response.headers.get("content-type") ?? "").includes("json")) return true;
  try {
    const body = (await response.clone().json()) as { ok?: unknown };
    return body.ok !== false;
  } catch {
    return true;
  }
}
