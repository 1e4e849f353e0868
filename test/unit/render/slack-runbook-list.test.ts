import { describe, expect, it } from "vitest";
import { RUNBOOK_CATALOG } from "../../../src/core/catalog.ts";
import { renderError, renderRunbookList } from "../../../src/slack/render/index.ts";
import { allStrings, validateBlockKit } from "./block-kit-check.ts";
import { expectGoldenJson } from "./golden.ts";

describe("renderRunbookList", () => {
  const items = RUNBOOK_CATALOG.map((r) => ({ ...r, automated: r.id !== "window-completeness" }));

  it("lists the nine runbooks as its golden file, within limits", () => {
    const msg = renderRunbookList(items);
    expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
    expect(msg.blocks.filter((b) => b.type === "section")).toHaveLength(9);
    expectGoldenJson("slack-runbook-list", msg);
  });

  it("shows id, aliases, alert, condition (escaped) and whether it is automated", () => {
    const all = allStrings(renderRunbookList(items).blocks);
    expect(all).toContain(
      ":large_orange_circle: *Consumer Lag High* `consumer-lag` (also `lag`)\nFires as `kafka-consumer-lag-high` when &gt;50K records · :robot_face: automated diagnosis",
    );
    expect(all.some((t) => t.includes("`window-completeness`") && t.endsWith(":book: manual only"))).toBe(
      true,
    );
  });

  it("says so when there are no runbooks", () => {
    const msg = renderRunbookList([]);
    expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
    expect(allStrings(msg.blocks)).toContain("_No runbooks are configured._");
  });
});

describe("renderError", () => {
  it("renders an escaped error with an optional hint", () => {
    const msg = renderError("No runbook named <foo> & bar", { hint: "Try `/runbook help`." });
    expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
    expectGoldenJson("slack-error", msg);
    expect(msg.text).toBe(":x: No runbook named &lt;foo&gt; &amp; bar");
  });

  it("keeps a huge error within limits", () => {
    const msg = renderError("💥".repeat(5000));
    expect(validateBlockKit(msg.blocks, msg.text)).toEqual([]);
  });
});
