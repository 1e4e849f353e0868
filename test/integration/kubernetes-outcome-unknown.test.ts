/**
 * Issue 10, finding 3, against the REAL kube-apiserver (test/peers/kube-peer.ts): the scale action
 * goes through a TCP proxy on 127.0.0.1 in front of the apiserver. The proxy forwards the request
 * at once (the server really applies it) but holds the server's answer longer than the adapter's
 * timeout, or cuts the connection once the server answered. The error must classify as
 * outcome-unknown, and the action's settle (a read of the real spec.replicas) must say "applied".
 * A proxy that refuses the connection (nothing sent) must classify as failed, and nothing applies.
 */
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { ActionContext } from "../../src/actions/action.ts";
import { scaleTaskmanagers } from "../../src/actions/scale-taskmanagers.ts";
import { createKubernetes } from "../../src/adapters/kubernetes/index.ts";
import { callOutcomeOf } from "../../src/core/call-outcome.ts";
import { settleOutcome } from "../../src/engine/settle-outcome.ts";
import { systemClock } from "../../src/ports/clock.ts";
import { deleteNamespace, seedStory } from "../peers/kube-story.ts";
import { testConfig } from "../unit/actions/config.ts";

const peer = inject("kubePeer");
const CLIENT_TIMEOUT_MS = 1_000;
let namespaces: string[] = [];
let proxies: Server[] = [];

afterEach(async () => {
  for (const p of proxies) p.close();
  proxies = [];
  await Promise.all(namespaces.map((ns) => deleteNamespace(peer, ns)));
  namespaces = [];
});

type Mode = { kind: "pass" } | { kind: "hold"; ms: number } | { kind: "cut-after-answer" };

/** A byte proxy to the apiserver; `mode` decides what happens to the server's answers (TLS passes through). */
async function startProxy(): Promise<{ port: number; setMode(mode: Mode): void; connections(): number }> {
  const target = new URL(peer.server);
  let mode: Mode = { kind: "pass" };
  let opened = 0;
  const server = createServer((client: Socket) => {
    opened += 1;
    const upstream = connect(Number(target.port), target.hostname);
    // TLS 1.3 records from the client: the first encrypted one (type 0x17) is its Finished, every
    // later one carries the HTTP request. Only answers to a request are held or cut, never the handshake.
    let pending = Buffer.alloc(0);
    let encrypted = 0;
    let cutting = false;
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5 && pending.length >= 5 + pending.readUInt16BE(3)) {
        if (pending[0] === 0x17) encrypted += 1;
        pending = pending.subarray(5 + pending.readUInt16BE(3));
      }
    });
    upstream.on("data", (chunk) => {
      const now: Mode = encrypted >= 2 ? mode : { kind: "pass" };
      if (now.kind === "hold") setTimeout(() => client.writable && client.write(chunk), now.ms);
      else if (now.kind === "cut-after-answer") {
        // The server is sending (its session tickets or its answer, so it has the request): the
        // client never gets any of it and its connection is cut. The server's side stays open a
        // while, so that it finishes the request (a close mid-request could cancel the write:
        // the first version cut both at once and flaked once in a full run, "not-applied").
        if (!cutting) {
          cutting = true;
          setTimeout(() => client.destroy(), 300);
          setTimeout(() => upstream.destroy(), 5_000).unref();
        }
      } else client.write(chunk);
    });
    const end = () => {
      client.destroy();
      if (!cutting) upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", () => {
      if (!cutting) upstream.destroy();
    });
    upstream.on("close", () => setTimeout(() => client.destroy(), mode.kind === "hold" ? mode.ms + 100 : 0));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  proxies.push(server);
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no proxy port");
  return {
    port: address.port,
    connections: () => opened,
    setMode: (m) => {
      mode = m;
    },
  };
}

/** The admin kubeconfig with its server moved to `port` on 127.0.0.1 (the cert names 127.0.0.1). */
function kubeConfigVia(port: number): string {
  const target = new URL(peer.server);
  return peer.adminKubeConfigYaml.replaceAll(target.host, `127.0.0.1:${port}`);
}

function contextOn(namespace: string, kubeConfigYaml: string): ActionContext {
  return {
    config: testConfig({ pipeline: { namespace } }),
    ports: {
      clock: systemClock,
      // No operator detection: execute sends the PATCH as its one request, so what is held is its answer.
      kubernetes: createKubernetes({
        kubeConfigYaml,
        requestTimeoutMs: CLIENT_TIMEOUT_MS,
        flinkOperator: "off",
      }),
    },
  };
}

async function scaleStory(prefix: string) {
  const seeded = await seedStory(peer, prefix);
  namespaces.push(seeded.namespace);
  const direct = contextOn(seeded.namespace, peer.adminKubeConfigYaml);
  const parsed = scaleTaskmanagers.parse(
    { namespace: seeded.namespace, deployment: "flink-taskmanager", replicas: 8 },
    direct.config,
  );
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const prepared = await scaleTaskmanagers.prepare(parsed.params, direct);
  return { ns: seeded.namespace, params: prepared.params, direct };
}

async function executeError(params: Parameters<typeof scaleTaskmanagers.execute>[0], ctx: ActionContext) {
  try {
    await scaleTaskmanagers.execute(params, ctx);
  } catch (error) {
    return error;
  }
  throw new Error("execute did not fail");
}

const settle = (
  params: Parameters<typeof scaleTaskmanagers.execute>[0],
  ctx: ActionContext,
  withinMs: number,
) =>
  settleOutcome({
    read: () => scaleTaskmanagers.settle!(params, ctx),
    clock: systemClock,
    withinMs,
    everyMs: 200,
    signal: new AbortController().signal,
  });

describe("a scale whose answer never arrives in time, on the real apiserver", () => {
  it("held answer: the client times out, the server applied it: unknown, then settled as applied", async () => {
    const { params, direct, ns } = await scaleStory("unknown-held");
    const proxy = await startProxy();
    const via = contextOn(ns, kubeConfigVia(proxy.port));
    await scaleTaskmanagers.recheck(params, via); // a read through the proxy works
    proxy.setMode({ kind: "hold", ms: 3_000 });
    const error = await executeError(params, via);
    expect(proxy.connections()).toBeGreaterThan(0);
    expect(callOutcomeOf(error)).toBe("unknown");
    const verdict = await settle(params, direct, 10_000);
    expect(verdict).toMatchObject({ state: "applied", detail: expect.stringMatching(/^8 taskmanagers/) });
  });

  it("connection cut after the server answered: unknown, then settled as applied", async () => {
    const { params, direct, ns } = await scaleStory("unknown-cut");
    const proxy = await startProxy();
    const via = contextOn(ns, kubeConfigVia(proxy.port));
    await scaleTaskmanagers.recheck(params, via); // a read through the proxy works
    proxy.setMode({ kind: "cut-after-answer" });
    const error = await executeError(params, via);
    expect(proxy.connections()).toBeGreaterThan(0);
    expect(callOutcomeOf(error)).toBe("unknown");
    const verdict = await settle(params, direct, 10_000);
    expect(verdict.state).toBe("applied");
  });

  it("connection refused (nothing was sent): failed, and the replicas did not change", async () => {
    const { params, direct, ns } = await scaleStory("unknown-refused");
    const proxy = await startProxy();
    proxies.pop()?.close(); // closed: connecting is refused
    await new Promise((r) => setTimeout(r, 50));
    const error = await executeError(params, contextOn(ns, kubeConfigVia(proxy.port)));
    expect(callOutcomeOf(error)).toBe("failed");
    const verdict = await settle(params, direct, 500);
    expect(verdict).toMatchObject({ state: "not-applied", detail: expect.stringMatching(/^4 taskmanagers/) });
  });
});
