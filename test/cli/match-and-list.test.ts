import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/slack-alerts");

interface Fixture {
  readonly description: string;
  readonly options?: { allowHumanAlerts?: boolean; extraPatterns?: Record<string, string[]> };
  readonly event: unknown;
  readonly expected: unknown;
}

const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(FIXTURES, f), "utf8")) as Fixture) }));

describe("runbook-bot runbooks --json", () => {
  it("lists the nine runbooks with the public ids and aliases", async () => {
    const run = await runCli(["runbooks", "--json"]);
    expect(run.code).toBe(0);
    const list = JSON.parse(run.stdout) as {
      id: string;
      alert: string;
      aliases: string[];
      title: string;
      severity: string;
      automated: boolean;
    }[];
    expect(list.map((r) => [r.id, r.alert, r.aliases.join(","), r.severity, r.automated])).toEqual([
      ["dlq-spike", "dlq-spike-critical", "dlq", "critical", true],
      ["checkpoint-failure", "checkpoint-failure-critical", "checkpoint,ckpt", "critical", true],
      ["kafka-broker-down", "kafka-broker-down-critical", "broker,kafka", "critical", true],
      ["firehose-delivery-failure", "firehose-delivery-failure-critical", "firehose", "critical", true],
      ["consumer-lag", "kafka-consumer-lag-high", "lag", "high", true],
      ["latency-slo-breach", "processing-latency-slo-breach", "latency,slo", "high", true],
      ["window-completeness", "window-completeness-low", "completeness,window", "high", true],
      ["memory-usage", "memory-usage-high", "memory,mem", "medium", true],
      ["checkpoint-duration", "checkpoint-duration-high", "ckpt-duration", "medium", true],
    ]);
    for (const r of list)
      expect(Object.keys(r).sort()).toEqual(["alert", "aliases", "automated", "id", "severity", "title"]);
  });
});

describe("runbook-bot match", () => {
  const defaults = fixtures.filter((f) => f.options === undefined);

  it("answers one line per input line, in order, as the bot would (default config)", async () => {
    const stdin = defaults.map((f) => JSON.stringify(f.event)).join("\n");
    const run = await runCli(["match"], { stdin });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(defaults.length);
    lines.forEach((line, i) => {
      expect(JSON.parse(line), defaults[i]!.file).toEqual(defaults[i]!.expected);
    });
  });

  it("applies the config's allowHumanAlerts and extraPatterns", async () => {
    const withOptions = fixtures.filter((f) => f.options !== undefined);
    expect(withOptions.length).toBeGreaterThan(0);
    for (const f of withOptions) {
      const dir = mkdtempSync(join(tmpdir(), "rb-match-"));
      const path = join(dir, "config.yaml");
      writeFileSync(
        path,
        JSON.stringify({
          slack: { allowHumanAlerts: f.options?.allowHumanAlerts ?? false },
          alerts: { extraPatterns: f.options?.extraPatterns ?? {} },
        }),
      );
      const run = await runCli(["match", "--config", path], { stdin: `${JSON.stringify(f.event)}\n` });
      expect(JSON.parse(run.stdout), f.file).toEqual(f.expected);
    }
  });

  it("turns a line that is not JSON into an error and goes on", async () => {
    const alert = fixtures.find((f) => f.file === "alertmanager-default-firing.json")!;
    const stdin = [
      "{not json",
      JSON.stringify(alert.event),
      "[1,2]",
      "",
      JSON.stringify({ type: "message", text: "hello", user: "U1" }),
    ].join("\n");
    const run = await runCli(["match"], { stdin });
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toHaveProperty("error");
    expect(String(lines[0]!.error)).toMatch(/^not JSON/);
    expect(lines[1]).toEqual(alert.expected);
    expect(lines[2]).toHaveProperty("error");
    expect(lines[3]).toEqual({ error: "empty line: expected one JSON message event" });
    expect(lines[4]).toEqual({ matches: [] });
  });

  it("splits JSON Lines on \\n only: a raw \\r inside a record does not split it (issue 10, finding 7)", async () => {
    const alert = fixtures.find((f) => f.file === "alertmanager-default-firing.json")!;
    // A raw carriage return is JSON whitespace between tokens; a CRLF line end is fine too.
    const record = JSON.stringify(alert.event).replace('"type":', '\r"type":');
    expect(record).toContain("\r");
    const run = await runCli(["match"], { stdin: `${record}\n${JSON.stringify(alert.event)}\r\n` });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual(alert.expected);
    expect(JSON.parse(lines[1]!)).toEqual(alert.expected);
  });

  it("reads a record split across stdin chunks, multi-byte characters included", async () => {
    const { PassThrough } = await import("node:stream");
    const { matchLines } = await import("../../src/cli/commands/match.ts");
    const { configSchema } = await import("../../src/config/schema.ts");
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = "";
    stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    const bytes = Buffer.from(`${JSON.stringify({ bot_id: "B1", text: "🔥 dlq-spike-critical firing" })}\n`);
    const done = matchLines({ ...configSchema.parse({}), secrets: {} } as never, {
      stdin,
      stdout,
      stderr: new PassThrough(),
      env: {},
    });
    for (let i = 0; i < bytes.length; i += 7) stdin.write(bytes.subarray(i, i + 7));
    stdin.end();
    expect(await done).toBe(0);
    expect(JSON.parse(out)).toEqual({
      matches: [{ alert: "dlq-spike-critical", runbook: "dlq-spike", state: "firing" }],
      source: "webhook",
    });
  });

  it("applies alerts.qualifiers from the config", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-match-"));
    const path = join(dir, "config.yaml");
    writeFileSync(path, JSON.stringify({ alerts: { qualifiers: ["qa"] } }));
    const events = ["memory-usage-high-qa firing", "memory-usage-high-staging firing"].map((text) =>
      JSON.stringify({ bot_id: "B1", text }),
    );
    const run = await runCli(["match", "--config", path], { stdin: `${events.join("\n")}\n` });
    const [qa, staging] = run.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as unknown);
    expect(qa).toEqual({ matches: [] });
    expect(staging).toEqual({
      matches: [{ alert: "memory-usage-high", runbook: "memory-usage", state: "firing" }],
      source: "webhook",
    });
    const defaults = await runCli(["match"], { stdin: `${events[1]}\n` });
    expect(JSON.parse(defaults.stdout)).toEqual({ matches: [] });
  });

  it("refuses an invalid config with every problem by path, and no stack trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-match-"));
    const path = join(dir, "bad.yaml");
    writeFileSync(
      path,
      "alerts:\n  extraPatterns:\n    consumer-lag: ['(unclosed']\n    nope: ['x']\nkafka:\n  brokers: []\n",
    );
    const run = await runCli(["match", "--config", path], { stdin: "{}\n" });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("kafka.brokers: expected at least 1 item");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("runbook-bot diagnose: bad names", () => {
  it("suggests the closest runbook for a typo", async () => {
    const run = await runCli(["diagnose", "lga"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no runbook is called "lga". Did you mean lag?');
  });
  it("unknown commands exit 2 with help", async () => {
    const run = await runCli(["frobnicate"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command");
  });
});

describe("runbook-bot check-config", () => {
  it("refuses extra patterns RE2 cannot run in linear time, with the reason (issue 10, finding 1)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-check-"));
    const path = join(dir, "config.yaml");
    writeFileSync(
      path,
      "alerts:\n  extraPatterns:\n    consumer-lag: ['lag(?=\\s+high)', '(lag)\\s+\\1', '(a+)+$']\n",
    );
    const run = await runCli(["check-config", "--config", path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "alerts.extraPatterns.consumer-lag[0]: uses a lookahead, which cannot be run in linear time",
    );
    expect(run.stderr).toContain(
      "alerts.extraPatterns.consumer-lag[1]: uses a backreference, which cannot be run in linear time",
    );
    // (a+)+$ is slow only for a backtracking engine: RE2 runs it in linear time, so it is accepted.
    expect(run.stderr).not.toContain("consumer-lag[2]");
  });

  it("refuses a qualifier that is not one word", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-check-"));
    const path = join(dir, "config.yaml");
    writeFileSync(path, "alerts:\n  qualifiers: ['pre-prod']\n");
    const run = await runCli(["check-config", "--config", path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("a qualifier is one word of letters and digits");
  });

  it("prints the effective config with secrets masked", async () => {
    const run = await runCli(["check-config"], {
      env: { SLACK_BOT_TOKEN: "xoxb-1234567890-secret", SLACK_APP_TOKEN: "xapp-1-A1-987654321-secret" },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("# config OK (defaults)");
    expect(run.stdout).not.toContain("1234567890-secret");
    expect(run.stdout).not.toContain("987654321-secret");
    expect(run.stdout).toContain('"consumerGroup": "order-processor"');
  });
});
