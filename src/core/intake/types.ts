/**
 * Alert intake: the answer to "which of the nine alerts does this Slack message announce, and is
 * each one firing or resolved?". Pure logic, no I/O. The JSON shape of {@link MatchResult} is the
 * public answer of `runbook-bot match` and of the running bot.
 */

/** Which tool posted the message. `webhook` is any other bot, app or incoming webhook. */
export type Source =
  | "alertmanager"
  | "grafana"
  | "aws-chatbot"
  | "pagerduty"
  | "opsgenie"
  | "datadog"
  | "webhook"
  | "human";

export type AlertState = "firing" | "resolved";

export interface AlertMatch {
  /** The alert name as the catalog spells it, e.g. `kafka-consumer-lag-high`. */
  readonly alert: string;
  /** The runbook id, e.g. `consumer-lag`. */
  readonly runbook: string;
  readonly state: AlertState;
}

/**
 * `{"matches":[]}` exactly when the message announces none of the nine alerts: `source` is only
 * present when there is at least one match. `ignored` is reserved and currently never set.
 */
export interface MatchResult {
  readonly matches: AlertMatch[];
  readonly source?: Source;
  readonly ignored?: string;
}

export interface MatchOptions {
  /** Let messages typed by people (not bots, apps or webhooks) announce alerts. */
  readonly allowHumanAlerts: boolean;
  /**
   * Extra case-insensitive regular expressions (RE2 syntax, linear time) per runbook id (config
   * `alerts.extraPatterns`).
   */
  readonly extraPatterns: Readonly<Record<string, readonly string[]>>;
  /**
   * Tokens that, joined to a built-in alert name by `-`, `_` or `.`, cancel the match (config
   * `alerts.qualifiers`); the defaults (`DEFAULT_QUALIFIERS`: test, warning, staging, canary, ...)
   * when absent.
   */
  readonly qualifiers?: readonly string[];
}

/** A Slack message object as it arrives, read defensively: Slack publishes no strict schema. */
export type SlackMessage = Readonly<Record<string, unknown>>;

/** Thrown when the input cannot be a Slack message event at all (not a JSON object). */
export class IntakeInputError extends Error {
  /** Stable code, for callers that turn errors into `{"error": ...}` answers. */
  readonly code = "invalid_event";
  override readonly name = "IntakeInputError";
}
