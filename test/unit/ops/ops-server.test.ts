import { afterEach, describe, expect, it } from "vitest";
import { type OpsServer, startOpsServer } from "../../../src/ops/ops-server.ts";
import { readiness } from "../../../src/ops/readiness.ts";

let server: OpsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(ready: boolean) {
  server = await startOpsServer({
    host: "127.0.0.1",
    port: 0,
    source: {
      readiness: () =>
        readiness({ configLoaded: true, slack: { connected: ready }, store: { ok: true, path: "x" } }),
      metrics: async () => ({ contentType: "text/plain; version=0.0.4; charset=utf-8", body: "up 1\n" }),
    },
  });
  return `http://127.0.0.1:${server.port}`;
}

describe("ops server", () => {
  it("answers the three paths, 404 elsewhere, 405 for other methods, HEAD without a body", async () => {
    const base = await start(true);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz?verbose`)).json()).toMatchObject({ ready: true });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await metrics.text()).toBe("up 1\n");
    expect((await fetch(`${base}/slack/events`)).status).toBe(404);
    const post = await fetch(`${base}/healthz`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await fetch(`${base}/readyz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("503 with the failing checks when not ready", async () => {
    const base = await start(false);
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ready: false, notReady: ["slack"] });
  });

  it("a port in use is an error at start", async () => {
    await start(true);
    const taken = server?.port ?? 0;
    await expect(
      startOpsServer({
        host: "127.0.0.1",
        port: taken,
        source: {
          readiness: () => readiness({ configLoaded: true, slack: { connected: true }, store: undefined }),
          metrics: async () => ({ contentType: "text/plain", body: "" }),
        },
      }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
