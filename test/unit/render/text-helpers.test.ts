import { describe, expect, it } from "vitest";
import { alignTable } from "../../../src/core/text/align-table.ts";
import {
  describeStepTiming,
  formatDuration,
  formatElapsed,
  formatNumber,
  formatWithUnit,
} from "../../../src/core/text/format-quantity.ts";
import { sparkline, summarizeSeries } from "../../../src/core/text/sparkline.ts";
import { countChars, truncateText, truncateTextStart } from "../../../src/core/text/truncate-text.ts";
import {
  escapeCode,
  escapeMrkdwn,
  markdownToMrkdwn,
  mention,
  slackDate,
} from "../../../src/slack/render/mrkdwn.ts";

describe("truncateText", () => {
  it("returns text that fits unchanged", () => {
    expect(truncateText("abc", 3)).toBe("abc");
  });

  it("cuts at grapheme boundaries and counts omitted characters", () => {
    const family = "👨‍👩‍👧‍👦"; // 11 UTF-16 units, 7 code points, 1 grapheme
    const out = truncateText(`ab${family}cd`, 10, (n) => `…${n}`);
    expect(out).toBe(`ab…${countChars(`${family}cd`)}`);
    expect(truncateText("e\u0301e\u0301e\u0301", 4, () => "…")).toBe("e\u0301…");
  });

  it("never exceeds the limit even when the note alone is longer", () => {
    expect(truncateText("abcdef", 3, () => " (truncated)")).toHaveLength(3);
  });

  it("keeps the tail with truncateTextStart", () => {
    expect(truncateTextStart("0123456789", 6, (n) => `[${n}]`)).toBe("[8]89");
    expect(truncateTextStart("🚀🚀🚀🚀", 5, () => "…")).toBe("…🚀🚀");
  });
});

describe("quantities", () => {
  it("formats durations and elapsed times", () => {
    expect([450, 2140, 10_400, 72_400, 3_780_000].map(formatDuration)).toEqual([
      "450 ms",
      "2.1 s",
      "10 s",
      "1 min 12 s",
      "1 h 3 min",
    ]);
    expect(formatElapsed(751_000)).toBe("12 min");
    expect(formatElapsed(45_000)).toBe("45 s");
  });

  it("describes a step's timing against its budget", () => {
    expect(describeStepTiming(2100, 60)).toEqual({ text: "2.1 s of a 60 s budget", overBudget: false });
    expect(describeStepTiming(301_000, 300)).toEqual({
      text: "5 min 1 s of a 5 min budget",
      overBudget: true,
    });
    expect(describeStepTiming(2100, undefined)).toEqual({ text: "2.1 s", overBudget: false });
  });

  it("formats numbers with units", () => {
    expect(formatNumber(95000)).toBe("95,000");
    expect(formatNumber(Number.NaN)).toBe("n/a");
    expect(formatWithUnit(95, "%")).toBe("95%");
    expect(formatWithUnit(4200.456, "rec/s")).toBe("4,200.46 rec/s");
  });
});

describe("sparkline", () => {
  it("maps values onto eight bars", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([5, 5, 5])).toBe("▁▁▁");
    expect(sparkline([1, Number.NaN, 3])).toBe("▁ █");
  });

  it("averages long series into the width", () => {
    expect(
      sparkline(
        Array.from({ length: 1000 }, (_, i) => i),
        10,
      ),
    ).toBe("▁▂▃▃▄▅▆▆▇█");
  });

  it("summarizes min, max, latest and the time span", () => {
    const s = summarizeSeries(
      [
        { at: "2025-03-14T09:00:00Z", value: 3 },
        { at: "2025-03-14T09:10:00Z", value: 9 },
        { at: "2025-03-14T09:20:00Z", value: 6 },
      ],
      "records",
    );
    expect(s).toEqual({
      spark: "▁█▅",
      stats: "min 3 records · max 9 records · latest 6 records",
      span: "3 points over 20 min",
    });
    expect(summarizeSeries([], undefined).stats).toBe("no data points");
  });
});

describe("alignTable", () => {
  it("aligns columns, right-aligns numbers and cuts long cells", () => {
    const t = alignTable(
      ["topic", "partition", "lag"],
      [["orders.raw", "0", "25,000"], ["x", "12", "5"], ["y"]],
    );
    expect([...t.head, ...t.rows]).toEqual([
      "topic       partition     lag",
      "----------  ---------  ------",
      "orders.raw          0  25,000",
      "x                  12       5",
      "y",
    ]);
    expect(alignTable(["c"], [["z".repeat(50)]], 10).rows[0]).toBe(`${"z".repeat(9)}…`);
  });
});

describe("mrkdwn", () => {
  it("escapes &, < and >", () => {
    expect(escapeMrkdwn("<@U1> & <!here>")).toBe("&lt;@U1&gt; &amp; &lt;!here&gt;");
  });

  it("breaks backtick runs inside code", () => {
    expect(escapeCode("a```b````c")).toBe("a`\u200b`\u200b`b`\u200b`\u200b`\u200b`c");
  });

  it("converts common Markdown to mrkdwn, escaping first", () => {
    expect(
      markdownToMrkdwn(
        "# Title\n**bold** and ~~gone~~ [docs](https://x.io/a?b=1&c=2)\n- item <x>\n```\n**not** <b>\n```",
      ),
    ).toBe(
      "*Title*\n*bold* and ~gone~ <https://x.io/a?b=1&amp;c=2|docs>\n• item &lt;x&gt;\n```\n**not** &lt;b&gt;\n```",
    );
  });

  it("mentions only real user ids", () => {
    expect(mention("U123ABC")).toBe("<@U123ABC>");
    expect(mention("<!channel>")).toBe("&lt;!channel&gt;");
  });

  it("formats dates for Slack with a fallback", () => {
    expect(slackDate("2025-03-14T09:12:00Z")).toBe(
      "<!date^1741943520^{date_short_pretty} {time}|2025-03-14 09:12 UTC>",
    );
    expect(slackDate("not a date <x>")).toBe("not a date &lt;x&gt;");
  });
});
