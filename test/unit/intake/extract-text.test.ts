import { describe, expect, it } from "vitest";
import {
  decodeSlackMarkup,
  extractText,
  extractTextChunks,
  MAX_TEXT_CHARS,
} from "../../../src/core/intake/extract-text.ts";

describe("decodeSlackMarkup", () => {
  it.each([
    ["<https://example.com/a?b=1&amp;c=2|the label>", "the label"],
    ["<https://example.com/plain>", "https://example.com/plain"],
    ["<https://example.com/x|>", "https://example.com/x"],
    ["<mailto:oncall@example.com|oncall@example.com>", "oncall@example.com"],
    ["hi <@U024BE7LH>", "hi @U024BE7LH"],
    ["hi <@U024BE7LH|dana>", "hi @dana"],
    ["in <#C07INCIDENTS|incidents>", "in #incidents"],
    ["in <#C07INCIDENTS>", "in #C07INCIDENTS"],
    ["<!here> <!channel> <!everyone>", "@here @channel @everyone"],
    ["<!subteam^S0123ABC|@streaming-oncall> look", "@streaming-oncall look"],
    ["<!subteam^S0123ABC>", "@S0123ABC"],
    ["<!date^1714380000^{date_short}|Apr 29>", "Apr 29"],
    ["a &amp; b &lt;c&gt; &amp;lt;", "a & b <c> &lt;"],
    [
      "<https://x.example|CloudWatch Alarm \\| name \\| us-east-1>",
      "CloudWatch Alarm \\| name \\| us-east-1",
    ],
    ["no markup, emoji 🚨 and ünïcödé", "no markup, emoji 🚨 and ünïcödé"],
  ])("%s", (input, expected) => {
    expect(decodeSlackMarkup(input)).toBe(expected);
  });
});

describe("extractTextChunks", () => {
  it("reads text, blocks and attachments in display order, one chunk per unit", () => {
    const chunks = extractTextChunks({
      text: "top <https://x.example|link>",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "Header" } },
        {
          type: "section",
          text: { type: "mrkdwn", text: "*Section*" },
          fields: [
            { type: "mrkdwn", text: "*F1*\nv1" },
            { type: "plain_text", text: "F2" },
          ],
          accessory: { type: "button", text: { type: "plain_text", text: "Resolve" } },
        },
        { type: "divider" },
        {
          type: "context",
          elements: [
            { type: "image", image_url: "https://x.example/i.png", alt_text: "hidden alt" },
            { type: "mrkdwn", text: "ctx <@U1>" },
          ],
        },
        {
          type: "actions",
          elements: [{ type: "button", text: { type: "plain_text", text: "Acknowledge" } }],
        },
        { type: "markdown", text: "**md block**" },
      ],
      attachments: [
        {
          pretext: "pre",
          author_name: "Author",
          title: "Title",
          text: "Body &amp; more",
          fields: [{ title: "Status:", value: "Resolved" }, { title: "Only title" }, { value: "only value" }],
          footer: "Footer",
          fallback: "Fallback",
        },
      ],
    });
    expect(chunks).toEqual([
      "top link",
      "Header",
      "*Section*",
      "*F1*\nv1",
      "F2",
      "ctx @U1",
      "**md block**",
      "pre",
      "Author",
      "Title",
      "Body & more",
      "Status: Resolved",
      "Only title",
      "only value",
      "Footer",
      "Fallback",
    ]);
  });

  it("walks rich_text sections, lists, quotes and inline elements", () => {
    const text = extractText({
      blocks: [
        {
          type: "rich_text",
          elements: [
            {
              type: "rich_text_section",
              elements: [
                { type: "broadcast", range: "here" },
                { type: "text", text: " " },
                { type: "user", user_id: "U1" },
                { type: "text", text: " see " },
                { type: "link", url: "https://x.example/a", text: "dlq-spike-critical" },
                { type: "text", text: " " },
                { type: "link", url: "https://x.example/b" },
                { type: "text", text: " in " },
                { type: "channel", channel_id: "C1" },
                { type: "emoji", name: "fire", unicode: "1f525" },
                { type: "usergroup", usergroup_id: "S1" },
                { type: "date", timestamp: 1714380000, format: "{date}", fallback: "Apr 29" },
              ],
            },
            {
              type: "rich_text_list",
              style: "bullet",
              elements: [
                { type: "rich_text_section", elements: [{ type: "text", text: "one" }] },
                { type: "rich_text_section", elements: [{ type: "text", text: "two" }] },
              ],
            },
            { type: "rich_text_quote", elements: [{ type: "text", text: "quoted" }] },
            { type: "rich_text_preformatted", elements: [{ type: "text", text: "code &lt;kept&gt;" }] },
          ],
        },
      ],
    });
    expect(text).toBe(
      "@here @U1 see dlq-spike-critical https://x.example/b in #C1:fire:@S1Apr 29\none\ntwo\nquoted\ncode &lt;kept&gt;",
    );
  });

  it("tolerates junk: wrong types, nulls, missing fields", () => {
    expect(
      extractTextChunks({
        text: 42,
        blocks: [null, 7, "x", { type: "section" }, { type: "section", text: "not an object" }],
        attachments: { not: "an array" },
      }),
    ).toEqual([]);
    expect(extractTextChunks({ attachments: [null, { fields: [null, { title: 5 }] }] })).toEqual([]);
  });

  it(`reads at most ${MAX_TEXT_CHARS} characters in total`, () => {
    const huge = "x".repeat(1_000_000);
    const chunks = extractTextChunks({ text: huge, attachments: [{ title: "late title", text: huge }] });
    expect(chunks.join("").length).toBe(MAX_TEXT_CHARS);
    expect(chunks).toHaveLength(1);
  });

  it("stops after too many nodes and deep nesting without throwing", () => {
    let deep: unknown = { type: "text", text: "bottom" };
    for (let i = 0; i < 200; i += 1) deep = { type: "rich_text_section", elements: [deep] };
    const many = Array.from({ length: 50_000 }, () => ({
      type: "header",
      text: { type: "plain_text", text: "h" },
    }));
    const started = performance.now();
    const chunks = extractTextChunks({ blocks: [{ type: "rich_text", elements: [deep] }, ...many] });
    expect(performance.now() - started).toBeLessThan(500);
    expect(chunks.length).toBeLessThan(many.length);
    expect(chunks.join("\n")).not.toContain("bottom");
  });
});
