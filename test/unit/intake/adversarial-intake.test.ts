/**
 * Issue 10, finding 1: one message stalled alert intake (quadratic regular expressions), and
 * `alerts.extraPatterns` ran unguarded. Intake now runs every pattern in linear time (RE2 or hand
 * parsers); these are the regression inputs.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { type MatchOptions, matchEvent, validateExtraPatterns } from "../../../src/core/intake/index.ts";
import {
  ADVERSARIAL_MESSAGES,
  botMessage,
  CATASTROPHIC_PATTERN,
  catastrophicText,
} from "../../fixtures/adversarial-messages.ts";

const OPTIONS: MatchOptions = { allowHumanAlerts: false, extraPatterns: {} };
const INTAKE_DIR = join(import.meta.dirname, "../../../src/core/intake");

const ADVERSARIAL = ADVERSARIAL_MESSAGES;
const bot = botMessage;

/** Fastest of `runs` matches of one event, in milliseconds. */
function fastest(event: unknown, options: MatchOptions, runs = 5): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    matchEvent(event, options);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe("no backtracking regular expression in src/core/intake", () => {
  it("has no RegExp literal and no new RegExp in any intake source file", () => {
    const found: string[] = [];
    for (const file of readdirSync(INTAKE_DIR).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(join(INTAKE_DIR, file), "utf8");
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        if (node.kind === ts.SyntaxKind.RegularExpressionLiteral)
          found.push(`${file}:${line} ${node.getText()}`);
        if (
          (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
          ts.isIdentifier(node.expression) &&
          node.expression.text === "RegExp"
        ) {
          found.push(`${file}:${line} ${node.getText()}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(found).toEqual([]);
  });
});

describe("adversarial messages take linear time", () => {
  // 5 KB and 100 KB, both within the 100 KB text budget: linear work costs about 20x (up to 40x
  // with the garbage collector on a loaded machine), quadratic work 400x. The bound sits between.
  it.each(Object.entries(ADVERSARIAL))("%s: 100 KB costs about 20 times 5 KB, not 400", (_name, make) => {
    const small = make(5_000);
    const large = make(100_000);
    fastest(small, OPTIONS, 2); // warm up
    fastest(large, OPTIONS, 1);
    const ratio = fastest(large, OPTIONS, 7) / Math.max(fastest(small, OPTIONS, 7), 0.05);
    expect(ratio).toBeLessThan(100);
    // And the full 200 KB message well within a second (the benchmark's goal is 50 ms).
    expect(fastest(make(200_000), OPTIONS, 1)).toBeLessThan(1_000);
  });

  it("the issue's message (a + 99,000 newlines + alert name) is still matched", () => {
    expect(matchEvent(ADVERSARIAL["grafana shape: a + newlines + alert name"]!(99_030), OPTIONS)).toEqual({
      matches: [{ alert: "kafka-consumer-lag-high", runbook: "consumer-lag", state: "firing" }],
      source: "webhook",
    });
  });

  it("an extra pattern (a+)+$ against a*N+b runs in linear time", () => {
    const options: MatchOptions = { ...OPTIONS, extraPatterns: { "memory-usage": [CATASTROPHIC_PATTERN] } };
    // 4.9 s on 27 characters with a backtracking engine.
    expect(fastest(catastrophicText(28), options, 1)).toBeLessThan(200);
    const small = catastrophicText(5_000);
    const large = catastrophicText(99_000);
    fastest(small, options, 2);
    const ratio = fastest(large, options, 7) / Math.max(fastest(small, options, 7), 0.05);
    expect(ratio).toBeLessThan(100);
    expect(matchEvent(bot("a".repeat(30)), options).matches).toEqual([
      { alert: "memory-usage-high", runbook: "memory-usage", state: "firing" },
    ]);
  });
});

describe("extra patterns RE2 cannot run in linear time are refused with the reason", () => {
  it.each([
    ["backreference", "(lag)\\s+\\1"],
    ["lookahead", "lag(?=\\s+high)"],
    ["negative lookahead", "lag(?!gy)"],
    ["lookbehind", "(?<=consumer )lag"],
    ["negative lookbehind", "(?<!no )lag"],
  ])("%s", (_name, pattern) => {
    const problems = validateExtraPatterns({ "consumer-lag": [pattern] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^alerts\.extraPatterns\.consumer-lag\[0\]: /);
    expect(problems[0]).toContain("cannot be run in linear time");
  });

  it("a refused pattern never matches at run time", () => {
    const options: MatchOptions = { ...OPTIONS, extraPatterns: { "consumer-lag": ["(lag)\\s+\\1"] } };
    expect(matchEvent(bot("lag lag firing"), options)).toEqual({ matches: [] });
  });
});
