import { describe, expect, it } from "vitest";
import { countingFetch } from "../../../src/slack/count-calls.ts";
import { MemoryTelemetry } from "../../fakes/memory-telemetry.ts";

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });

describe("countingFetch", () => {
  it("counts each call by method: ok, Slack's ok:false, an HTTP error, a network error, an upload URL", async () => {
    const t = new MemoryTelemetry();
    const answers: Array<() => Response> = [
      () => json({ ok: true, ts: "1.2" }),
      () => json({ ok: false, error: "not_in_channel" }),
      () => json({ ok: false, error: "ratelimited" }, 429),
      () => {
        throw new TypeError("fetch failed");
      },
      () => new Response("OK", { status: 200, headers: { "content-type": "text/plain" } }),
    ];
    const fake: typeof fetch = async () => (answers.shift() as () => Response)();
    const f = countingFetch("http://127.0.0.1:1/api", t, fake);
    const first = await f("http://127.0.0.1:1/api/chat.postMessage", { method: "POST" });
    expect(await first.json()).toEqual({ ok: true, ts: "1.2" }); // the body is still there for WebClient
    await f("http://127.0.0.1:1/api/chat.postMessage", { method: "POST" });
    await f(new URL("http://127.0.0.1:1/api/chat.update"), { method: "POST" });
    await expect(f("http://127.0.0.1:1/api/views.open?x=1", { method: "POST" })).rejects.toThrow(
      "fetch failed",
    );
    await f("https://files.slack.com/upload/v1/ABC123?token=x", { method: "POST" });
    expect(t.said).toEqual([
      "slack chat.postMessage ok",
      "slack chat.postMessage error",
      "slack chat.update error",
      "slack views.open error",
      "slack files.upload ok",
    ]);
  });
});
