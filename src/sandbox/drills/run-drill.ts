/** Runs a drill scenario's runbook in its world and checks the conclusion against the scenario. */
import type { AppConfig } from "../../config/schema.ts";
import type { Runbook, RunReport } from "../../core/runbook.ts";
import { runRunbook } from "../../engine/run-runbook.ts";
import { automatedRunbook } from "../../runbooks/registry.ts";
import { withSimulatedWorldNames } from "../simulated/world-config.ts";
import type { DrillScenario } from "./drill.ts";
import { VirtualClock } from "./virtual-clock.ts";

export interface DrillResult {
  readonly scenario: string;
  readonly report: RunReport;
  /** What differs from the scenario's expectation; empty when the runbook reached the branch. */
  readonly mismatches: readonly string[];
}

export async function runDrill(
  scenario: DrillScenario,
  config: AppConfig,
  runbook: Runbook | undefined = automatedRunbook(scenario.runbook),
  /** worldNames: add the simulated systems' names (the MSK cluster ARN) to the config. Default true. */
  options: { readonly worldNames?: boolean } = {},
): Promise<DrillResult> {
  if (!runbook) throw new Error(`runbook ${scenario.runbook} is not automated`);
  const clock = new VirtualClock();
  const ports = scenario.build(clock);
  const worldConfig = options.worldNames === false ? config : withSimulatedWorldNames(config);
  const report = await runRunbook(runbook, { ports, config: worldConfig });
  const c = report.conclusion;
  const mismatches: string[] = [];
  const e = scenario.expect;
  if (c.cause !== e.cause) mismatches.push(`cause: expected ${e.cause}, got ${c.cause ?? "(none)"}`);
  if (e.severity !== undefined && c.severity !== e.severity) {
    mismatches.push(`severity: expected ${e.severity}, got ${c.severity}`);
  }
  if (e.proposes !== undefined) {
    const got = [...new Set(c.suggestedActions.map((a) => a.action))].sort();
    const want = [...e.proposes].sort();
    if (got.join(",") !== want.join(","))
      mismatches.push(`proposals: expected [${want.join(", ")}], got [${got.join(", ")}]`);
  }
  return { scenario: scenario.id, report, mismatches };
}
