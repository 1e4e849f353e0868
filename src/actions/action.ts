/**
 * A remediation action: declared params, a preview of the exact change computed from the current
 * state, preconditions re-checked at execution time, and execute.
 */
import type { AppConfig } from "../config/schema.ts";
import type { ActionContext, JsonParams } from "./action-context.ts";
import type { ActionFormSpec } from "./action-form.ts";

export type { ActionContext, JsonParams } from "./action-context.ts";

export type ParseResult<P> =
  | { readonly ok: true; readonly params: P }
  | { readonly ok: false; readonly problems: string[] };

export interface Prepared<P> {
  /** Params completed with the state the preview was computed from. */
  readonly params: P;
  /** The exact change, e.g. "flink-taskmanager: 4 -> 8 replicas in namespace flink". */
  readonly preview: string;
}

export interface ActionResult {
  readonly message: string;
  readonly details: JsonParams;
}

/**
 * How much harm a wrong or badly timed execution can do:
 * - low: reversible, no restart of the job and no data at stake (scale, Firehose buffering, a checkpoint);
 * - high: restarts the job's taskmanagers or cannot be undone (rollback, restart, delete pods,
 *   set resources, grow a volume claim), or makes the job read records again (reset offsets);
 * - critical: takes part of the shared Kafka cluster down for a while (reboot an MSK broker).
 */
export type RiskTier = "low" | "high" | "critical";

export interface ActionDefinition<P extends JsonParams = JsonParams> {
  readonly id: string;
  readonly title: string;
  readonly risk?: RiskTier;
  parse(raw: unknown, config: AppConfig): ParseResult<P>;
  /** Reads the current state and says exactly what would change. Rejects when it cannot. */
  prepare(params: P, ctx: ActionContext): Promise<Prepared<P>>;
  /** Re-checked right before executing: a reason to refuse when the world changed, else undefined. */
  recheck(params: P, ctx: ActionContext): Promise<string | undefined>;
  execute(params: P, ctx: ActionContext): Promise<ActionResult>;
  /**
   * When execute's call timed out or lost its connection (the outcome is unknown): what a person
   * should look at, e.g. "spec.replicas of deployment flink/flink-taskmanager (8 if it applied)".
   */
  outcomeCheck?(params: P): string;
  /**
   * Reads the real state to settle an unknown outcome: whether the change is there (`applied`),
   * with what was read. Absent: the outcome can only be checked by hand.
   */
  settle?(params: P, ctx: ActionContext): Promise<SettleReading>;
  /** The values a person may choose (a modal in Slack) instead of the runbook's; absent when there are none. */
  readonly form?: ActionFormSpec;
}

/** What settle read: whether the change is in place, and the state it read ("4 taskmanagers"). */
export interface SettleReading {
  readonly applied: boolean;
  readonly detail: string;
}

/** Thrown by prepare when the action would change nothing or may not run now: a reason for the user. */
export class ActionRefusal extends Error {
  override readonly name = "ActionRefusal";
}
