/**
 * The operability endpoints on their own port (node:http, no framework), apart from Slack's
 * /slack/events so that probes and scrapers need no Slack signature and never reach Slack's path:
 *   GET /healthz  200 while the process's event loop answers;
 *   GET /readyz   200 when ready, else 503; both with the readiness checks as JSON;
 *   GET /metrics  the Prometheus text format.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readiness } from "./readiness.ts";

export interface OpsSource {
  readiness(): Readiness;
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startOpsServer(options: {
  readonly host: string;
  readonly port: number;
  readonly source: OpsSource;
}): Promise<OpsServer> {
  const server = createServer((req, res) => {
    route(req, res, options.source).catch(() => {
      if (!res.headersSent) send(res, 500, "application/json", JSON.stringify({ error: "internal error" }));
      else res.destroy();
    });
  });
  // Scrapes and probes are short: a client that holds a connection open must not block stop().
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, source: OpsSource): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    send(res, 405, "application/json", JSON.stringify({ error: "method not allowed" }));
    return;
  }
  if (path === "/healthz") {
    send(res, 200, "application/json", JSON.stringify({ status: "alive" }));
    return;
  }
  if (path === "/readyz") {
    const r = source.readiness();
    const body = { ready: r.ready, notReady: r.notReady, checks: r.checks };
    send(res, r.ready ? 200 : 503, "application/json", JSON.stringify(body));
    return;
  }
  if (path === "/metrics") {
    const { contentType, body } = await source.metrics();
    send(res, 200, contentType, body);
    return;
  }
  send(
    res,
    404,
    "application/json",
    JSON.stringify({ error: "not found", paths: ["/healthz", "/readyz", "/metrics"] }),
  );
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
