/**
 * The `runbook-bot` command line. Every command returns an exit code; errors are messages, not stack
 * traces. Each command imports what it needs when it runs (`import()`), so that a command loads
 * only its own modules and SDKs: `runbooks` reads no config and loads no SDK at all.
 */
import { Command, CommanderError } from "commander";
import type { LoadedConfig } from "../config/load-config.ts";
import { type CliIo, processIo, writeLine } from "./io.ts";

/** The config for a command (commands/load.ts), or undefined after printing its problems. */
async function loadForCli(
  path: string | undefined,
  io: CliIo,
  opts: Parameters<typeof import("./commands/load.ts").loadForCli>[2] = {},
): Promise<LoadedConfig | undefined> {
  return (await import("./commands/load.ts")).loadForCli(path, io, opts);
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let code = 0;
  const program = new Command("runbook-bot")
    .description("Slack incident bot for the streaming pipeline's runbooks")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError();

  program
    .command("runbooks")
    .description("list the nine runbooks")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const { listRunbooks } = await import("../runbooks/registry.ts");
      const list = listRunbooks();
      if (opts.json) writeLine(io.stdout, JSON.stringify(list, null, 2));
      else {
        for (const r of list) {
          writeLine(
            io.stdout,
            `${r.id.padEnd(26)} ${r.severity.padEnd(9)} ${r.automated ? "automated" : "manual   "}  ${r.alert}  (aliases: ${r.aliases.join(", ")})`,
          );
        }
      }
    });

  program
    .command("match")
    .description("read Slack message events as JSON Lines on stdin; print one JSON match result per line")
    .option("--config <file>", "config file")
    .action(async (opts: { config?: string }) => {
      const loaded = await loadForCli(opts.config, io);
      if (!loaded) {
        code = 2;
        return;
      }
      const { matchLines } = await import("./commands/match.ts");
      code = await matchLines(loaded.config, io);
    });

  program
    .command("diagnose")
    .description("run a runbook against the configured systems and print the report")
    .argument("<runbook>", "runbook id or alias, e.g. lag")
    .option("--config <file>", "config file")
    .option("--json", "print the report as JSON")
    .action(async (name: string, opts: { config?: string; json?: boolean }) => {
      const loaded = await loadForCli(opts.config, io);
      if (!loaded) {
        code = 2;
        return;
      }
      const color = !opts.json && (io.stdout as NodeJS.WriteStream).isTTY === true && !io.env.NO_COLOR;
      const { diagnose } = await import("./commands/diagnose.ts");
      code = await diagnose(name, loaded.config, io, { json: opts.json === true, color });
    });

  program
    .command("drill")
    .description("run a runbook in a drill scenario of the simulated platform (no argument: list them)")
    .argument("[scenario]", "scenario id, e.g. consumer-lag/backpressure")
    .option("--config <file>", "config file (thresholds and names)")
    .option("--json", "print the result as JSON")
    .action(async (id: string | undefined, opts: { config?: string; json?: boolean }) => {
      const { drill, listDrills } = await import("./commands/drill.ts");
      if (id === undefined) {
        code = listDrills(io);
        return;
      }
      const loaded = await loadForCli(opts.config, io);
      if (!loaded) {
        code = 2;
        return;
      }
      const color = !opts.json && (io.stdout as NodeJS.WriteStream).isTTY === true && !io.env.NO_COLOR;
      code = await drill(id, loaded.config, io, { json: opts.json === true, color });
    });

  program
    .command("plan")
    .description(
      "dry run of an action: validate its params and print the exact change it would make (never executes)",
    )
    .argument("<action>", `action id, e.g. scale-taskmanagers`)
    .option("--params <json>", "the action's params as a JSON object", "{}")
    .option("--config <file>", "config file")
    .option("--json", "print the plan as JSON")
    .action(async (action: string, opts: { params: string; config?: string; json?: boolean }) => {
      const loaded = await loadForCli(opts.config, io);
      if (!loaded) {
        code = 2;
        return;
      }
      const { plan } = await import("./commands/plan.ts");
      code = await plan(action, loaded.config, io, { params: opts.params, json: opts.json === true });
    });

  program
    .command("report")
    .description("print the post-incident report (Markdown) of an incident from the configured store")
    .argument("<incident-id>", "incident id, e.g. inc-1a2b3c4d5e6f")
    .option("--config <file>", "config file (store.path)")
    .action(async (incidentId: string, opts: { config?: string }) => {
      const loaded = await loadForCli(opts.config, io);
      if (!loaded) {
        code = 2;
        return;
      }
      const { report } = await import("./commands/report.ts");
      code = await report(incidentId, loaded.config, io);
    });

  program
    .command("check-config")
    .description("validate the config and print the effective config with secrets masked")
    .option("--config <file>", "config file")
    .option("--require-secrets", "refuse the config when a secret variable it names is not set here")
    .action(async (opts: { config?: string; requireSecrets?: boolean }) => {
      const unset = opts.requireSecrets === true ? "refuse" : "allow";
      const loaded = await loadForCli(opts.config, io, { checkStore: true, unsetSecrets: unset });
      if (!loaded) {
        code = 2;
        return;
      }
      const { maskedConfig, unsetSecrets } = await import("../config/load-config.ts");
      const { describeStoreChoice, storeChoice } = await import("../config/store-choice.ts");
      // The file is fine; what this environment lacks is said, not held against the file.
      for (const { key, variable } of unsetSecrets(loaded.config, io.env)) {
        writeLine(
          io.stderr,
          `runbook-bot: note: ${variable} (${key}) is not set here: serve refuses to start without it`,
        );
      }
      writeLine(io.stdout, `# config OK (${loaded.source})`);
      writeLine(io.stdout, `# store: ${describeStoreChoice(storeChoice(loaded.config), loaded.config)}`);
      writeLine(io.stdout, JSON.stringify(maskedConfig(loaded.config), null, 2));
    });

  program
    .command("serve")
    .description("run the bot: connects to Slack with credentials, else starts the embedded sandbox")
    .option("--config <file>", "config file")
    .option("--sandbox", "run the embedded sandbox even when Slack credentials are set")
    .action(async (opts: { config?: string; sandbox?: boolean }) => {
      const loaded = await loadForCli(opts.config, io, { checkStore: true });
      if (!loaded) {
        code = 2;
        return;
      }
      const { serve } = await import("./commands/serve.ts");
      code = await serve(loaded, io, { sandbox: opts.sandbox === true });
    });

  program
    .command("bench")
    .argument("[suites...]", "which suites to run (default: all): latency, intake, storm, ...")
    .description("the benchmark suites: alert latency over the Slack emulator and more")
    .option("--alerts <n>", "number of alerts for the latency suite", "300")
    .option("--quick", "a smaller scale where a suite has one (storm: 100 messages in 6 s)")
    .option("--replicas <n>", "bot processes sharing one store (storm)", "1")
    .action(async (suites: string[], opts: { alerts: string; quick?: boolean; replicas: string }) => {
      const n = Number.parseInt(opts.alerts, 10);
      const replicas = Number.parseInt(opts.replicas, 10);
      if (!Number.isInteger(n) || n < 1 || !Number.isInteger(replicas) || replicas < 1) {
        writeLine(io.stderr, "runbook-bot: --alerts and --replicas must be positive integers");
        code = 2;
        return;
      }
      const { runBenchSuites } = await import("../../bench/suites.ts");
      code = await runBenchSuites(suites, {
        alerts: n,
        io,
        replicas,
        ...(opts.quick ? { quick: true } : {}),
      });
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ||
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version"
        ? 0
        : 2;
    }
    writeLine(io.stderr, `runbook-bot: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  return code;
}
