/**
 * The newcomer's path: `npm start` without credentials runs the real bot against the built-in Slack
 * emulator and the simulated platform, driven from the terminal.
 */
import { spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.ts";
import { silentLogger } from "../../src/logger.ts";
import { type Sandbox, startSandbox } from "../../src/sandbox/start-sandbox.ts";
import { TerminalUi } from "../../src/sandbox/terminal/terminal-ui.ts";

describe("sandbox terminal", () => {
  let sandbox: Sandbox;
  let ui: TerminalUi;
  let screen = "";
  let detach: () => void;

  beforeAll(async () => {
    const config = { ...configSchema.parse({ runbooks: { lagSampleIntervalSeconds: 1 } }), secrets: {} };
    sandbox = await startSandbox({ config, logger: silentLogger });
    const output = new PassThrough();
    output.on("data", (chunk: Buffer) => {
      screen += chunk.toString("utf8");
    });
    ui = new TerminalUi({ sandbox, input: new PassThrough(), output });
    detach = ui.attach();
  });

  afterAll(async () => {
    detach();
    await sandbox.stop();
  });

  const settle = async () => {
    await sandbox.bot.service.idle();
    await sandbox.emulator.idle();
    // status updates are shown once they settle (300 ms debounce)
    await new Promise((r) => setTimeout(r, 400));
  };

  const buttonNumber = (label: RegExp): number => {
    const matches = [...screen.matchAll(/\[(\d+)\] ([^[\n]+)/g)].filter((m) => label.test(m[2] ?? ""));
    const last = matches.at(-1);
    if (!last) throw new Error(`no button ${label} on screen:\n${screen.slice(-3000)}`);
    return Number(last[1]);
  };

  it("fires an alert, works the runbook, and scales after a second person approves", async () => {
    await ui.handle("fire lag");
    await settle();
    expect(screen).toContain("[FIRING:1] kafka-consumer-lag-high");
    for (const step of [
      "Step 1: Assess",
      "Step 2: Identify bottleneck",
      "Step 3: Root cause",
      "Step 4: Fix",
    ]) {
      expect(screen).toContain(step);
    }
    expect(screen).toContain("Flink resource constraint (B)");

    await ui.handle(`click ${buttonNumber(/^Scale taskmanagers 4 -> 8/)}`);
    await settle();
    expect(screen).toContain("flink-taskmanager: 4 -> 8 replicas in namespace flink");

    // alice asked: she cannot approve her own request
    await ui.handle(`click ${buttonNumber(/^Approve/)}`);
    await settle();
    expect(screen).toContain("requester cannot approve their own request");
    expect(sandbox.platform.scenario.taskmanagers).toBe(4);

    // carol is not an approver
    await ui.handle("as carol");
    await ui.handle(`click ${buttonNumber(/^Approve/)}`);
    await settle();
    expect(screen).toContain("not an authorised approver");

    await ui.handle("as bob");
    await ui.handle(`click ${buttonNumber(/^Approve/)}`);
    await settle();
    expect(sandbox.platform.scenario.taskmanagers).toBe(8);
    expect(screen).toContain("@bob approved");
    expect(screen).toMatch(/flink-taskmanager scaled 4 -> 8 replicas in namespace flink/);
  });

  it("fills a form (a Slack modal) with submit: errors keep it open, a valid value requests", async () => {
    await ui.handle("as alice");
    await ui.handle("submit replicas=5");
    expect(screen).toContain("No form is open for you: press a Choose… button first.");
    await ui.handle(`click ${buttonNumber(/^Other replica count…/)}`);
    await settle();
    expect(screen).toContain("┌ Scale taskmanagers (a form; only you see it)");
    expect(screen).toMatch(/replicas = 8 {3}Replicas — A whole number from 1 to 12/);
    await ui.handle("submit replicas=99");
    await settle();
    expect(screen).toContain(
      "The form is still open:\n    replicas: replicas: 99 is outside the allowed 1..12",
    );
    await ui.handle("submit replicas=2.5");
    expect(screen).toContain("Slack would not submit it:\n    replicas: Enter a whole number.");
    await ui.handle("submit replicas=5");
    await settle();
    expect(screen).toContain("(form submitted)");
    expect(screen).toContain("flink-taskmanager: 8 -> 5 replicas in namespace flink");
    expect(sandbox.platform.scenario.taskmanagers).toBe(8);
  });

  it("answers slash commands ephemerally, with suggestions for typos", async () => {
    await ui.handle("as alice");
    await ui.handle("/runbook lga");
    await settle();
    expect(screen).toContain("(only visible to you)");
    expect(screen).toContain("Did you mean `lag`?");
    await ui.handle("/runbook help");
    await settle();
    expect(screen).toContain("checkpoint-duration");
  });

  it("switches the world to a drill scenario and works the runbook there", async () => {
    await ui.handle("drill");
    expect(screen).toContain("consumer-lag/backpressure");
    await ui.handle("drill consumer-lag/backpressure");
    await settle();
    expect(screen).toContain("Drill consumer-lag/backpressure: Firehose delivered nothing");
    expect(screen).toMatch(/Likely cause: backpressure from Firehose \(D\)/);
    await ui.handle("drill nonsense/branch");
    expect(screen).toContain('No drill "nonsense/branch". Type drill for the list.');
  });

  it("says what it does not understand", async () => {
    await ui.handle("fire nonsense");
    await ui.handle("click 9999");
    await ui.handle("as mallory");
    await ui.handle("dance");
    expect(screen).toContain('Unknown alert "nonsense"');
    expect(screen).toContain("No button [9999] on screen.");
    expect(screen).toContain('Unknown person "mallory"');
    expect(screen).toContain('Unknown command "dance". Type help.');
    expect(await ui.handle("quit")).toBe(false);
  });
});

describe("npm start without credentials", () => {
  it("starts the sandbox, reads commands from stdin and exits cleanly", async () => {
    // The sources (through tsx), never a dist/ that may be older than them: compiled-cli.test.ts
    // covers the compiled command.
    const env: NodeJS.ProcessEnv = { ...process.env, RUNBOOK_BOT_FROM_SOURCES: "1" };
    delete env.SLACK_BOT_TOKEN;
    delete env.SLACK_APP_TOKEN;
    delete env.SLACK_SIGNING_SECRET;
    delete env.RUNBOOK_BOT_CONFIG;
    const child = spawn(process.execPath, ["bin/runbook-bot.js", "serve"], {
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("You are alice.") && !child.stdin.writableEnded) child.stdin.end("help\nquit\n");
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(err).toContain("starting the embedded sandbox");
    expect(out).toContain("fire <alert|runbook>");
    expect(code).toBe(0);
  }, 60_000);
});
