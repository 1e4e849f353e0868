import { describe, expect, it } from "vitest";
import { closestNames, editDistance, parseRunbookCommand } from "../../src/core/command.ts";

describe("parseRunbookCommand", () => {
  it.each([
    ["", "help"],
    ["   ", "help"],
    ["help", "help"],
    ["HELP", "help"],
    ["list", "help"],
    ["status", "status"],
  ])("%j -> %s", (text, kind) => {
    expect(parseRunbookCommand(text).kind).toBe(kind);
  });

  it.each([
    ["lag", "consumer-lag"],
    ["LAG", "consumer-lag"],
    ["consumer-lag", "consumer-lag"],
    ["kafka-consumer-lag-high", "consumer-lag"],
    ["ckpt", "checkpoint-failure"],
    ["ckpt-duration", "checkpoint-duration"],
    ["mem", "memory-usage"],
    ["  slo  ", "latency-slo-breach"],
  ])("runs %j as %s", (text, id) => {
    const c = parseRunbookCommand(text);
    expect(c.kind).toBe("run");
    if (c.kind === "run") expect(c.runbook.id).toBe(id);
  });

  it.each([
    ["freeze", { kind: "freeze" }],
    ["FREEZE", { kind: "freeze" }],
    ["freeze  maintenance window  ", { kind: "freeze", reason: "maintenance window" }],
    ["freeze <!channel> `x`", { kind: "freeze", reason: "!channel x" }],
    ["unfreeze", { kind: "unfreeze" }],
    ["  Unfreeze ", { kind: "unfreeze" }],
  ])("kill switch: %j", (text, expected) => {
    expect(parseRunbookCommand(text)).toEqual(expected);
  });

  it.each([
    ["report", { kind: "report" }],
    ["  REPORT ", { kind: "report" }],
    ["report inc-1a2b3c4d5e6f", { kind: "report", incidentId: "inc-1a2b3c4d5e6f" }],
    ["report INC-1A2B", { kind: "report", incidentId: "inc-1a2b" }],
  ])("report: %j", (text, expected) => {
    expect(parseRunbookCommand(text)).toEqual(expected);
  });

  it.each(["report lag", "report inc-1 inc-2", "report <!channel>"])("report with a bad id: %j", (text) => {
    const c = parseRunbookCommand(text);
    expect(c.kind).toBe("error");
    if (c.kind === "error") expect(c.message).toContain("optional incident id");
  });

  it("keeps a freeze reason short", () => {
    const c = parseRunbookCommand(`freeze ${"x".repeat(500)}`);
    expect(c.kind === "freeze" && c.reason?.length).toBe(200);
  });

  it("unfreeze takes no arguments", () => {
    expect(parseRunbookCommand("unfreeze now")).toEqual({
      kind: "error",
      message: "`/runbook unfreeze` takes no arguments; unexpected `now`.",
      suggestions: [],
    });
  });

  it("suggests the closest names for a typo", () => {
    const c = parseRunbookCommand("chekpoint");
    expect(c).toMatchObject({ kind: "error", suggestions: ["checkpoint"] });
    if (c.kind === "error")
      expect(c.message).toBe(
        "No runbook is called `chekpoint`. Did you mean `checkpoint`? Type `/runbook help` for the list.",
      );
  });

  it("says so plainly when nothing is close", () => {
    const c = parseRunbookCommand("zzzzzz");
    expect(c).toEqual({
      kind: "error",
      message: "No runbook is called `zzzzzz`. Type `/runbook help` for the list.",
      suggestions: [],
    });
  });

  it("refuses extra words and shows the right form", () => {
    const c = parseRunbookCommand("lag now please");
    expect(c.kind).toBe("error");
    if (c.kind === "error")
      expect(c.message).toBe(
        "`/runbook` takes one runbook name; unexpected `now please`. Try `/runbook lag`.",
      );
  });

  it("strips Slack markup characters from echoed input", () => {
    const c = parseRunbookCommand("<@U123>`x`");
    expect(c.kind).toBe("error");
    if (c.kind === "error") expect(c.message).not.toMatch(/[<>`]U123/);
  });

  it("does not echo a huge argument", () => {
    const c = parseRunbookCommand("x".repeat(10_000));
    expect(c).toEqual({ kind: "error", message: "That is not a runbook name.", suggestions: [] });
  });
});

describe("closestNames / editDistance", () => {
  it("computes Levenshtein distance", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("lag", "lag")).toBe(0);
  });
  it("prefers prefixes", () => {
    expect(closestNames("fire")).toContain("firehose");
    expect(closestNames("latenc")[0]).toBe("latency");
  });
});
