import { describe, expect, it } from "vitest";
import type { Finding } from "../../../src/core/finding.ts";
import type { StepReport } from "../../../src/core/runbook.ts";
import { asKnownBlocks, type Block, renderStepMessage } from "../../../src/slack/render/index.ts";
import {
  consumerLagReport,
  INCIDENT_ID,
  SCALE_PROPOSAL,
} from "../../fixtures/reports/consumer-lag-report.ts";
import { hugeStepReport } from "../../fixtures/reports/huge-report.ts";
import { allStrings, validateBlockKit } from "./block-kit-check.ts";
import { expectGoldenJson } from "./golden.ts";

const ctx = { runbookTitle: "Consumer Lag High", incidentId: INCIDENT_ID, runbookId: "consumer-lag" };

function step(overrides: Partial<StepReport> = {}, findings: Finding[] = []): StepReport {
  return { id: "s", title: "Step", status: "ok", summary: "fine", findings, durationMs: 2100, ...overrides };
}

const texts = (blocks: readonly Block[]) => allStrings(blocks).join("\n");

describe("renderStepMessage", () => {
  for (const s of consumerLagReport.steps) {
    it(`renders the consumer-lag step "${s.title}" as its golden file, within limits`, () => {
      const msg = renderStepMessage(s, ctx);
      expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
      expectGoldenJson(`slack-step-${s.id}`, msg);
    });
  }

  it("puts the status emoji, title and duration vs budget in the first line", () => {
    const cases = [
      ["ok", ":white_check_mark:"],
      ["info", ":information_source:"],
      ["warning", ":warning:"],
      ["critical", ":red_circle:"],
      ["error", ":x:"],
    ] as const;
    for (const [status, emoji] of cases) {
      const msg = renderStepMessage(step({ status, title: "Assess", budgetSeconds: 60 }), ctx);
      const first = msg.blocks[0];
      expect(first?.type === "section" && first.text?.text).toMatch(
        new RegExp(`^${emoji} \\*Assess\\* · _2\\.1 s of a 60 s budget_\\nfine$`),
      );
      expect(msg.text.startsWith(emoji)).toBe(true);
    }
  });

  it("flags a step over its budget", () => {
    const msg = renderStepMessage(step({ durationMs: 72_400, budgetSeconds: 60 }), ctx);
    expect(texts(msg.blocks)).toContain("1 min 12 s of a 60 s budget — *over budget*");
  });

  it("shows the plain duration without a budget", () => {
    const msg = renderStepMessage(step({ durationMs: 450 }), ctx);
    expect(texts(msg.blocks)).toContain("_450 ms_");
  });

  it("turns proposals into buttons with unique action ids and a JSON value", () => {
    const f: Finding = {
      severity: "critical",
      title: "x",
      evidence: [],
      proposals: [SCALE_PROPOSAL, { ...SCALE_PROPOSAL, params: { ...SCALE_PROPOSAL.params, replicas: 12 } }],
    };
    // the same proposal from a second finding is one button
    const msg = renderStepMessage(step({}, [f, { ...f, proposals: [SCALE_PROPOSAL] }]), ctx);
    const actions = msg.blocks.filter((b) => b.type === "actions");
    expect(actions).toHaveLength(1);
    const buttons = actions[0]?.type === "actions" ? actions[0].elements : [];
    // Each proposal is followed by its Preview button (same value, `preview:` action id).
    expect(buttons.map((b) => b.action_id)).toEqual([
      "proposal:scale-deployment:0",
      "preview:scale-deployment:0",
      "proposal:scale-deployment:1",
      "preview:scale-deployment:1",
    ]);
    expect(buttons[1]?.value).toBe(buttons[0]?.value);
    expect(buttons[1]?.text.text).toBe("Preview: Scale taskmanagers");
    expect(JSON.parse(buttons[0]?.value ?? "")).toEqual({
      action: "scale-deployment",
      params: { namespace: "flink", deployment: "flink-taskmanager", replicas: 8 },
      incidentId: INCIDENT_ID,
    });
    expect(buttons[0]?.text.text).toBe("Scale taskmanagers");
  });

  it("truncates button labels to 75 and refuses values over 2000 chars with a note", () => {
    const f: Finding = {
      severity: "critical",
      title: "x",
      evidence: [],
      proposals: [
        { action: "a", label: "L".repeat(100), params: {} },
        { action: "b", label: "Too big", params: { blob: "y".repeat(2100) } },
      ],
    };
    const msg = renderStepMessage(step({}, [f]), ctx);
    expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
    const actions = msg.blocks.find((b) => b.type === "actions");
    expect(actions?.type === "actions" && actions.elements.map((e) => e.text.text.length)).toEqual([75, 75]);
    expect(texts(msg.blocks)).toMatch(
      /“Too big” cannot be offered as a button: its parameters are too large \(\d+ > 2000/,
    );
  });

  it("splits more than 10 fields over several sections", () => {
    const fields = Array.from({ length: 23 }, (_, i) => ({ label: `k${i}`, value: `v${i}` }));
    const msg = renderStepMessage(
      step({}, [{ severity: "info", title: "t", evidence: [{ kind: "fields", fields }], proposals: [] }]),
      ctx,
    );
    const withFields = msg.blocks.filter((b) => b.type === "section" && b.fields !== undefined);
    expect(withFields.map((b) => (b.type === "section" ? b.fields?.length : 0))).toEqual([10, 10, 3]);
    expect(validateBlockKit(msg.blocks)).toEqual([]);
  });

  it("renders a table as an aligned code block and notes the rows that did not fit", () => {
    const rows = Array.from({ length: 400 }, (_, i) => ["orders.raw", String(i), String(i * 1000)]);
    const msg = renderStepMessage(
      step({}, [
        {
          severity: "info",
          title: "t",
          evidence: [{ kind: "table", columns: ["topic", "p", "lag"], rows, omittedRows: 5 }],
          proposals: [],
        },
      ]),
      ctx,
    );
    const table = msg.blocks[2];
    const text = table?.type === "section" ? (table.text?.text ?? "") : "";
    expect(
      text.startsWith("```\ntopic         p     lag\n----------  ---  ------\norders.raw    0       0\n"),
    ).toBe(true);
    const shown = text.split("\n").filter((l) => l.startsWith("orders.raw")).length;
    expect(text).toContain(`_… ${400 - shown + 5} more rows_`);
    expect(text.length).toBeLessThanOrEqual(3000);
  });

  it("tail-truncates logs with a note", () => {
    const lines = Array.from({ length: 300 }, (_, i) => `log line number ${i}`);
    const msg = renderStepMessage(
      step({}, [{ severity: "info", title: "t", evidence: [{ kind: "log", lines }], proposals: [] }]),
      ctx,
    );
    const log = msg.blocks[2];
    const text = log?.type === "section" ? (log.text?.text ?? "") : "";
    expect(text).toMatch(/^_… \d+ earlier lines omitted_\n```\n/);
    expect(text.endsWith("log line number 299\n```")).toBe(true);
    expect(text.length).toBeLessThanOrEqual(3000);
  });

  it("escapes remote content and keeps code blocks closed", () => {
    const msg = renderStepMessage(
      step({ summary: "<!channel> & <@U123>" }, [
        {
          severity: "error",
          title: "could not reach <http://evil|click> & more",
          detail: "a > b",
          evidence: [
            { kind: "log", lines: ["```", "evil ``` escape & <tag>"] },
            { kind: "code", text: "x```y" },
          ],
          proposals: [],
        },
      ]),
      ctx,
    );
    const all = texts(msg.blocks);
    expect(all).toContain("&lt;!channel&gt; &amp; &lt;@U123&gt;");
    expect(all).toContain("could not reach &lt;http://evil|click&gt; &amp; more");
    expect(all).toContain("a &gt; b");
    expect(all).toContain("evil `\u200b`\u200b` escape &amp; &lt;tag&gt;");
    expect(all).toContain("```\nx`\u200b`\u200b`y\n```");
    expect(msg.text).toContain("&lt;!channel&gt;");
  });

  it("renders a series as a sparkline with min, max, latest and unit", () => {
    const assess = consumerLagReport.steps[0];
    if (assess === undefined) throw new Error("fixture");
    const all = texts(renderStepMessage(assess, ctx).blocks);
    expect(all).toMatch(
      /\*Consumer lag \(orders-enricher\)\* `[▁▂▃▄▅▆▇█]{30}`\nmin 12,000 records · max 95,000 records · latest 95,000 records · 30 points over 29 min/,
    );
  });

  it("keeps a huge step within every limit, keeps the buttons, and points to the full report", () => {
    const msg = renderStepMessage(hugeStepReport, ctx);
    expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
    expect(msg.blocks).toHaveLength(50);
    const last = msg.blocks[49];
    expect(last?.type === "context" && last.elements[0]?.text).toMatch(
      /^… \d+ more blocks omitted; full report: `runbook-bot diagnose consumer-lag`$/,
    );
    const buttons = msg.blocks.flatMap((b) => (b.type === "actions" ? b.elements : []));
    // 30 proposals, each with its Preview.
    expect(buttons).toHaveLength(60);
    expect(new Set(buttons.map((b) => b.action_id)).size).toBe(60);
    expect(asKnownBlocks(msg.blocks)).toBe(msg.blocks);
    expectGoldenJson("slack-step-huge", msg);
  });
});
