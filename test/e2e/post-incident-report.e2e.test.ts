/**
 * The post-incident report end to end (Socket Mode): an alert, a scale requested by U_ALICE and
 * approved by U_BOB, the alert resolved; `/runbook report` in the channel -> an ephemeral ack and
 * `incident-<id>.md` uploaded into the incident's thread with the INCIDENTS.md header lines and the
 * timeline; an unknown incident id -> an ephemeral error.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
import { CHANNEL, type Harness, startHarness, until, WAIT_MS } from "./harness.ts";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  const failed = h.failedCalls();
  await h.stop();
  expect(failed).toEqual([]);
});

const str = (v: unknown): string => (typeof v === "string" ? v : "");

describe("/runbook report", () => {
  it("uploads the post-incident report into the incident's thread", async () => {
    const root = await h.runAlert("consumer-lag");
    const approval = await h.requestScale(root.ts, "U_ALICE");
    await h.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await h.waitForReply(root.ts, (m) => m.text.startsWith(":white_check_mark: Done:"));
    await h.idle();
    await h.postAlert("consumer-lag", "resolved");
    await h.waitForReply(root.ts, (m) => m.text.includes("resolved after"));
    await h.idle();
    const incident = await h.store.findIncidentByThread(CHANNEL, root.ts);
    expect(incident?.state).toBe("resolved");
    const filename = `incident-${incident!.id}.md`;

    const result = await h.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook report");
    expect(result.acked).toBe(true);
    expect(result.response?.response_type).toBe("ephemeral");
    expect(result.response?.text).toBe("Writing the post-incident report…");

    const uploadOf = () => {
      const call = h.emulator.callsTo("files.getUploadURLExternal").find((c) => c.body.filename === filename);
      return call ? h.emulator.state.files.get(str(call.response.file_id)) : undefined;
    };
    await until(() => uploadOf()?.completed === true);
    await h.idle();
    const stored = uploadOf();
    expect(stored).toMatchObject({ uploaded: true, completed: true, channel: CHANNEL, threadTs: root.ts });
    const markdown = stored!.bytes!.toString("utf8");

    const header = markdown.split("\n").filter((l) => l.startsWith("# "));
    expect(header.map((l) => l.split(":")[0])).toEqual([
      "# Date",
      "# Issue",
      "# Root Cause",
      "# Fix",
      "# Time to Fix",
      "# Data Loss",
    ]);
    expect(header[0]).toBe(`# Date: ${incident!.openedAt.toISOString().slice(0, 10)}`);
    expect(header[1]).toMatch(/^# Issue: kafka-consumer-lag-high \(Consumer Lag High\): lag /);
    expect(header[2]).toMatch(/^# Root Cause: .+ \(confidence: (high|medium|low)\)$/);
    expect(header[3]).toContain("flink-taskmanager: 4 -> 8 replicas");
    expect(header[4]).toMatch(/^# Time to Fix: \d+ seconds?$/);
    expect(markdown).toMatch(
      /\| Alert fired: kafka-consumer-lag-high \(alertmanager\); incident opened \| bot \|/,
    );
    expect(markdown).toMatch(/\| Finding, Step 1[^|]*\|/);
    expect(markdown).toMatch(/\| Requested: flink-taskmanager: 4 -> 8 replicas[^|]*\| <@U_ALICE> \|/);
    expect(markdown).toMatch(/\| Approved: flink-taskmanager: 4 -> 8 replicas[^|]*\| <@U_BOB> \|/);
    expect(markdown).toMatch(/\| Succeeded: flink-taskmanager scaled 4 -> 8 replicas[^|]*\| bot \|/);
    expect(markdown).toMatch(/\| Resolved after \d+ seconds? \| bot \|/);

    const audit = await h.store.listAudit({ incidentId: incident!.id });
    expect(audit.filter((e) => e.kind === "report.written").map((e) => e.actor)).toEqual(["U_ALICE"]);

    // By id, the same report again.
    await h.emulator.slashCommand("U_BOB", CHANNEL, `/runbook report ${incident!.id}`);
    await until(
      async () =>
        (await h.store.listAudit({ incidentId: incident!.id })).filter((e) => e.kind === "report.written")
          .length === 2,
    );
  });

  it("an unknown incident id gets an ephemeral error", async () => {
    const result = await h.emulator.slashCommand("U_ALICE", CHANNEL, "/runbook report inc-000000000000");
    expect(result.response?.text).toBe("Writing the post-incident report…");
    const told = await h.emulator.waitFor(
      (m) => m.ephemeral_for === "U_ALICE" && m.text.includes("inc-000000000000"),
      WAIT_MS,
    );
    expect(told.text).toBe("No incident `inc-000000000000` is known to the bot.");
    expect(h.emulator.callsTo("files.getUploadURLExternal")).toEqual([]);
  });
});
