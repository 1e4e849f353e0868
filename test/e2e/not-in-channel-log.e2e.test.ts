/**
 * Issue 10, finding 9: when Slack answers `not_in_channel` (the bot was removed from the incident
 * channel mid-incident), the log line says how to fix it: invite the bot in that channel.
 */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { CHANNEL, type Harness, startHarness, until } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  const failed = h?.failedCalls() ?? [];
  await h?.stop();
  h = undefined;
  // The only refusals: the posts into the channel the bot was removed from.
  expect(failed.length).toBeGreaterThan(0);
  expect(failed.every((c) => (c as { error: unknown }).error === "not_in_channel")).toBe(true);
});

describe("not_in_channel in the log", () => {
  it("a thread update refused with not_in_channel logs how to invite the bot, naming the channel", async () => {
    const out = new PassThrough();
    const lines: Record<string, unknown>[] = [];
    out.on("data", (d: Buffer) => {
      for (const line of d.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line));
    });
    h = await startHarness({ logger: createLogger("warn", out) });
    if (!h) throw new Error("no harness");
    await h.runAlert("consumer-lag");
    h.emulator.setBotMembership(CHANNEL, false);
    // Slash commands arrive from any channel: the bot runs it again in the open incident's thread,
    // whose posts Slack now refuses.
    await h.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook lag");
    await h.idle();
    await until(() => lines.some((l) => l.msg === "thread update failed"));
    const failed = lines.filter((l) => l.msg === "thread update failed");
    expect(failed.length).toBeGreaterThan(0);
    for (const line of failed) {
      // The error as an object (type, message, stack); the hint is in its message.
      const err = line.err as { type?: unknown; message?: unknown; stack?: unknown };
      expect(String(err.message)).toContain("not_in_channel");
      expect(String(err.message)).toContain("invite it with `/invite @runbook-bot` in #incidents");
      expect(String(err.stack)).toMatch(/\n\s+at /);
    }
    h.emulator.setBotMembership(CHANNEL, true);
  });
});
