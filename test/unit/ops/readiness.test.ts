import { describe, expect, it } from "vitest";
import { readiness } from "../../../src/ops/readiness.ts";

const removed = {
  ok: false as const,
  path: "/data/bot.db",
  fault: "removed" as const,
  reason: "the store file /data/bot.db was removed while the bot was running",
  since: new Date(0),
};

describe("readiness", () => {
  it("ready when config loaded, Slack connected, store writable", () => {
    const r = readiness({
      configLoaded: true,
      slack: { connected: true },
      store: { ok: true, path: "/data/bot.db" },
    });
    expect(r.ready).toBe(true);
    expect(r.notReady).toEqual([]);
  });

  it("a store open without health() counts as writable", () => {
    const r = readiness({ configLoaded: true, slack: { connected: true }, store: "open-without-health" });
    expect(r.ready).toBe(true);
  });

  it("not ready before Slack connects, naming Slack alone", () => {
    const r = readiness({
      configLoaded: true,
      slack: { connected: false, detail: "connecting to Slack (Socket Mode)" },
      store: { ok: true, path: "x" },
    });
    expect(r.ready).toBe(false);
    expect(r.notReady).toEqual(["slack"]);
    expect(r.checks.slack.detail).toBe("connecting to Slack (Socket Mode)");
  });

  it("a store that cannot be written: not ready, with the store's reason", () => {
    const r = readiness({ configLoaded: true, slack: { connected: true }, store: removed });
    expect(r.ready).toBe(false);
    expect(r.notReady).toEqual(["store"]);
    expect(r.checks.store.detail).toBe(removed.reason);
  });

  it("nothing up yet: every failing check named in a fixed order", () => {
    const r = readiness({
      configLoaded: false,
      slack: { connected: false },
      store: undefined,
      stopping: true,
    });
    expect(r.notReady).toEqual(["config", "slack", "store", "process"]);
    expect(r.checks.store.detail).toBe("the store is not open");
  });

  it("stopping: not ready even when all else holds", () => {
    const r = readiness({
      configLoaded: true,
      slack: { connected: true },
      store: { ok: true, path: "x" },
      stopping: true,
    });
    expect(r.ready).toBe(false);
    expect(r.notReady).toEqual(["process"]);
  });
});
