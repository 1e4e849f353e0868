/**
 * Every emoji shortcode the bot writes into a message (":mag:", ":warning:", ...) is shown as an
 * emoji in the terminal sandbox, not as its code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { plainText } from "../../src/sandbox/terminal/render-message.ts";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Shortcodes at the start of a message text or an emoji map value (the bot's own uses). */
function shortcodesInSource(): string[] {
  const codes = new Set<string>();
  for (const file of sourceFiles("src")) {
    if (file.includes("slack-emulator")) continue;
    for (const m of readFileSync(file, "utf8").matchAll(/[`"](:[a-z_]+:)/g)) {
      if (m[1] !== ":memory:") codes.add(m[1]!); // SQLite's in-memory database, not an emoji
    }
  }
  return [...codes].sort();
}

describe("terminal emoji", () => {
  const codes = shortcodesInSource();
  it("finds the bot's shortcodes in its source", () => {
    expect(codes).toEqual(expect.arrayContaining([":mag:", ":warning:", ":white_check_mark:", ":lock:"]));
  });
  it.each(codes.map((c) => [c]))("%s is drawn as an emoji", (code) => {
    expect(plainText(`${code} text`)).not.toContain(code);
  });
});
