/**
 * `/runbook` end to end (Socket Mode): help and status answer ephemerally in the ack; a runbook
 * name is acked within Slack's 3 s and then worked in a new thread; unknown names and malformed
 * arguments get a clear ephemeral answer.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, scaleButtonId, startHarness, textOf, until, WAIT_MS } from "./harness.ts";

const RUNBOOK_IDS = [
  "dlq-spike",
  "checkpoint-failure",
  "kafka-broker-down",
  "firehose-delivery-failure",
  "consumer-lag",
  "latency-slo-breach",
  "window-completeness",
  "memory-usage",
  "checkpoint-duration",
];

let h: Harness;
let expectedFailures: string[] = [];

beforeEach(async () => {
  h = await startHarness();
  expectedFailures = [];
});

afterEach(async () => {
  const failed = h.failedCalls().map((c) => `${c.method}:${String(c.error)}`);
  await h.stop();
  expect(failed).toEqual(expectedFailures);
});

const isStep = (n: number) => (m: { text: string }) => m.text.includes(`Step ${n}:`);

describe("/runbook help", () => {
  for (const text of ["/runbook", "/runbook help", "/runbook list"]) {
    it(`\`${text}\` answers in the ack, ephemerally, with the nine runbooks`, async () => {
      const result = await h.emulator.slashCommand("U_ALICE", CHANNEL, text);
      expect(result.acked).toBe(true);
      expect(result.ackMs).toBeLessThan(3000);
      expect(result.response?.response_type).toBe("ephemeral");
      expect(result.shown?.ephemeral_for).toBe("U_ALICE");
      const shown = textOf(result.shown!);
      for (const id of RUNBOOK_IDS) expect(shown).toContain(`\`${id}\``);
      expect(shown).toMatch(/\*Consumer Lag High\* `consumer-lag` \(also `lag`\)/);
      // All nine are automated.
      expect(shown.match(/:robot_face: automated diagnosis/g)?.length ?? 0).toBeGreaterThan(0);
      expect(shown).not.toContain(":book: manual only");
      // Nothing in the channel.
      expect(h.emulator.channelHistory(CHANNEL)).toEqual([]);
    });
  }
});

describe("/runbook <name>", () => {
  it("acks within 3 s, then posts an incident message and works the runbook in its thread", async () => {
    const result = await h.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook lag");
    expect(result.acked).toBe(true);
    expect(result.ackMs).toBeLessThan(3000);
    expect(result.shown).toBeUndefined(); // a bare ack: the answer is the thread

    const root = await h.emulator.waitFor(
      (m) => m.channel === CHANNEL && m.user === "U_RUNBOOKBOT" && m.thread_ts === undefined,
      WAIT_MS,
    );
    expect(textOf(root)).toContain("Requested by <@U_ALICE> with `/runbook consumer-lag`");
    await until(() => h.botReplies(root.ts).filter(isStep(4)).length === 1);
    await h.idle();
    const replies = h.botReplies(root.ts);
    expect(replies.map((m) => /Step (\d):/.exec(m.text)?.[1])).toEqual(["1", "2", "3", "4"]);
    expect(scaleButtonId(replies[3]!)).toBe("proposal:scale-taskmanagers:0");
    // The root message is the incident's live status (not a second status message in the thread):
    // diagnosed, with the conclusion and the incident id.
    const status = textOf(h.emulator.findMessage((m) => m.ts === root.ts)!);
    expect(status).not.toContain("Diagnosing");
    expect(status).toContain(":rotating_light: Firing");
    expect(status).toContain("Likely cause: Flink resource constraint (B)");
    expect(status).toMatch(/Incident `inc-[0-9a-f]+` · runbook `consumer-lag` · source: manual/);
    expect(status).toContain("Requested by <@U_ALICE>");

    const [incident, ...others] = await h.store.listOpenIncidents();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({
      runbookId: "consumer-lag",
      threadTs: root.ts,
      statusTs: root.ts,
      source: "manual",
    });
    const opened = (await h.store.listAudit({ incidentId: incident!.id })).find(
      (e) => e.kind === "incident.opened",
    );
    expect(opened?.actor).toBe("U_ALICE");
  });

  it("while an incident is open runs it again in the same thread instead of opening another", async () => {
    const root = await h.runAlert("consumer-lag");
    const result = await h.emulator.slashCommand("U_BOB", CHANNEL, "/runbook consumer-lag");
    expect(result.acked).toBe(true);
    await h.waitForReply(root.ts, (m) => m.text.includes("<@U_BOB> ran `/runbook consumer-lag`"));
    await until(() => h.botReplies(root.ts).filter(isStep(4)).length === 2);
    await h.idle();
    expect(await h.store.listOpenIncidents()).toHaveLength(1);
    expect(h.emulator.channelHistory(CHANNEL).filter((m) => m.user === "U_RUNBOOKBOT")).toEqual([]);
  });

  it("an alias, an alert name and any case all name the runbook", async () => {
    await h.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook KAFKA-CONSUMER-LAG-HIGH");
    const root = await h.emulator.waitFor(
      (m) => m.channel === CHANNEL && m.user === "U_RUNBOOKBOT" && m.thread_ts === undefined,
      WAIT_MS,
    );
    await until(() => h.botReplies(root.ts).filter(isStep(4)).length === 1);
    await h.idle();
    expect((await h.store.listOpenIncidents())[0]?.runbookId).toBe("consumer-lag");
  });

  it("in a channel the bot is not in: a clear ephemeral error", async () => {
    const result = await h.emulator.slashCommand("U_ALICE", "C_RANDOM", "/runbook lag");
    expect(result.acked).toBe(true);
    const told = await h.emulator.waitFor((m) => m.ephemeral_for === "U_ALICE", WAIT_MS);
    expect(told.text).toBe(
      "Could not start Consumer Lag High here: the bot is not a member of this channel (invite it with /invite).",
    );
    expectedFailures = ["chat.postMessage:not_in_channel"];
    await h.idle();
    expect(await h.store.listOpenIncidents()).toEqual([]);
  });
});

describe("/runbook with a wrong name or arguments", () => {
  it("an unknown name gets an ephemeral error with the closest names", async () => {
    const result = await h.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook lagg");
    expect(result.ackMs).toBeLessThan(3000);
    expect(result.shown?.ephemeral_for).toBe("U_ALICE");
    expect(result.shown?.text).toBe(
      ":x: No runbook is called `lagg`. Did you mean `lag`? Type `/runbook help` for the list.",
    );
    expect(h.emulator.channelHistory(CHANNEL)).toEqual([]);
  });

  it("a typo of a long name suggests it", async () => {
    const result = await h.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook checkpoint-falure");
    expect(result.shown?.text).toMatch(
      /^:x: No runbook is called `checkpoint-falure`\. Did you mean .*`checkpoint-failure`/,
    );
  });

  it("extra arguments get a clear message naming the right form", async () => {
    const result = await h.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook lag now please");
    expect(result.shown?.ephemeral_for).toBe("U_ALICE");
    expect(result.shown?.text).toBe(
      ":x: `/runbook` takes one runbook name; unexpected `now please`. Try `/runbook lag`.",
    );
    expect(await h.store.listOpenIncidents()).toEqual([]);
  });

  it("markup and huge arguments are neither echoed raw nor break the answer", async () => {
    const weird = await h.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook <!channel>`*&");
    expect(weird.shown?.ephemeral_for).toBe("U_ALICE");
    expect(weird.shown?.text).not.toContain("<!channel>");
    const huge = await h.emulator.slashCommand("U_ALICE", CHANNEL, `/runbook ${"x".repeat(3000)}`);
    expect(huge.shown?.text).toBe(":x: That is not a runbook name.");
    expect(h.emulator.channelHistory(CHANNEL)).toEqual([]);
  });
});

describe("/runbook status", () => {
  it("says so when nothing is open", async () => {
    const result = await h.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook status");
    expect(result.shown?.ephemeral_for).toBe("U_ALICE");
    expect(result.shown?.text).toBe("No open incidents.");
  });

  it("lists the open incidents with their fire counts", async () => {
    const root = await h.runAlert("consumer-lag");
    await h.postAlert("consumer-lag", "firing", 2);
    await h.waitForReply(root.ts, (m) => m.text.includes("fired again"));
    await h.postAlert("memory-usage");
    await until(async () => (await h.store.listOpenIncidents()).length === 2);
    await h.idle();

    const result = await h.emulator.slashCommand("U_BOB", CHANNEL, "/runbook status");
    expect(result.ackMs).toBeLessThan(3000);
    expect(result.shown?.ephemeral_for).toBe("U_BOB");
    const text = result.shown!.text;
    expect(text).toMatch(/^2 open incident\(s\):/);
    expect(text).toMatch(
      /• \*kafka-consumer-lag-high\* \(consumer-lag\) in <#C_INCIDENTS> since <!date\^\d+\^[^>]+>, fired 2x/,
    );
    expect(text).toMatch(/• \*memory-usage-high\* \(memory-usage\) in <#C_INCIDENTS> since .*, fired 1x/);

    await h.postAlert("consumer-lag", "resolved");
    await until(async () => (await h.store.listOpenIncidents()).length === 1);
    const after = await h.emulator.slashCommand("U_BOB", CHANNEL, "/runbook status");
    expect(after.shown?.text).toMatch(/^1 open incident\(s\):/);
    expect(after.shown?.text).not.toContain("kafka-consumer-lag-high");
  });
});

describe("/runbook with a malformed payload (issue 10, finding 9)", () => {
  const cases: [string, Record<string, string | null>][] = [
    ["without channel_id", { channel_id: null }],
    ["with an empty channel_id", { channel_id: "" }],
    ["without user_id", { user_id: null }],
    ["with a user_id that is not a user id", { user_id: "<!channel>" }],
    ["with a control character in the text", { text: "lag\u0000" }],
    ["with an over-long text", { text: `lag ${"x".repeat(5000)}` }],
  ];
  for (const [name, fields] of cases) {
    it(`${name}: a clear ephemeral answer in the ack, and nothing happens`, async () => {
      const result = await h.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook lag", { fields });
      expect(result.acked).toBe(true);
      expect(result.response?.response_type).toBe("ephemeral");
      expect(result.response?.text).toMatch(/^:x: This \/runbook request .+; nothing was done\.$/);
      await h.idle();
      expect(await h.store.listOpenIncidents()).toEqual([]);
      expect(h.emulator.channelHistory(CHANNEL)).toEqual([]);
    });
  }
});

describe("slack.commandChannels (issue 10, finding 9)", () => {
  it("restricts where /runbook answers; elsewhere an ephemeral message names the allowed channels", async () => {
    await h.stop();
    h = await startHarness({ config: { slack: { commandChannels: ["incidents", "#alerts"] } } });
    const refused = await h.emulator.slashCommand("U_ALICE", "C_GENERAL", "/runbook lag");
    expect(refused.acked).toBe(true);
    expect(refused.shown?.ephemeral_for).toBe("U_ALICE");
    expect(refused.shown?.text).toBe(
      ":x: `/runbook` answers only in #incidents, #alerts; nothing was done here.",
    );
    const help = await h.emulator.slashCommand("U_ALICE", "C_GENERAL", "/runbook help");
    expect(help.shown?.text).toContain("answers only in");
    await h.idle();
    expect(await h.store.listOpenIncidents()).toEqual([]);
    expect(h.emulator.channelHistory("C_GENERAL")).toEqual([]);

    // In an allowed channel it works as before.
    const allowed = await h.emulator.slashCommand("U_ALICE", "C_ALERTS", "/runbook status");
    expect(allowed.shown?.text).toBe("No open incidents.");
    await h.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook lag");
    await until(async () => (await h.store.listOpenIncidents()).length === 1);
    await h.idle();
  });
});
