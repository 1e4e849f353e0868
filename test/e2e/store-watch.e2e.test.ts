/**
 * The store watched, end to end (issue 10, finding 5): the real bot on the Slack emulator with its
 * SQLite file in a temp dir. A request waits for approval, the file is deleted, the approver clicks
 * Approve: the click is refused with the reason, the thread says the store is gone (with its path),
 * and nothing is executed on the Kubernetes API. A store SQLite refuses to write
 * (SQLITE_READONLY) is said in the thread, the request refused, and said again when the store can be
 * written again. (SQLITE_FULL takes the same path; test/unit/store/store-watch.test.ts makes it for real.)
 */
import { unlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
import type { SqliteStore } from "../../src/store/sqlite-store.ts";
import { CHANNEL, harnessPerTest, scaleButtonId, startHarness, textOf, WAIT_MS } from "./harness.ts";

const start = harnessPerTest(startHarness);

describe("the store file deleted while the bot runs", () => {
  it("refuses the approval with the reason, says it in the thread with the path, executes nothing", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    const requestId = (await harness.store.listRequests({ state: "requested" }))[0]?.id;
    expect(requestId).toBeDefined();

    unlinkSync(harness.storePath);
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);

    const removed = `the store file ${harness.storePath} was removed while the bot was running`;
    const told = await harness.emulator.waitFor((m) => m.ephemeral_for === "U_BOB", WAIT_MS);
    expect(told.text).toBe(
      `Refused: the bot cannot record it: ${removed}: what it writes would be lost (restore the file, or restart the bot).`,
    );
    await harness.waitForReply(root.ts, (m) =>
      m.text.startsWith(`:no_entry: <@U_BOB> pressed Approve on *flink-taskmanager: 4 -> 8 replicas`),
    );
    const refusedNote = harness.botReplies(root.ts).find((m) => m.text.startsWith(":no_entry: <@U_BOB>"));
    expect(refusedNote?.text).toContain(`refused, the bot cannot record it: ${removed}`);
    // The alarm: once in the thread, whatever else happens.
    await harness.waitForReply(root.ts, (m) => m.text.startsWith(":rotating_light: The bot cannot write"));
    await harness.idle();
    const alarms = harness.botReplies(root.ts).filter((m) => m.text.startsWith(":rotating_light:"));
    expect(alarms.map((m) => m.text)).toEqual([
      `:rotating_light: The bot cannot write to its store: ${removed}: what it writes would be lost (restore the file, or restart the bot). Requests and approvals are refused until it can.`,
    ]);

    // Nothing executed, nothing recorded: the request still waits, its buttons still there.
    expect(harness.kube.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(harness.kube.state.deployments[0]?.spec.replicas).toBe(4);
    const request = await harness.store.getRequest(requestId!);
    expect(request?.state).toBe("requested");
    expect(request?.approvals).toEqual([]);
    expect(harness.botReplies(root.ts).some((m) => /approved \*/.test(textOf(m)))).toBe(false);
    expect(harness.store.health?.()).toMatchObject({ ok: false, fault: "removed" });
  });
});

describe("the store read-only while the bot runs", () => {
  it("says it in the thread, refuses the request, and says when it can write again", async () => {
    const harness = await start();
    const root = await harness.runAlert("consumer-lag");
    const step4 = await harness.waitForReply(root.ts, (m) => /Step 4: Fix/.test(m.text));
    const before = harness.botReplies(root.ts).length;

    // SQLite itself refuses the bot's writes (SQLITE_READONLY), as it does for a read-only file or
    // mount; query_only does it on the bot's own connection and works when the tests run as root.
    const db = (harness.store as SqliteStore).db;
    db.pragma("query_only = ON");

    await harness.emulator.clickButton("U_ALICE", CHANNEL, step4.ts, scaleButtonId(step4)!);
    const told = await harness.emulator.waitFor((m) => m.ephemeral_for === "U_ALICE", WAIT_MS);
    const readOnly = `the store ${harness.storePath} cannot be written (SQLITE_READONLY: attempt to write a readonly database): make it writable, the bot retries by itself`;
    expect(told.text).toBe(`Refused: the bot cannot record it: ${readOnly}.`);
    await harness.waitForReply(
      root.ts,
      (m) =>
        m.text ===
        `:rotating_light: The bot cannot write to its store: ${readOnly}. Requests and approvals are refused until it can.`,
    );
    await harness.waitForReply(root.ts, (m) =>
      m.text.startsWith(
        ":no_entry: <@U_ALICE> asked for *Scale taskmanagers*: refused, the bot cannot record it",
      ),
    );
    expect(await harness.store.listRequests()).toEqual([]);

    // Writable again: the watch's probe commits and the thread hears of it once.
    db.pragma("query_only = OFF");
    await harness.waitForReply(root.ts, (m) =>
      m.text.startsWith(`:white_check_mark: The bot's store ${harness.storePath} can be written again`),
    );
    await harness.idle();
    const notes = harness
      .botReplies(root.ts)
      .slice(before)
      .map((m) => m.text);
    expect(notes.filter((t) => t.startsWith(":rotating_light:"))).toHaveLength(1);
    expect(notes.filter((t) => t.startsWith(":white_check_mark: The bot's store"))).toHaveLength(1);
    // And requests are taken again.
    const approval = await harness.requestScale(root.ts, "U_ALICE");
    expect(textOf(approval)).toContain("Approval needed");
  });
});
