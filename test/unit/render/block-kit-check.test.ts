import { describe, expect, it } from "vitest";
import { validateBlockKit } from "./block-kit-check.ts";

const text = (t: string, type = "mrkdwn") => ({ type, text: t });

describe("validateBlockKit (the checker itself)", () => {
  it("accepts a valid message", () => {
    expect(
      validateBlockKit(
        [
          { type: "header", text: text("Hi", "plain_text") },
          { type: "section", text: text("x"), fields: [text("a")] },
          {
            type: "actions",
            elements: [{ type: "button", text: text("Go", "plain_text"), action_id: "go", value: "1" }],
          },
          { type: "context", elements: [text("c")] },
          { type: "divider" },
        ],
        "fallback",
      ),
    ).toEqual([]);
  });

  it("reports every limit it knows", () => {
    const button = (i: number, extra: object = {}) => ({
      type: "button",
      text: text("b", "plain_text"),
      action_id: `a${i}`,
      ...extra,
    });
    const errors = validateBlockKit(
      [
        { type: "header", text: text("h".repeat(151), "plain_text") },
        { type: "section", text: text("s".repeat(3001)) },
        { type: "section", fields: Array.from({ length: 11 }, () => text("f")) },
        { type: "section", fields: [text("f".repeat(2001))] },
        { type: "context", elements: Array.from({ length: 11 }, () => text("c")) },
        { type: "actions", elements: Array.from({ length: 26 }, (_, i) => button(i)) },
        {
          type: "actions",
          elements: [
            button(100, {
              text: text("t".repeat(76), "plain_text"),
              value: "v".repeat(2001),
              action_id: "x".repeat(256),
            }),
            button(0),
            button(101, {
              confirm: {
                title: text("t".repeat(101), "plain_text"),
                text: text("t".repeat(301), "plain_text"),
                confirm: text("c".repeat(31), "plain_text"),
                deny: text("d".repeat(31), "plain_text"),
              },
            }),
          ],
        },
        { type: "section", block_id: "b".repeat(256), text: text("\uD83D") },
        { type: "section", text: text("  ") },
        { type: "image" },
        ...Array.from({ length: 41 }, () => ({ type: "divider" })),
      ],
      "t".repeat(3001),
    );
    const expected = [
      "text: 3001 chars > 3000",
      "blocks: 51 blocks > 50",
      "blocks[0].text.text: 151 chars > 150",
      "blocks[1].text.text: 3001 chars > 3000",
      "blocks[2].fields: 11 fields > 10",
      "blocks[3].fields[0].text: 2001 chars > 2000",
      "blocks[4].elements: 11 elements > 10",
      "blocks[5].elements: 26 elements > 25",
      "blocks[6].elements[0].text.text: 76 chars > 75",
      `blocks[6].elements[0].action_id: 256 chars > 255`,
      "blocks[6].elements[0].value: 2001 chars > 2000",
      "blocks[6].elements[1].action_id: duplicate a0",
      "blocks[6].elements[2].confirm.title.text: 101 chars > 100",
      "blocks[6].elements[2].confirm.text.text: 301 chars > 300",
      "blocks[6].elements[2].confirm.confirm.text: 31 chars > 30",
      "blocks[6].elements[2].confirm.deny.text: 31 chars > 30",
      "blocks[7].block_id: 256 chars > 255",
      "blocks[7].text.text: lone surrogate (split surrogate pair)",
      "blocks[8].text.text: empty",
      "blocks[9]: unknown block type image",
    ];
    for (const e of expected) expect(errors).toContain(e);
  });
});
