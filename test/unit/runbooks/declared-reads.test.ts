/**
 * A step's assess may read only the probes of its own step or of earlier ones, and a probe only
 * those of earlier steps (its `prior`): a later step's probe has not run yet, so reading it would
 * silently give "not read". Checked over the registry: every runbook runs every drill scenario
 * with its results watched, and each read is held against the steps that declare the probe.
 */
import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.ts";
import { type Probe, type ProbeResults, probe, type Runbook, read } from "../../../src/core/runbook.ts";
import { automatedRunbook } from "../../../src/runbooks/registry.ts";
import { DRILLS } from "../../../src/sandbox/drills/registry.ts";
import { runDrill } from "../../../src/sandbox/drills/run-drill.ts";

const config = { ...configSchema.parse({}), secrets: {} };

/** The results, with every probe id read from them passed to `onRead`. */
function watched(results: ProbeResults, onRead: (id: string) => void): ProbeResults {
  return new Proxy(results, {
    get(target, key, receiver) {
      if (typeof key === "string") onRead(key);
      return Reflect.get(target, key, receiver);
    },
  });
}

interface Watch {
  /** "step <id> reads <probe id>" for every read of a probe the step may not read. */
  readonly undeclared: string[];
  /** How many reads were seen (a check that the watch sees anything at all). */
  reads: number;
}

/** The runbook with its steps' assess and its probes' `prior` watched. */
function watchReads(runbook: Runbook, watch: Watch): Runbook {
  const ids = runbook.steps.map((s) => s.probes.map((p) => p.id));
  return {
    ...runbook,
    steps: runbook.steps.map((step, i) => {
      const earlier = new Set(ids.slice(0, i).flat());
      const ownOrEarlier = new Set(ids.slice(0, i + 1).flat());
      const check = (allowed: Set<string>, who: string) => (id: string) => {
        watch.reads += 1;
        if (!allowed.has(id)) watch.undeclared.push(`${who} reads ${id}`);
      };
      return {
        ...step,
        probes: step.probes.map(
          (p): Probe => ({
            ...p,
            run: (ctx) =>
              p.run({
                ...ctx,
                prior: watched(ctx.prior, check(earlier, `probe ${p.id} of step ${step.id}`)),
              }),
          }),
        ),
        assess: (results, cfg) => step.assess(watched(results, check(ownOrEarlier, `step ${step.id}`)), cfg),
      };
    }),
  };
}

describe("a step reads only the probes it or an earlier step declares", () => {
  it.each(DRILLS.map((d) => [d.id, d] as const))("%s", async (_id, scenario) => {
    const runbook = automatedRunbook(scenario.runbook)!;
    const watch: Watch = { undeclared: [], reads: 0 };
    const result = await runDrill(scenario, config, watchReads(runbook, watch));
    expect(watch.undeclared).toEqual([]);
    expect(watch.reads).toBeGreaterThan(0);
    // Watching changes nothing: the scenario still reaches its branch.
    expect(result.mismatches).toEqual([]);
  });

  it("catches a step that reads a probe only a later step declares", async () => {
    const scenario = DRILLS[0]!;
    const early = probe<number>({ id: "early", title: "read early", needs: [], run: async () => 1 });
    const late = probe<number>({ id: "late", title: "read late", needs: [], run: async () => 2 });
    const base = automatedRunbook(scenario.runbook)!;
    const fixture: Runbook = {
      ...base,
      steps: [
        {
          id: "one",
          title: "One",
          probes: [early],
          // Reads `late` before its step ran: undefined, which would read as "not configured".
          assess: (results) => ({
            status: "ok",
            summary: `${read(results, early)} ${read(results, late)}`,
            findings: [],
          }),
        },
        {
          id: "two",
          title: "Two",
          probes: [late],
          assess: (results) => ({ status: "ok", summary: `${read(results, late)}`, findings: [] }),
        },
      ],
      conclude: () => ({ summary: "fixture", severity: "ok", suggestedActions: [] }),
    };
    const watch: Watch = { undeclared: [], reads: 0 };
    const result = await runDrill(scenario, config, watchReads(fixture, watch));
    expect(result.report.steps[0]?.summary).toBe("1 undefined");
    expect(watch.undeclared).toEqual(["step one reads late"]);
  });
});
