import { describe, expect, it } from "vitest";
import {
  type Block,
  type ButtonElement,
  enforceBlockKitLimits,
  limitFallbackText,
} from "../../../src/slack/render/index.ts";
import { validateBlockKit } from "./block-kit-check.ts";

const section = (text: string): Block => ({ type: "section", text: { type: "mrkdwn", text } });
const btn = (i: number, extra: Partial<ButtonElement> = {}): ButtonElement => ({
  type: "button",
  text: { type: "plain_text", text: `b${i}` },
  action_id: `a${i}`,
  value: String(i),
  ...extra,
});
const textOf = (b: Block | undefined) => (b?.type === "section" ? (b.text?.text ?? "") : "");

describe("enforceBlockKitLimits", () => {
  it("leaves a valid message alone", () => {
    const blocks: Block[] = [section("hi"), { type: "divider" }, { type: "actions", elements: [btn(1)] }];
    expect(enforceBlockKitLimits(blocks)).toEqual(blocks);
  });

  it("collapses blocks past 50 into a last context line, keeping actions blocks", () => {
    const blocks: Block[] = [
      ...Array.from({ length: 70 }, (_, i) => section(`s${i}`)),
      { type: "actions", elements: [btn(1)] },
    ];
    const out = enforceBlockKitLimits(blocks, { fullReportCommand: "runbook-bot diagnose consumer-lag" });
    expect(out).toHaveLength(50);
    expect(out[47]).toEqual(section("s47"));
    expect(out[48]?.type).toBe("actions");
    expect(out[49]).toEqual({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: "… 22 more blocks omitted; full report: `runbook-bot diagnose consumer-lag`",
        },
      ],
    });
    expect(validateBlockKit(out)).toEqual([]);
  });

  it("truncates section text to 3000 with a note of how much was cut", () => {
    const out = enforceBlockKitLimits([section("a".repeat(5000))]);
    const text = textOf(out[0]);
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(/ … \(truncated, \d+ chars\)$/);
    const kept = text.indexOf(" …");
    expect(text).toContain(`(truncated, ${5000 - kept} chars)`);
  });

  it("never splits a surrogate pair or an emoji sequence", () => {
    for (let shift = 0; shift < 12; shift++) {
      const out = enforceBlockKitLimits([section("x".repeat(shift) + "👩🏽‍💻".repeat(1000))]);
      expect(validateBlockKit(out)).toEqual([]);
      const head = textOf(out[0])
        .replace(/ … \(truncated, \d+ chars\)$/, "")
        .slice(shift);
      expect(head.replaceAll("👩🏽‍💻", "")).toBe("");
    }
  });

  it("closes a code fence cut in the middle", () => {
    const text = textOf(enforceBlockKitLimits([section(`\`\`\`\n${"line\n".repeat(1000)}\`\`\``)])[0]);
    expect(text).toMatch(/\n```\n… \(truncated, \d+ chars\)$/);
    expect(text.split("```").length - 1).toBe(2);
  });

  it("does not leave half an entity or an open <…> token", () => {
    const t1 = textOf(
      enforceBlockKitLimits([section(`${"x".repeat(2970)}&amp;&amp;&amp;&amp;&amp;${"y".repeat(100)}`)])[0],
    );
    expect(t1).not.toMatch(/&[a-z]*\s…/);
    const t2 = textOf(
      enforceBlockKitLimits([
        section(`${"x".repeat(2960)}<@U123ABC> <!date^1^{time}|x>${"y".repeat(100)}`),
      ])[0],
    );
    expect(t2.lastIndexOf("<")).toBeLessThan(t2.lastIndexOf(">"));
  });

  it("splits fields past 10 and truncates each to 2000", () => {
    const fields = Array.from({ length: 14 }, (_, i) => ({
      type: "mrkdwn" as const,
      text: i === 0 ? "f".repeat(2500) : `f${i}`,
    }));
    const out = enforceBlockKitLimits([{ type: "section", text: { type: "mrkdwn", text: "t" }, fields }]);
    expect(out.map((b) => (b.type === "section" ? b.fields?.length : -1))).toEqual([10, 4]);
    expect(validateBlockKit(out)).toEqual([]);
  });

  it("limits headers to 150 on one line", () => {
    const out = enforceBlockKitLimits([
      { type: "header", text: { type: "plain_text", text: `a\nb${"🚀".repeat(200)}` } },
    ]);
    const text = out[0]?.type === "header" ? out[0].text.text : "";
    expect(text.length).toBeLessThanOrEqual(150);
    expect(text.startsWith("a b🚀")).toBe(true);
  });

  it("merges context elements past 10 into the tenth", () => {
    const out = enforceBlockKitLimits([
      {
        type: "context",
        elements: Array.from({ length: 13 }, (_, i) => ({ type: "mrkdwn" as const, text: `e${i}` })),
      },
    ]);
    expect(out[0]?.type === "context" && out[0].elements.map((e) => e.text)).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `e${i}`),
      "e9 · e10 · e11 · e12",
    ]);
  });

  it("splits buttons past 25, truncates texts and ids, drops oversized values with a note", () => {
    const elements = [
      ...Array.from({ length: 30 }, (_, i) => btn(i)),
      btn(99, { text: { type: "plain_text", text: "L".repeat(100) }, action_id: "x".repeat(300) }),
      btn(100, { action_id: "x".repeat(300) }),
      btn(101, { value: "v".repeat(2001) }),
      btn(102, {
        confirm: {
          title: { type: "plain_text", text: "T".repeat(120) },
          text: { type: "plain_text", text: "X".repeat(400) },
          confirm: { type: "plain_text", text: "C".repeat(40) },
          deny: { type: "plain_text", text: "D".repeat(40) },
        },
      }),
    ];
    const out = enforceBlockKitLimits([{ type: "actions", elements }]);
    expect(validateBlockKit(out)).toEqual([]);
    expect(out.map((b) => (b.type === "actions" ? b.elements.length : b.type))).toEqual([25, 8, "context"]);
    expect(JSON.stringify(out.at(-1))).toContain("a button (“b101”) was omitted: too large");
  });

  it("drops empty sections, contexts and actions", () => {
    const out = enforceBlockKitLimits([
      section("  "),
      { type: "context", elements: [{ type: "mrkdwn", text: "" }] },
      { type: "actions", elements: [] },
      section("kept"),
    ]);
    expect(out).toEqual([section("kept")]);
  });

  it("makes block ids unique", () => {
    const out = enforceBlockKitLimits([
      { type: "divider", block_id: "x" },
      { type: "divider", block_id: "x" },
    ]);
    expect(out.map((b) => b.block_id)).toEqual(["x", "x:2"]);
  });
});

describe("limitFallbackText", () => {
  it("keeps the text fallback within 3000", () => {
    expect(limitFallbackText("short")).toBe("short");
    const t = limitFallbackText("🔥".repeat(2000));
    expect(t.length).toBeLessThanOrEqual(3000);
    expect(t).toMatch(/^(🔥)+… \(truncated, \d+ chars\)$/);
  });
});
