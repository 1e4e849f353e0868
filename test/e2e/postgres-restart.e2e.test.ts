/**
 * Two bot processes on one PostgreSQL server that is stopped and started again in the middle of an
 * incident (a server of the test's own): while it is down an Approve click is refused and the
 * clicker told the bot cannot record it (the masked URL, never the password); once it is back the
 * bots reconnect by themselves, the next click is recorded and the action executes once, and the
 * request made before the outage is intact.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InteractionResult } from "../../src/sandbox/slack-emulator/index.ts";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
import { type PostgresServer, startPostgresServer } from "../peers/postgres-peer.ts";
import { buttonOf, CHANNEL, harnessPerTest, until } from "./harness.ts";
import { type ProcessHarness, type ProcessHarnessOptions, startProcessHarness } from "./process-harness.ts";

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
});
afterAll(async () => {
  await server?.stop();
});

const start = harnessPerTest((options?: ProcessHarnessOptions) =>
  startProcessHarness({ ...options, databaseUrl: server.url }),
);

function answerTo(harness: ProcessHarness, click: InteractionResult): string | undefined {
  const id = click.responseUrl?.split("/").pop();
  const text = harness.emulator.responseUrlPosts.find((p) => p.responseUrlId === id)?.body.text;
  return typeof text === "string" ? text : undefined;
}

describe("PostgreSQL restarted in the middle of a run", () => {
  it("a click while it is down is refused and said; after it is back the bots reconnect and execute once", async () => {
    const harness = await start({});
    await harness.startBot();
    await harness.startBot();
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    const requestId = buttonOf(approval, APPROVE_ACTION_ID)?.value;
    expect(typeof requestId).toBe("string");
    await harness.idle();

    await server.halt();
    // Each bot's pool hears its connections cut; its probe (every 2 s) confirms.
    await new Promise((r) => setTimeout(r, 2_500));
    const refused = await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await until(() => answerTo(harness, refused) !== undefined);
    const said = answerTo(harness, refused) ?? "";
    expect(said).toContain("cannot record");
    expect(said).toContain(`127.0.0.1:${server.port}`);
    expect(said).not.toContain(decodeURIComponent(new URL(server.url).password));
    expect(harness.kube.requests.filter((r) => r.method !== "GET")).toEqual([]);

    await server.resume();
    // Back by themselves: a click is recorded and executed, once.
    let executed = false;
    const deadline = Date.now() + 20_000;
    while (!executed && Date.now() < deadline) {
      await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
      await new Promise((r) => setTimeout(r, 1_000));
      executed = harness.kube.requests.some((r) => r.method === "PATCH");
    }
    await harness.waitForReply(root.ts, (m) => m.text.startsWith(":white_check_mark: Done:"));
    await harness.idle();
    expect(harness.kube.requests.filter((r) => r.method !== "GET")).toHaveLength(1);
    const kinds = (await harness.store.listAudit({ requestId: String(requestId) })).map((e) => e.kind);
    expect(kinds).toEqual(["action.requested", "action.approved", "action.executing", "action.succeeded"]);
    const replies = harness.botReplies(root.ts).map((m) => m.text);
    expect(replies.filter((t) => t.startsWith(":white_check_mark: Done:"))).toHaveLength(1);
  }, 120_000);
});
