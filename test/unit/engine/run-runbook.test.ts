import { describe, expect, it } from "vitest";
import { type AppConfig, configSchema } from "../../../src/config/schema.ts";
import { findRunbook } from "../../../src/core/catalog.ts";
import { finding } from "../../../src/core/finding.ts";
import {
  type Probe,
  type ProbeResults,
  type Runbook,
  read,
  type StepAssessment,
  type StepSpec,
} from "../../../src/core/runbook.ts";
import { type RunObserver, runRunbook } from "../../../src/engine/run-runbook.ts";
import type { Clock } from "../../../src/ports/clock.ts";
import type { Ports } from "../../../src/ports/index.ts";
import type { KafkaPort } from "../../../src/ports/kafka.ts";
import { consumerLagRecovery } from "../../../src/runbooks/consumer-lag/verify.ts";
import { fakeKafkaPort } from "../../fakes/ports.ts";

function makeConfig(runbooks: Record<string, unknown> = {}): AppConfig {
  return { ...configSchema.parse({ runbooks }), secrets: {} };
}

/** A clock that advances one minute every time it is read. */
function steppingClock(start = "2025-03-01T12:00:00.000Z"): Clock {
  let t = new Date(start).getTime();
  return {
    now: () => {
      const d = new Date(t);
      t += 60_000;
      return d;
    },
    sleep: async () => undefined,
  };
}

const kafka: KafkaPort = fakeKafkaPort({ describeTarget: "b1:9092" });

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function valueProbe<T>(id: string, value: T, needs: Probe["needs"] = []): Probe<T> {
  return { id, title: `read ${id}`, needs, run: async () => value };
}

const okAssess = (summary: string) => (): StepAssessment => ({ status: "ok", summary, findings: [] });

function runbookOf(steps: StepSpec[], conclude?: Runbook["conclude"]): Runbook {
  return {
    meta: findRunbook("consumer-lag")!,
    steps,
    verify: consumerLagRecovery,
    conclude:
      conclude ?? ((_r, s) => ({ summary: `${s.length} steps`, severity: "ok", suggestedActions: [] })),
  };
}

describe("runRunbook", () => {
  it("runs the probes of a step in parallel and the steps one after another", async () => {
    const started: string[] = [];
    const gates = { a: deferred<string>(), b: deferred<string>(), c: deferred<string>() };
    const gated = (id: keyof typeof gates): Probe<string> => ({
      id,
      title: `read ${id}`,
      needs: [],
      run: () => {
        started.push(id);
        return gates[id].promise;
      },
    });
    const runbook = runbookOf([
      { id: "one", title: "One", probes: [gated("a"), gated("b")], assess: okAssess("one") },
      { id: "two", title: "Two", probes: [gated("c")], assess: okAssess("two") },
    ]);
    const run = runRunbook(runbook, { ports: { clock: steppingClock() }, config: makeConfig() });

    await flush();
    // Both probes of step one are in flight although neither has answered.
    expect(started).toEqual(["a", "b"]);
    gates.b.resolve("B");
    await flush();
    // Step two waits for every probe of step one.
    expect(started).toEqual(["a", "b"]);
    gates.a.resolve("A");
    await flush();
    expect(started).toEqual(["a", "b", "c"]);
    gates.c.resolve("C");
    const report = await run;
    expect(report.steps.map((s) => s.id)).toEqual(["one", "two"]);
  });

  it("gives later probes the results of earlier steps, and assess sees every result so far", async () => {
    let priorSeen: ProbeResults | undefined;
    let assessedWith: ProbeResults | undefined;
    const x = valueProbe("x", 1);
    const y: Probe<number> = {
      id: "y",
      title: "read y",
      needs: [],
      run: async ({ prior }) => {
        priorSeen = prior;
        return (read(prior, x) ?? 0) + 1;
      },
    };
    const runbook = runbookOf([
      { id: "one", title: "One", probes: [x], assess: okAssess("one") },
      {
        id: "two",
        title: "Two",
        probes: [y],
        assess: (results) => {
          assessedWith = results;
          return { status: "ok", summary: `y=${read(results, y)}`, findings: [] };
        },
      },
    ]);
    const report = await runRunbook(runbook, { ports: { clock: steppingClock() }, config: makeConfig() });
    expect(Object.keys(priorSeen ?? {})).toEqual(["x"]);
    expect(Object.keys(assessedWith ?? {}).sort()).toEqual(["x", "y"]);
    expect(report.steps[1]?.summary).toBe("y=2");
  });

  it("a probe that throws becomes an error finding naming the target; the step and run go on", async () => {
    const fine = valueProbe("fine", 7);
    const runbook = runbookOf([
      {
        id: "one",
        title: "One",
        probes: [
          {
            id: "broken",
            title: "read the consumer group's lag",
            needs: ["kafka"],
            run: () => Promise.reject(new Error("connect ECONNREFUSED")),
          },
          fine,
        ],
        assess: (results) => ({
          status: "warning",
          summary: `fine=${read(results, fine)} broken=${results.broken?.status}`,
          findings: [finding("warning", "from assess")],
        }),
      },
      { id: "two", title: "Two", probes: [], assess: okAssess("two ran") },
    ]);
    const report = await runRunbook(runbook, {
      ports: { clock: steppingClock(), kafka },
      config: makeConfig(),
    });
    const [one, two] = report.steps;
    expect(one?.summary).toBe("fine=7 broken=failed");
    // Assess findings first, then the probes' problems; the worst severity wins (warning > error).
    expect(one?.findings.map((f) => [f.severity, f.title])).toEqual([
      ["warning", "from assess"],
      ["error", "Could not read the consumer group's lag"],
    ]);
    expect(one?.findings[1]?.detail).toMatch(/^b1:9092: connect ECONNREFUSED \(after \d+ms\)$/);
    expect(one?.status).toBe("warning");
    expect(two?.summary).toBe("two ran");
  });

  it("an ok step with a failed probe is an error step", async () => {
    const runbook = runbookOf([
      {
        id: "one",
        title: "One",
        probes: [{ id: "p", title: "read p", needs: [], run: () => Promise.reject(new Error("x")) }],
        assess: okAssess("nothing to say"),
      },
    ]);
    const report = await runRunbook(runbook, { ports: { clock: steppingClock() }, config: makeConfig() });
    expect(report.steps[0]?.status).toBe("error");
  });

  it("a probe that hangs times out by the configured default and the run completes", async () => {
    const runbook = runbookOf([
      {
        id: "one",
        title: "One",
        probes: [
          {
            id: "hang",
            title: "read the slow thing",
            needs: ["kafka"],
            run: () => new Promise(() => undefined),
          },
          valueProbe("fast", 1),
        ],
        assess: okAssess("one"),
      },
      { id: "two", title: "Two", probes: [], assess: okAssess("two") },
    ]);
    const before = performance.now();
    const report = await runRunbook(runbook, {
      ports: { clock: steppingClock(), kafka },
      config: makeConfig({ probeTimeoutSeconds: 0.05 }),
    });
    expect(performance.now() - before).toBeLessThan(1000);
    expect(report.steps[0]?.findings).toEqual([
      finding("error", "Could not read the slow thing", { detail: "b1:9092: timed out after 50ms" }),
    ]);
    expect(report.steps[0]?.status).toBe("error");
    expect(report.steps[0]?.durationMs).toBeGreaterThanOrEqual(45);
    expect(report.steps).toHaveLength(2);
  });

  it("a probe whose port is absent is an info finding telling which config section to add", async () => {
    const runbook = runbookOf([
      {
        id: "one",
        title: "One",
        probes: [
          { id: "m", title: "read RecordsIn", needs: ["metrics"], run: async () => 1 },
          { id: "k", title: "read pods", needs: ["kubernetes"], run: async () => 1 },
        ],
        assess: (results) => ({
          status: "ok",
          summary: `${results.m?.status}/${results.k?.status}`,
          findings: [],
        }),
      },
    ]);
    const report = await runRunbook(runbook, { ports: { clock: steppingClock() }, config: makeConfig() });
    const step = report.steps[0];
    expect(step?.summary).toBe("unconfigured/unconfigured");
    expect(step?.status).toBe("info");
    expect(step?.findings).toEqual([
      finding("info", "Not checked: CloudWatch metrics is not configured", {
        detail: "Could not read RecordsIn. Add an `aws` section to the config to let the bot check this.",
      }),
      finding("info", "Not checked: Kubernetes is not configured", {
        detail: "Could not read pods. Add a `kubernetes` section to the config to let the bot check this.",
      }),
    ]);
  });

  it("an assess that throws makes an error step and the run continues", async () => {
    const runbook = runbookOf([
      {
        id: "one",
        title: "One",
        probes: [],
        assess: () => {
          throw new TypeError("Cannot read properties of undefined (reading 'lag')");
        },
      },
      { id: "two", title: "Two", probes: [], assess: okAssess("two") },
    ]);
    const report = await runRunbook(runbook, { ports: { clock: steppingClock() }, config: makeConfig() });
    expect(report.steps[0]).toMatchObject({
      id: "one",
      status: "error",
      summary: "The bot could not interpret this step's results.",
      findings: [
        {
          severity: "error",
          title: "Internal error while assessing this step",
          detail: "Cannot read properties of undefined (reading 'lag')",
        },
      ],
    });
    expect(report.steps[1]).toMatchObject({ id: "two", status: "ok", summary: "two" });
    expect(report.conclusion.summary).toBe("2 steps");
  });

  it("a conclude that throws becomes an error conclusion", async () => {
    const runbook = runbookOf([{ id: "one", title: "One", probes: [], assess: okAssess("one") }], () => {
      throw new Error("no idea");
    });
    const report = await runRunbook(runbook, { ports: { clock: steppingClock() }, config: makeConfig() });
    expect(report.conclusion).toEqual({
      summary: "The bot could not reach a conclusion: no idea",
      severity: "error",
      suggestedActions: [],
    });
  });

  it("conclude gets every probe result and step assessment", async () => {
    let seen: { results: ProbeResults; steps: readonly StepAssessment[] } | undefined;
    const runbook = runbookOf(
      [
        { id: "one", title: "One", probes: [valueProbe("a", 1)], assess: okAssess("one") },
        { id: "two", title: "Two", probes: [valueProbe("b", 2)], assess: okAssess("two") },
      ],
      (results, steps) => {
        seen = { results, steps };
        return { summary: "done", severity: "ok", suggestedActions: [] };
      },
    );
    await runRunbook(runbook, { ports: { clock: steppingClock() }, config: makeConfig() });
    expect(Object.keys(seen?.results ?? {}).sort()).toEqual(["a", "b"]);
    expect(seen?.steps.map((s) => s.summary)).toEqual(["one", "two"]);
  });

  it("tells the observer about every step in order, and an observer that throws does not stop the run", async () => {
    const events: string[] = [];
    const observer: RunObserver = {
      onStepStarted: ({ index, total, stepId, title }) => {
        events.push(`start ${index}/${total} ${stepId} ${title}`);
        if (index === 0) throw new Error("Slack is down");
      },
      onStepCompleted: async ({ index, total, report }) => {
        events.push(`done ${index}/${total} ${report.id} ${report.status} ${report.summary}`);
        if (index === 1) throw new Error("rate limited");
      },
    };
    const runbook = runbookOf([
      { id: "a", title: "A", probes: [], assess: okAssess("sa") },
      { id: "b", title: "B", probes: [], assess: okAssess("sb") },
      { id: "c", title: "C", probes: [], assess: okAssess("sc") },
    ]);
    const report = await runRunbook(runbook, {
      ports: { clock: steppingClock() },
      config: makeConfig(),
      observer,
    });
    expect(events).toEqual([
      "start 0/3 a A",
      "done 0/3 a ok sa",
      "start 1/3 b B",
      "done 1/3 b ok sb",
      "start 2/3 c C",
      "done 2/3 c ok sc",
    ]);
    expect(report.steps).toHaveLength(3);
  });

  it("an observer with only some callbacks is fine", async () => {
    const completed: string[] = [];
    const runbook = runbookOf([{ id: "a", title: "A", probes: [], assess: okAssess("sa") }]);
    await runRunbook(runbook, {
      ports: { clock: steppingClock() },
      config: makeConfig(),
      observer: { onStepCompleted: ({ report }) => void completed.push(report.id) },
    });
    expect(completed).toEqual(["a"]);
  });

  it("reports the documented JSON shape", async () => {
    const lag = valueProbe("lag", 95_000);
    const runbook = runbookOf(
      [
        {
          id: "assess",
          title: "Step 1: Assess",
          budgetSeconds: 60,
          probes: [lag],
          assess: (results) => ({
            status: "warning",
            summary: `Lag ${read(results, lag)}`,
            findings: [finding("warning", "Total lag 95,000 records")],
          }),
        },
        { id: "fix", title: "Step 4: Fix", probes: [], assess: okAssess("nothing") },
      ],
      () => ({
        summary: "lag 95,000",
        severity: "warning",
        suggestedActions: [{ action: "scale-taskmanagers", label: "Scale 4 -> 8", params: { replicas: 8 } }],
      }),
    );
    const report = await runRunbook(runbook, { ports: { clock: steppingClock() }, config: makeConfig() });
    const json = JSON.parse(JSON.stringify(report));

    expect(Object.keys(json).sort()).toEqual([
      "conclusion",
      "finishedAt",
      "runbook",
      "startedAt",
      "steps",
      "title",
    ]);
    expect(json.runbook).toBe("consumer-lag");
    expect(json.title).toBe("Consumer Lag High");
    // Run start and end come from the clock port.
    expect(json.startedAt).toBe("2025-03-01T12:00:00.000Z");
    expect(json.finishedAt).toMatch(/^2025-03-01T12:0[1-9]:00\.000Z$/);
    expect(json.steps).toHaveLength(2);
    const [first, second] = json.steps;
    expect(Object.keys(first).sort()).toEqual([
      "budgetSeconds",
      "durationMs",
      "findings",
      "id",
      "status",
      "summary",
      "title",
    ]);
    expect(Object.keys(second).sort()).toEqual([
      "durationMs",
      "findings",
      "id",
      "status",
      "summary",
      "title",
    ]);
    expect(first).toMatchObject({
      id: "assess",
      title: "Step 1: Assess",
      status: "warning",
      summary: "Lag 95000",
      budgetSeconds: 60,
      findings: [{ severity: "warning", title: "Total lag 95,000 records", evidence: [], proposals: [] }],
    });
    expect(Number.isInteger(first.durationMs)).toBe(true);
    expect(first.durationMs).toBeGreaterThanOrEqual(0);
    expect(json.conclusion).toEqual({
      summary: "lag 95,000",
      severity: "warning",
      suggestedActions: [{ action: "scale-taskmanagers", label: "Scale 4 -> 8", params: { replicas: 8 } }],
    });
  });

  it("a runbook with no probes at all still reports every step", async () => {
    const ports: Ports = { clock: steppingClock() };
    const runbook = runbookOf([
      { id: "a", title: "A", probes: [], assess: okAssess("sa") },
      {
        id: "b",
        title: "B",
        probes: [],
        assess: () => ({ status: "critical", summary: "sb", findings: [] }),
      },
    ]);
    const report = await runRunbook(runbook, { ports, config: makeConfig() });
    expect(report.steps.map((s) => [s.id, s.status, s.findings.length])).toEqual([
      ["a", "ok", 0],
      ["b", "critical", 0],
    ]);
  });
});
