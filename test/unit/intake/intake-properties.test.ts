/**
 * Property-based tests of alert intake (fast-check, pinned seed so CI runs the same cases):
 * matchEvent never throws on any object, stays fast on large hostile text, keeps a known alert
 * message through noise and prefix rules, drops qualified names, and its answer keeps its
 * invariants (catalog alerts only, one entry per alert, `source` exactly with matches, the state
 * of a state change is its target).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RUNBOOK_CATALOG } from "../../../src/core/catalog.ts";
import {
  DEFAULT_QUALIFIERS,
  IntakeInputError,
  type MatchOptions,
  type MatchResult,
  matchEvent,
} from "../../../src/core/intake/index.ts";

const OPTIONS: MatchOptions = { allowHumanAlerts: false, extraPatterns: {} };
const SEED = 42;
const ALERTS = RUNBOOK_CATALOG.map((meta) => meta.alert);

/** Pieces hostile and ordinary text is made of: markup, tags, fields, state words, URLs, names. */
const PIECES = [
  "\n",
  "\r",
  " ",
  "\t",
  "*",
  "**",
  "[",
  "]",
  "<",
  ">",
  "|",
  "&amp;",
  "&lt;",
  ":",
  "-",
  "_",
  ".",
  "(",
  "a",
  "ok",
  "OK",
  "ALARM",
  "->",
  " to ",
  "from ",
  "Status: ",
  "Old State: ",
  "Current State: ",
  "resolved",
  "firing",
  "triggered",
  "not ",
  "[FIRING:1]",
  "[Warn on ",
  "**Firing**",
  "Resolved",
  "https://",
  "x://",
  "<https://grafana.example/d|dash>",
  "<@U1>",
  "🔥",
  "é",
  "\u2010",
  "staging",
  "canary",
  "Silence",
  "PR",
  ...ALERTS,
];

const text = (maxLength: number) =>
  fc
    .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8, unit: "binary" })), { maxLength })
    .map((parts) => parts.join(""));

const textObject = fc.record({ type: fc.constantFrom("mrkdwn", "plain_text"), text: text(20) });

/** Slack-shaped messages with arbitrary (often broken) content. */
const slackMessage = fc.record(
  {
    type: fc.constantFrom("message", "app_mention", undefined),
    subtype: fc.constantFrom(undefined, "bot_message", "message_changed", "thread_broadcast", "channel_join"),
    bot_id: fc.constantFrom("B1", undefined),
    user: fc.constantFrom("U1", undefined),
    username: fc.constantFrom(
      "alertmanager",
      "Grafana",
      "AWS Chatbot",
      "Datadog",
      "PagerDuty",
      "ops",
      undefined,
    ),
    text: fc.oneof(text(40), fc.anything()),
    blocks: fc.oneof(
      fc.array(
        fc.record({
          type: fc.constantFrom("section", "header", "context", "rich_text", "markdown", "divider", "bogus"),
          text: fc.oneof(textObject, text(10), fc.anything()),
          fields: fc.array(textObject, { maxLength: 3 }),
          elements: fc.oneof(
            fc.array(fc.anything(), { maxLength: 3 }),
            fc.array(textObject, { maxLength: 3 }),
          ),
        }),
        { maxLength: 4 },
      ),
      fc.anything(),
    ),
    attachments: fc.oneof(
      fc.array(
        fc.record({
          title: text(10),
          text: text(20),
          fallback: text(10),
          fields: fc.array(fc.record({ title: text(4), value: text(6) }), { maxLength: 4 }),
        }),
        { maxLength: 3 },
      ),
      fc.anything(),
    ),
    message: fc.anything(),
  },
  { requiredKeys: [] },
);

/** The invariants every answer keeps. */
function checkAnswer(result: MatchResult): void {
  const alerts = result.matches.map((m) => m.alert);
  expect(new Set(alerts).size).toBe(alerts.length);
  for (const match of result.matches) {
    const meta = RUNBOOK_CATALOG.find((entry) => entry.alert === match.alert);
    expect(meta?.id).toBe(match.runbook);
    expect(["firing", "resolved"]).toContain(match.state);
  }
  expect(result.source !== undefined).toBe(result.matches.length > 0);
  expect(Object.keys(result).every((key) => key === "matches" || key === "source")).toBe(true);
}

describe("intake properties (fast-check, seed 42)", () => {
  it("never throws on any JSON value but a non-object, which is an IntakeInputError", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          checkAnswer(matchEvent(value, OPTIONS));
          return typeof value === "object" && value !== null && !Array.isArray(value);
        } catch (error) {
          return error instanceof IntakeInputError;
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("answers any Slack-shaped message with a well-formed answer, the same one twice", () => {
    fc.assert(
      fc.property(slackMessage, fc.boolean(), (message, allowHumanAlerts) => {
        const options = { ...OPTIONS, allowHumanAlerts };
        const first = matchEvent(message, options);
        checkAnswer(first);
        expect(matchEvent(message, options)).toEqual(first);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it("stays fast on 100 KB of any repeated hostile fragment (linear work: real figure under 50 ms)", () => {
    fc.assert(
      fc.property(text(12), fc.constantFrom(...ALERTS), (fragment, alert) => {
        const unit = fragment.length > 0 ? fragment : "\n";
        const body = unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000 - alert.length - 1);
        const started = performance.now();
        checkAnswer(matchEvent({ bot_id: "B1", text: `${body}\n${alert}` }, OPTIONS));
        // Generous, far from noise: the quadratic rules this replaced took seconds to minutes here.
        expect(performance.now() - started).toBeLessThan(1_000);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("keeps a known alert message firing through noise after it and a production prefix", () => {
    const noise = fc
      .array(fc.constantFrom(...PIECES.filter((piece) => !ALERTS.includes(piece))), { maxLength: 60 })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(
        fc.constantFrom(...RUNBOOK_CATALOG),
        fc.constantFrom("", "prod-", "eu1_", "Prod.", "primary-"),
        fc.constantFrom("", "-us-east-1", "_critical", ".eu1"),
        noise,
        (meta, prefix, suffix, tail) => {
          const message = {
            type: "message",
            subtype: "bot_message",
            bot_id: "B1",
            username: "alertmanager",
            text: `[FIRING:1] ${prefix}${meta.alert}${suffix} (order-processor)\n${tail}`,
          };
          const result = matchEvent(message, OPTIONS);
          checkAnswer(result);
          expect(result.matches.find((m) => m.alert === meta.alert)).toEqual({
            alert: meta.alert,
            runbook: meta.id,
            state: "firing",
          });
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("never matches a name joined to a qualifier, and matches it with the qualifier list emptied", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RUNBOOK_CATALOG),
        fc.constantFrom(...DEFAULT_QUALIFIERS),
        fc.constantFrom("-", "_", "."),
        fc.boolean(),
        fc.boolean(),
        (meta, qualifier, joint, before, upper) => {
          const word = upper ? qualifier.toUpperCase() : qualifier;
          const name = before ? `${word}${joint}${meta.alert}` : `${meta.alert}${joint}${word}`;
          const message = { bot_id: "B1", text: `${name} firing` };
          expect(matchEvent(message, OPTIONS)).toEqual({ matches: [] });
          expect(matchEvent(message, { ...OPTIONS, qualifiers: [] }).matches).toEqual([
            { alert: meta.alert, runbook: meta.id, state: "firing" },
          ]);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("reads a CloudWatch state change from its target, whatever the markup and the old state", () => {
    const state = fc.constantFrom("OK", "ALARM");
    const markup = fc.constantFrom("", "*", "_", "`", "**");
    const arrow = fc.constantFrom(" -> ", " → ", " to ", "->");
    fc.assert(
      fc.property(
        fc.constantFrom(...RUNBOOK_CATALOG),
        state,
        state,
        markup,
        arrow,
        (meta, from, to, mark, via) => {
          const message = {
            bot_id: "B2",
            bot_profile: { name: "Amazon Q Developer" },
            blocks: [
              { type: "header", text: { type: "plain_text", text: `CloudWatch alarm: ${meta.alert}` } },
              {
                type: "section",
                text: {
                  type: "mrkdwn",
                  text: `Alarm state changed from ${mark}${from}${mark}${via}${mark}${to}${mark}`,
                },
              },
            ],
          };
          expect(matchEvent(message, OPTIONS).matches).toEqual([
            { alert: meta.alert, runbook: meta.id, state: to === "ALARM" ? "firing" : "resolved" },
          ]);
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("a Current State field outranks a loose word, whatever the old state says", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RUNBOOK_CATALOG),
        fc.constantFrom("OK", "ALARM"),
        fc.constantFrom("OK", "ALARM"),
        fc.constantFrom("triggered", "resolved", "firing", "recovered", ""),
        (meta, old, current, word) => {
          const message = {
            bot_id: "B1",
            attachments: [
              {
                title: meta.alert,
                fields: [
                  { title: "Old State", value: old },
                  { title: "Current State", value: current },
                ],
                fallback: `${meta.alert} ${word}`,
              },
            ],
          };
          expect(matchEvent(message, OPTIONS).matches).toEqual([
            { alert: meta.alert, runbook: meta.id, state: current === "ALARM" ? "firing" : "resolved" },
          ]);
        },
      ),
      { seed: SEED, numRuns: 100 },
    );
  });

  it("a person's message announces nothing unless allowHumanAlerts", () => {
    fc.assert(
      fc.property(text(30), (body) => {
        expect(matchEvent({ type: "message", user: "U1", text: body }, OPTIONS)).toEqual({ matches: [] });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
