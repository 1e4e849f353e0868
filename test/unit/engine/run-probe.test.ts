import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../../src/config/schema.ts";
import type { Probe, ProbeContext } from "../../../src/core/runbook.ts";
import { probeProblem } from "../../../src/engine/probe-problems.ts";
import { errorMessage, formatShortDuration, runProbe } from "../../../src/engine/run-probe.ts";
import type { Ports } from "../../../src/ports/index.ts";
import type { KafkaPort } from "../../../src/ports/kafka.ts";
import type { KubernetesPort } from "../../../src/ports/kubernetes.ts";
import { type MetricsPort, seriesBatchBySeries } from "../../../src/ports/metrics.ts";
import { fakeKafkaPort, fakeKubernetesPort } from "../../fakes/ports.ts";

const config: AppConfig = { ...configSchema.parse({}), secrets: {} };
const startedAt = new Date("2025-03-01T12:00:00.000Z");

const clock = { now: () => startedAt, sleep: async () => undefined };
const kafka: KafkaPort = fakeKafkaPort({ describeTarget: "b1:9092,b2:9092" });
const metrics: MetricsPort = {
  describeTarget: "cloudwatch us-east-1",
  series: async () => [],
  seriesBatch: (window, selectors) => seriesBatchBySeries(async () => [], window, selectors),
};
const kubernetes: KubernetesPort = fakeKubernetesPort({
  describeTarget: "https://k8s.example:6443 (context prod)",
  podUsage: async () => [],
});

const allPorts: Ports = { clock, kafka, metrics, kubernetes };

function options(ports: Ports = allPorts, defaultTimeoutMs = 1000) {
  return { ports, config, startedAt, prior: {}, defaultTimeoutMs };
}

function testProbe<T>(spec: Partial<Probe<T>> & Pick<Probe<T>, "run">): Probe<T> {
  return { id: "p", title: "read something", needs: ["kafka"], ...spec };
}

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe("runProbe", () => {
  it("returns the probe's value as ok, with the context it was given", async () => {
    let seen: ProbeContext | undefined;
    const result = await runProbe(
      testProbe({
        run: async (ctx) => {
          seen = ctx;
          return { lag: 42 };
        },
      }),
      { ...options(), prior: { earlier: { status: "ok", value: 1, durationMs: 3 } } },
    );
    expect(result).toMatchObject({ status: "ok", value: { lag: 42 } });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(seen?.ports).toBe(allPorts);
    expect(seen?.config).toBe(config);
    expect(seen?.startedAt).toBe(startedAt);
    expect(seen?.prior).toEqual({ earlier: { status: "ok", value: 1, durationMs: 3 } });
    expect(seen?.signal.aborted).toBe(false);
  });

  it.each([
    ["an Error", new Error("connect ECONNREFUSED 10.0.0.1:9092"), "connect ECONNREFUSED 10.0.0.1:9092"],
    ["an Error without message", new TypeError(""), "TypeError"],
    ["a string", "broker said no", "broker said no"],
    ["an object", { code: 42 }, '{"code":42}'],
  ])("a probe that rejects with %s is failed with its message", async (_label, thrown, message) => {
    const result = await runProbe(testProbe({ run: () => Promise.reject(thrown) }), options());
    expect(result).toMatchObject({ status: "failed", error: message });
  });

  it("a probe that throws synchronously is failed, not an exception", async () => {
    const result = await runProbe(
      testProbe({
        run: () => {
          throw new Error("sync boom");
        },
      }),
      options(),
    );
    expect(result).toMatchObject({ status: "failed", error: "sync boom" });
  });

  it("a probe that hangs times out within its own timeout and its signal is aborted", async () => {
    let signal: AbortSignal | undefined;
    const before = performance.now();
    const result = await runProbe(
      testProbe({
        timeoutMs: 50,
        run: (ctx) => {
          signal = ctx.signal;
          return new Promise(() => undefined);
        },
      }),
      options(allPorts, 60_000),
    );
    const took = performance.now() - before;
    expect(result).toMatchObject({ status: "timeout", error: "timed out after 50ms" });
    expect(result.durationMs).toBeGreaterThanOrEqual(45);
    expect(took).toBeLessThan(1000);
    expect(signal?.aborted).toBe(true);
    expect(errorMessage(signal?.reason)).toBe("timed out after 50ms");
  });

  it("uses the default timeout when the probe sets none, and a function of the config when it does", async () => {
    const hang = () => new Promise<never>(() => undefined);
    const byDefault = await runProbe(testProbe({ run: hang }), options(allPorts, 30));
    expect(byDefault).toMatchObject({ status: "timeout", error: "timed out after 30ms" });

    let asked: AppConfig | undefined;
    const byFunction = await runProbe(
      testProbe({
        run: hang,
        timeoutMs: (c) => {
          asked = c;
          return 40;
        },
      }),
      options(allPorts, 60_000),
    );
    expect(asked).toBe(config);
    expect(byFunction).toMatchObject({ status: "timeout", error: "timed out after 40ms" });
  });

  it("a probe that answers before its timeout is not aborted later", async () => {
    let signal: AbortSignal | undefined;
    const result = await runProbe(
      testProbe({
        timeoutMs: 30,
        run: async (ctx) => {
          signal = ctx.signal;
          return "fast";
        },
      }),
      options(),
    );
    expect(result).toMatchObject({ status: "ok", value: "fast" });
    await new Promise((r) => setTimeout(r, 60));
    expect(signal?.aborted).toBe(false);
  });

  describe("late settlement after a timeout", () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    beforeEach(() => {
      unhandled.length = 0;
      process.on("unhandledRejection", onUnhandled);
    });
    afterEach(() => {
      process.off("unhandledRejection", onUnhandled);
    });

    it("a rejection after the timeout is not an unhandled rejection", async () => {
      const late = deferred<string>();
      const result = await runProbe(testProbe({ timeoutMs: 20, run: () => late.promise }), options());
      expect(result.status).toBe("timeout");
      late.reject(new Error("late failure"));
      await tick();
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    });

    it("a probe that rejects with the abort reason when its signal aborts is reported as timeout", async () => {
      const result = await runProbe(
        testProbe({
          timeoutMs: 20,
          run: ({ signal }) =>
            new Promise((_resolve, reject) => {
              signal.addEventListener("abort", () => reject(signal.reason), { once: true });
            }),
        }),
        options(),
      );
      expect(result).toMatchObject({ status: "timeout", error: "timed out after 20ms" });
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    });
  });

  it("a probe needing a port that is absent is unconfigured and never runs", async () => {
    let ran = false;
    const run = async () => {
      ran = true;
      return 1;
    };
    const ports: Ports = { clock, kafka };
    const result = await runProbe(testProbe({ needs: ["kafka", "kubernetes"], run }), options(ports));
    expect(result).toEqual({ status: "unconfigured", port: "kubernetes", durationMs: 0 });
    expect(ran).toBe(false);

    const none = await runProbe(testProbe({ needs: ["metrics"], run }), options({ clock }));
    expect(none).toEqual({ status: "unconfigured", port: "metrics", durationMs: 0 });
    expect(ran).toBe(false);
  });

  it("a probe that needs no port always runs", async () => {
    const result = await runProbe(testProbe({ needs: [], run: async () => "x" }), options({ clock }));
    expect(result).toMatchObject({ status: "ok", value: "x" });
  });
});

describe("probeProblem", () => {
  const lagProbe = testProbe({
    title: "read the consumer group's lag",
    needs: ["kafka"],
    run: async () => 0,
  });

  it("has nothing to say about an ok probe", () => {
    expect(probeProblem(lagProbe, { status: "ok", value: 1, durationMs: 5 }, allPorts)).toBeUndefined();
  });

  it("a failed probe is an error finding naming the port's target and the time it took", () => {
    const f = probeProblem(lagProbe, { status: "failed", error: "ECONNREFUSED", durationMs: 1500 }, allPorts);
    expect(f).toEqual({
      severity: "error",
      title: "Could not read the consumer group's lag",
      detail: "b1:9092,b2:9092: ECONNREFUSED (after 1.5s)",
      evidence: [],
      proposals: [],
    });
  });

  it("a timed-out probe is an error finding naming the target and the timeout", () => {
    const f = probeProblem(
      testProbe({ title: "read taskmanager pods", needs: ["kubernetes"], run: async () => 0 }),
      { status: "timeout", error: "timed out after 10s", durationMs: 10_003 },
      allPorts,
    );
    expect(f?.severity).toBe("error");
    expect(f?.title).toBe("Could not read taskmanager pods");
    expect(f?.detail).toBe("https://k8s.example:6443 (context prod): timed out after 10s");
  });

  it("a failed probe that needs no port has no target prefix", () => {
    const f = probeProblem(
      testProbe({ needs: [], run: async () => 0 }),
      { status: "failed", error: "boom", durationMs: 0 },
      allPorts,
    );
    expect(f?.detail).toBe("boom (after 0ms)");
  });

  it.each([
    ["kafka", "Kafka", "a", "kafka"],
    ["metrics", "CloudWatch metrics", "an", "aws"],
    ["logs", "CloudWatch Logs", "an", "aws"],
    ["firehose", "Firehose", "an", "aws"],
    ["msk", "MSK", "a", "msk"],
    ["kubernetes", "Kubernetes", "a", "kubernetes"],
    ["flink", "Flink REST", "a", "flink"],
  ] as const)(
    "an unconfigured %s probe is an info finding naming the config section `%s`",
    (port, name, article, section) => {
      const f = probeProblem(
        testProbe({ title: "read the thing", needs: [port], run: async () => 0 }),
        { status: "unconfigured", port, durationMs: 0 },
        { clock },
      );
      expect(f).toEqual({
        severity: "info",
        title: `Not checked: ${name} is not configured`,
        detail: `Could not read the thing. Add ${article} \`${section}\` section to the config to let the bot check this.`,
        evidence: [],
        proposals: [],
      });
    },
  );
});

describe("formatShortDuration", () => {
  it.each([
    [0, "0ms"],
    [50, "50ms"],
    [999.6, "1s"],
    [1000, "1s"],
    [1500, "1.5s"],
    [10_000, "10s"],
    [12_345, "12.3s"],
  ])("%d ms -> %s", (ms, text) => {
    expect(formatShortDuration(ms)).toBe(text);
  });
});
