/**
 * The drill world: for every branch of every runbook, a scenario in the simulated platform that
 * makes the runbook reach that branch. `runbook-bot drill <scenario>` runs one; the terminal
 * sandbox can switch to any of them; tests run them all and assert the conclusion.
 */
import type { FindingSeverity } from "../../core/finding.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Ports } from "../../ports/index.ts";

export interface DrillExpectation {
  /** Conclusion.cause the runbook must reach. */
  readonly cause: string;
  readonly severity?: FindingSeverity;
  /** Action ids the conclusion must suggest (in any order); [] = none. */
  readonly proposes?: readonly string[];
}

export interface DrillScenario {
  /** `<runbook id>/<branch>`, e.g. `dlq-spike/schema-change`. */
  readonly id: string;
  readonly runbook: string;
  readonly title: string;
  /** What is wrong in this world, for the person running the drill. */
  readonly story: string;
  /** Builds the world on top of the healthy simulated platform. */
  build(clock: Clock): Ports;
  readonly expect: DrillExpectation;
}
