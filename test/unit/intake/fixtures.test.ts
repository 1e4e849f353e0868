import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RUNBOOK_CATALOG } from "../../../src/core/catalog.ts";
import { type MatchOptions, type MatchResult, matchEvent } from "../../../src/core/intake/index.ts";

interface Fixture {
  readonly file: string;
  readonly description: string;
  readonly options?: MatchOptions;
  readonly event: unknown;
  readonly expected: MatchResult;
}

const FIXTURE_DIR = join(import.meta.dirname, "../../fixtures/slack-alerts");
const DEFAULT_OPTIONS: MatchOptions = { allowHumanAlerts: false, extraPatterns: {} };

const fixtures: Fixture[] = readdirSync(FIXTURE_DIR)
  .filter((file) => file.endsWith(".json"))
  .sort()
  .map((file) => ({
    file,
    ...(JSON.parse(readFileSync(join(FIXTURE_DIR, file), "utf8")) as Omit<Fixture, "file">),
  }));

describe("matchEvent on recorded-shape Slack events", () => {
  it.each(fixtures)("$file: $description", ({ event, options, expected }) => {
    const result = matchEvent(event, options ?? DEFAULT_OPTIONS);
    expect(result).toStrictEqual(expected);
    // The JSON answer is exactly the fixture's (no extra or undefined-valued keys).
    expect(JSON.stringify(result)).toBe(JSON.stringify(expected));
  });

  it("has fixtures for every tool", () => {
    const sources = new Set(fixtures.map((f) => f.expected.source).filter((s) => s !== undefined));
    expect([...sources].sort()).toEqual(
      [
        "alertmanager",
        "aws-chatbot",
        "datadog",
        "grafana",
        "human",
        "opsgenie",
        "pagerduty",
        "webhook",
      ].sort(),
    );
  });

  it("covers each of the nine alerts, firing and resolved", () => {
    for (const meta of RUNBOOK_CATALOG) {
      const states = new Set(
        fixtures.flatMap((f) => f.expected.matches.filter((m) => m.alert === meta.alert).map((m) => m.state)),
      );
      expect(states.size, `${meta.alert} fixtures`).toBeGreaterThan(0);
      for (const m of fixtures.flatMap((f) => f.expected.matches)) {
        if (m.alert === meta.alert) expect(m.runbook).toBe(meta.id);
      }
    }
  });
});
