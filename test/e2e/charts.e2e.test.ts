/**
 * Charts end to end (Socket Mode): a consumer-lag alert's Step 2 (RecordsIn against RecordsOut)
 * gets a PNG chart uploaded into the incident thread with files.uploadV2's three calls, right
 * under the step; a refused upload leaves the step (and its text sparkline) posted and the run
 * completing.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/sandbox/slack-emulator/types.ts";
import { decodePng } from "../unit/chart/decode-png.ts";
import { CHANNEL, type Harness, startHarness, textOf } from "./harness.ts";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.stop();
});

const isStep = (n: number) => (m: StoredMessage) => m.text.includes(`Step ${n}:`);
const isFileShare = (m: StoredMessage) => m.subtype === "file_share";
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Every bot message in the thread (the root excluded), file shares included, in order. */
function threadReplies(threadTs: string): StoredMessage[] {
  return h.emulator
    .thread(CHANNEL, threadTs)
    .filter((m) => m.ts !== threadTs && m.user === h.emulator.identity.botUserId);
}

describe("a step with metric series", () => {
  it("gets its chart uploaded into the thread, right under the step message", async () => {
    const root = await h.runAlert("consumer-lag");
    const replies = threadReplies(root.ts);

    // files.uploadV2 = getUploadURLExternal -> POST the bytes -> completeUploadExternal.
    const urlCalls = h.emulator.callsTo("files.getUploadURLExternal");
    const completeCalls = h.emulator.callsTo("files.completeUploadExternal");
    expect(urlCalls.length).toBeGreaterThanOrEqual(1);
    expect(completeCalls).toHaveLength(urlCalls.length);
    expect(h.failedCalls()).toEqual([]);
    for (const call of [...urlCalls, ...completeCalls]) expect(call.token).toBe(h.emulator.botToken);
    for (const call of completeCalls) {
      expect(call.body.channel_id).toBe(CHANNEL);
      expect(call.body.thread_ts).toBe(root.ts);
    }

    // Step 2's chart: RecordsIn against RecordsOut, in the message right after Step 2.
    const urlCall = urlCalls.find((c) => str(c.body.filename).startsWith("RecordsIn-per-minute"));
    expect(urlCall?.body.filename).toBe("RecordsIn-per-minute_vs_RecordsOut-per-minute.png");
    expect(str(urlCall?.body.alt_text)).toMatch(
      /^Line chart of RecordsIn per minute and RecordsOut per minute/,
    );
    const fileId = str(urlCall?.response.file_id);
    const step2At = replies.findIndex(isStep(2));
    expect(step2At).toBeGreaterThan(0);
    const share = replies[step2At + 1]!;
    expect(isFileShare(share)).toBe(true);
    expect(share.thread_ts).toBe(root.ts);
    expect(share.files?.map((f) => f.id)).toEqual([fileId]);
    expect(share.files?.[0]?.title).toBe("RecordsIn per minute vs RecordsOut per minute");

    // The bytes arrived at the upload URL and are a 640x240 PNG.
    const stored = h.emulator.state.files.get(fileId);
    expect(stored).toMatchObject({ uploaded: true, completed: true, channel: CHANNEL, threadTs: root.ts });
    expect(stored?.bytes?.length).toBe(Number(urlCall?.body.length));
    const png = decodePng(stored!.bytes!);
    expect([png.width, png.height]).toEqual([640, 240]);

    // Slack serves it back (url_private with the bot token): the same bytes.
    const res = await fetch(str(share.files?.[0]?.url_private), {
      headers: { authorization: `Bearer ${h.emulator.botToken}` },
    });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(stored!.bytes!)).toBe(true);

    // The step message keeps its text sparkline.
    expect(textOf(replies[step2At]!)).toMatch(/RecordsIn per minute\*? `[▁▂▃▄▅▆▇█]+`/);
    // At most two charts per step: no more uploads than twice the steps.
    expect(urlCalls.length).toBeLessThanOrEqual(2 * replies.filter((m) => /Step \d:/.test(m.text)).length);
  });
});

describe("a refused upload", () => {
  it.each([
    ["files.getUploadURLExternal", "missing_scope", { needed: "files:write", provided: "chat:write" }],
    ["files.completeUploadExternal", "internal_error", {}],
  ] as const)(
    "(%s answering %s) leaves the steps posted and the run completing",
    async (method, error, extra) => {
      h.emulator.refuseMethod(method, error, { ...extra });
      const root = await h.runAlert("consumer-lag");
      const replies = threadReplies(root.ts);

      for (const n of [1, 2, 3, 4]) expect(replies.filter(isStep(n)), `Step ${n}`).toHaveLength(1);
      expect(textOf(replies.find(isStep(2))!)).toMatch(/RecordsIn per minute\*? `[▁▂▃▄▅▆▇█]+`/);
      expect(replies.filter(isFileShare)).toEqual([]);
      const failed = h.failedCalls();
      expect(failed.length).toBeGreaterThanOrEqual(1);
      expect(failed.every((f) => f.method === method && f.error === error)).toBe(true);

      // The run finished: its report is stored and the status message says how long it took.
      const incident = (await h.store.listOpenIncidents())[0];
      expect(incident).toBeDefined();
      expect(await h.store.listRunReports(incident!.id)).toHaveLength(1);
      expect(textOf(replies[0]!)).toMatch(/done in \d+ (ms|s)/);
    },
  );
});
