/**
 * Alert intake end to end (Socket Mode): an Alertmanager message opens an incident whose thread
 * shows every step with real numbers; the same alert again is counted, not re-run; a resolved
 * alert (a new message or an edit of the firing one) closes the incident; odd and huge messages
 * break nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { alertmanagerMessage } from "../../src/sandbox/alert-messages.ts";
import { RERUN_ACTION_ID } from "../../src/slack/render/index.ts";
import {
  buttonOf,
  CHANNEL,
  type Harness,
  runbookMeta,
  SCALE_PATH,
  scaleButtonId,
  startHarness,
  textOf,
  until,
} from "./harness.ts";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  // Everything the bot posted passed the emulator's Block Kit validation.
  const failed = h.failedCalls();
  await h.stop();
  expect(failed).toEqual([]);
});

const isStep = (n: number) => (m: { text: string }) => m.text.includes(`Step ${n}:`);

describe("an alert message", () => {
  it("opens an incident whose thread has the status message and the four steps with their numbers", async () => {
    const root = await h.runAlert("consumer-lag");

    const replies = h.botReplies(root.ts);
    expect(replies).toHaveLength(5);
    const [status, step1, step2, step3, step4] = replies;

    // The status message: the alert, its state, the conclusion, the fix and re-run buttons.
    const statusText = textOf(status!);
    expect(statusText).toContain("Consumer Lag High");
    expect(statusText).toContain("`kafka-consumer-lag-high`");
    expect(statusText).toContain(":rotating_light: Firing");
    expect(statusText).toMatch(/\*Fired\*\nonce/);
    expect(statusText).toMatch(/done in \d+ (ms|s)/);
    expect(statusText).toContain("Likely cause: Flink resource constraint (B)");
    expect(statusText).toContain("source: alertmanager");
    expect(scaleButtonId(status!)).toBe("proposal:scale-taskmanagers:0");
    expect(buttonOf(status!, RERUN_ACTION_ID)).toBeDefined();

    // Step 1: lag per partition from Kafka (simulated: 95,000 at the start, growing 240/s).
    expect(step1!.text).toContain("Step 1: Assess");
    const lag = /Lag (\d\d),(\d{3}) \(threshold 50,000\), worst orders\.raw\/1 at (\d\d),\d{3}/.exec(
      step1!.text,
    );
    expect(lag).not.toBeNull();
    expect(Number(`${lag![1]}${lag![2]}`)).toBeGreaterThanOrEqual(95_000);
    const table = textOf(step1!);
    expect(table).toMatch(/orders\.raw +0 +\d+ +\d+ +25\d{3}/);
    expect(table).toMatch(/orders\.raw +1 +\d+ +\d+ +55\d{3} +&lt;- HIGH/);
    expect(table).toMatch(/orders\.raw +2 +\d+ +\d+ +15\d{3}/);

    // Step 2: throughput from CloudWatch (simulated): 1000/s in, 760/s out.
    expect(step2!.text).toContain("Step 2: Identify bottleneck");
    expect(step2!.text).toContain("RecordsOut is 76% of RecordsIn over 10 minutes: Flink is falling behind.");

    // Step 3: pod usage read from the Kubernetes API test server through the real adapter.
    expect(step3!.text).toContain("Step 3: Root cause");
    expect(step3!.text).toContain("a taskmanager runs at 98% of its limit");
    const pods = textOf(step3!);
    for (const [pod, cpu] of [
      ["flink-taskmanager-0", "1900m"],
      ["flink-taskmanager-1", "1954m"],
      ["flink-taskmanager-2", "1875m"],
      ["flink-taskmanager-3", "1922m"],
    ]) {
      expect(pods).toMatch(new RegExp(`${pod} +${cpu} +\\d+% of 2000m`));
    }

    // Step 4: the fix, as a button carrying the exact change.
    expect(step4!.text).toContain("Step 4: Fix");
    expect(step4!.text).toContain("Scale taskmanagers 4 -&gt; 8");
    const scale = buttonOf(step4!, /^proposal:scale-taskmanagers/);
    expect(scale?.text).toEqual({ type: "plain_text", text: "Scale taskmanagers 4 -> 8", emoji: true });
    expect(JSON.parse(String(scale?.value))).toMatchObject({
      action: "scale-taskmanagers",
      params: { namespace: "flink", deployment: "flink-taskmanager", replicas: 8, fromReplicas: 4 },
    });

    // Reading never writes: only GETs reached the cluster.
    expect(h.kube.requests.length).toBeGreaterThan(0);
    expect(h.kube.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(h.kube.requests.map((r) => r.path)).toContain(SCALE_PATH);

    // The store holds the incident, its four step results and the run report.
    const [incident, ...others] = await h.store.listOpenIncidents();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({
      runbookId: "consumer-lag",
      alertName: "kafka-consumer-lag-high",
      channel: CHANNEL,
      threadTs: root.ts,
      statusTs: status!.ts,
      fireCount: 1,
      source: "alertmanager",
    });
    expect((await h.store.listStepResults(incident!.id)).map((s) => s.step.title)).toEqual([
      "Step 1: Assess",
      "Step 2: Identify bottleneck",
      "Step 3: Root cause",
      "Step 4: Fix",
    ]);
    expect(await h.store.listRunReports(incident!.id)).toHaveLength(1);
  });

  it("works every one of the nine runbooks in its thread, in the simulated world", async () => {
    for (const id of [
      "dlq-spike",
      "checkpoint-failure",
      "kafka-broker-down",
      "firehose-delivery-failure",
      "latency-slo-breach",
      "window-completeness",
      "memory-usage",
      "checkpoint-duration",
    ]) {
      const root = await h.postAlert(id);
      const status = await h.waitForReply(root.ts, (m) => /Incident `inc-/.test(textOf(m)));
      await h.idle();
      expect(textOf(status), id).not.toContain("is not automated yet");
      // The status message plus one reply per step.
      expect(h.botReplies(root.ts).length, id).toBeGreaterThanOrEqual(4);
    }
    expect(h.failedCalls()).toEqual([]);
  });

  it("ignores people's messages and messages outside the incident channels", async () => {
    await h.emulator.postMessageAsUser("U_ALICE", CHANNEL, "[FIRING:1] kafka-consumer-lag-high again?");
    const meta = runbookMeta("consumer-lag");
    await h.emulator.postBotMessage("C_GENERAL", alertmanagerMessage(meta, "firing"));
    // A real alert afterwards is worked: the two above were looked at and dropped.
    const root = await h.runAlert("consumer-lag");
    expect(await h.store.listOpenIncidents()).toHaveLength(1);
    expect((await h.store.listOpenIncidents())[0]?.threadTs).toBe(root.ts);
    expect(h.emulator.channelHistory("C_GENERAL").filter((m) => m.user === "U_RUNBOOKBOT")).toEqual([]);
  });
});

describe("the same alert again while its incident is open", () => {
  it("is counted in the first thread without a new run, and offers Re-run diagnostics", async () => {
    const root = await h.runAlert("consumer-lag");
    const kubeRequests = h.kube.requests.length;

    const second = await h.postAlert("consumer-lag", "firing", 2);
    const note = await h.waitForReply(root.ts, (m) => m.text.includes("fired again"));
    expect(note.text).toBe(
      ":repeat: *kafka-consumer-lag-high* fired again (x2); diagnostics were not re-run.",
    );
    expect(buttonOf(note, RERUN_ACTION_ID)?.text).toMatchObject({ text: "Re-run diagnostics" });
    const status = h.botReplies(root.ts)[0]!;
    await until(() => /\*Fired\*\n2 times/.test(textOf(h.emulator.findMessage((m) => m.ts === status.ts)!)));

    await h.idle();
    expect(h.emulator.thread(CHANNEL, second.ts)).toHaveLength(1); // no thread on the second message
    expect(h.botReplies(root.ts).filter(isStep(1))).toHaveLength(1);
    expect(h.kube.requests).toHaveLength(kubeRequests);
    const [incident, ...others] = await h.store.listOpenIncidents();
    expect(others).toEqual([]);
    expect(incident?.fireCount).toBe(2);
    const audit = await h.store.listAudit({ incidentId: incident!.id });
    expect(audit.filter((e) => e.kind === "run.started")).toHaveLength(1);

    // Re-run diagnostics: a second run in the same thread.
    await h.emulator.clickButton("U_BOB", CHANNEL, note.ts, RERUN_ACTION_ID);
    await h.waitForReply(root.ts, (m) => m.text.includes("<@U_BOB> re-ran the diagnostics"));
    await until(() => h.botReplies(root.ts).filter(isStep(4)).length === 2);
    await h.idle();
    expect(h.botReplies(root.ts).filter(isStep(1))).toHaveLength(2);
    const after = await h.store.listAudit({ incidentId: incident!.id });
    expect(after.filter((e) => e.kind === "run.started").map((e) => e.actor)).toEqual(["bot", "U_BOB"]);
  });
});

describe("a resolved alert", () => {
  it("closes the incident and updates the status message with the time to resolve", async () => {
    const root = await h.runAlert("consumer-lag");
    const status = h.botReplies(root.ts)[0]!;

    const resolved = await h.postAlert("consumer-lag", "resolved");
    const note = await h.waitForReply(root.ts, (m) => m.text.includes("resolved after"));
    expect(note.text).toMatch(
      /^:white_check_mark: \*kafka-consumer-lag-high\* resolved after \d+ (s|min)\.$/,
    );
    await until(() => textOf(h.emulator.findMessage((m) => m.ts === status.ts)!).includes("Resolved after"));
    expect(textOf(h.emulator.findMessage((m) => m.ts === status.ts)!)).toMatch(
      /:white_check_mark: Resolved after \d/,
    );
    expect(h.emulator.thread(CHANNEL, resolved.ts)).toHaveLength(1);
    expect(await h.store.listOpenIncidents()).toEqual([]);

    // The next firing is a new incident in a new thread.
    const next = await h.runAlert("consumer-lag");
    expect(next.ts).not.toBe(root.ts);
    expect(h.botReplies(next.ts).filter(isStep(4))).toHaveLength(1);
  });

  it("is also recognised when Alertmanager edits the firing message (message_changed)", async () => {
    const root = await h.runAlert("consumer-lag");
    const meta = runbookMeta("consumer-lag");
    const edited = alertmanagerMessage(meta, "resolved");
    await h.emulator.editMessage(CHANNEL, root.ts, { text: edited.text, attachments: edited.attachments });
    await h.waitForReply(root.ts, (m) => m.text.includes("resolved after"));
    await until(async () => (await h.store.listOpenIncidents()).length === 0);
    const audit = await h.store.listAudit();
    expect(audit.filter((e) => e.kind === "incident.resolved")).toHaveLength(1);
  });

  it("without an open incident does nothing", async () => {
    const resolved = await h.postAlert("consumer-lag", "resolved");
    // A firing alert after it is worked normally, so the resolved one was seen before it.
    await h.runAlert("consumer-lag");
    expect(h.emulator.thread(CHANNEL, resolved.ts)).toHaveLength(1);
    expect(await h.store.listOpenIncidents()).toHaveLength(1);
  });
});

describe("odd alert messages", () => {
  it("a huge alert with odd characters still opens one incident, and everything posted is valid Block Kit", async () => {
    const meta = runbookMeta("consumer-lag");
    const base = alertmanagerMessage(meta, "firing");
    const noise = `<!channel> & <@U_ALICE> \`\`\` *bold* _it_ ~s~ > quote 🚨 ${"ÄÖÜ ñ 漢字 \u0000 \u202e ".repeat(20)}\n`;
    // Slack caps a message's text at 40,000 characters; Alertmanager puts every alert's labels
    // and annotations in the attachment's text, after the title.
    const root = (
      await h.emulator.postBotMessage(CHANNEL, {
        ...base,
        text: noise.repeat(10),
        attachments: [
          { ...base.attachments[0], text: `${base.attachments[0]!.text}\n${noise.repeat(60)}` },
          ...Array.from({ length: 30 }, (_, i) => ({ color: "danger", text: `${i} ${noise}`, title: noise })),
        ],
        blocks: [
          { type: "section", text: { type: "mrkdwn", text: noise.repeat(5).slice(0, 3000) } },
          { type: "divider" },
        ],
      })
    ).message;
    await h.waitForReply(root.ts, (m) => /Incident `inc-/.test(textOf(m)));
    await h.idle();
    expect(h.botReplies(root.ts).filter(isStep(4))).toHaveLength(1);
    expect(await h.store.listOpenIncidents()).toHaveLength(1);
  });

  it("messages that name no alert, or are empty, or are only attachments without text, are ignored", async () => {
    await h.emulator.postBotMessage(CHANNEL, { username: "Grafana", text: "" });
    await h.emulator.postBotMessage(CHANNEL, { username: "Grafana", text: "y".repeat(50_000) });
    await h.emulator.postBotMessage(CHANNEL, { username: "Grafana", attachments: [{ color: "danger" }] });
    await h.emulator.postBotMessage(CHANNEL, {
      username: "Grafana",
      blocks: [{ type: "divider" }, { type: "context", elements: [{ type: "mrkdwn", text: "[FIRING]" }] }],
    });
    const root = await h.runAlert("consumer-lag");
    expect(await h.store.listOpenIncidents()).toHaveLength(1);
    const botPosts = h.emulator.callsTo("chat.postMessage");
    expect(botPosts.every((c) => c.body.thread_ts === root.ts)).toBe(true);
  });
});
