/**
 * `npm run bench`: the bot's own overhead, measured over the Slack emulator with the simulated
 * platform (so no network or cloud time is in the figures).
 *  1. latency: an alert message posted to #incidents -> the bot's first reply in its thread,
 *     one alert at a time (each resolved before the next), p50/p95/p99 over N alerts;
 *  2. throughput: N alerts posted at once (each its own message) -> all first replies in, events/s.
 */

import type { CliIo } from "../src/cli/io.ts";
import { configSchema } from "../src/config/schema.ts";
import { findRunbook } from "../src/core/catalog.ts";
import { silentLogger } from "../src/logger.ts";
import { alertmanagerMessage } from "../src/sandbox/alert-messages.ts";
import { SANDBOX_CHANNEL, startSandbox } from "../src/sandbox/start-sandbox.ts";
import { percentile } from "./percentile.ts";

export interface BenchOptions {
  readonly alerts: number;
  readonly io: CliIo;
  readonly transport?: "socket" | "http";
}

export async function runBench(options: BenchOptions): Promise<number> {
  const base = { ...configSchema.parse({ runbooks: { lagSampleIntervalSeconds: 0 } }), secrets: {} };
  const sandbox = await startSandbox({
    config: base,
    logger: silentLogger,
    transport: options.transport ?? "socket",
  });
  const { emulator } = sandbox;
  const meta = findRunbook("lag")!;
  const out = (s: string) => options.io.stdout.write(`${s}\n`);
  try {
    const firstReply = (ts: string, timeoutMs = 10_000) =>
      emulator.waitFor((m) => m.channel === SANDBOX_CHANNEL && m.thread_ts === ts && m.ts !== ts, timeoutMs, {
        includeExisting: true,
      });

    // Warm-up (JIT, connections), not measured.
    for (let i = 0; i < 10; i++) {
      const posted = await emulator.postBotMessage(SANDBOX_CHANNEL, alertmanagerMessage(meta, "firing"));
      await firstReply(posted.message.ts);
      await sandbox.bot.service.idle();
      await emulator.postBotMessage(SANDBOX_CHANNEL, alertmanagerMessage(meta, "resolved"));
      await sandbox.bot.service.idle();
    }

    const latencies: number[] = [];
    for (let i = 0; i < options.alerts; i++) {
      const started = performance.now();
      const posted = await emulator.postBotMessage(SANDBOX_CHANNEL, alertmanagerMessage(meta, "firing"));
      await firstReply(posted.message.ts);
      latencies.push(performance.now() - started);
      await sandbox.bot.service.idle();
      await emulator.postBotMessage(SANDBOX_CHANNEL, alertmanagerMessage(meta, "resolved"));
      await sandbox.bot.service.idle();
    }
    latencies.sort((a, b) => a - b);

    // Throughput: distinct runbooks in distinct messages at once; every one opens an incident.
    const burstRunbooks = [
      "dlq",
      "ckpt",
      "broker",
      "firehose",
      "lag",
      "latency",
      "window",
      "mem",
      "ckpt-duration",
    ];
    const rounds = Math.max(1, Math.floor(options.alerts / burstRunbooks.length));
    let handled = 0;
    const burstStarted = performance.now();
    for (let r = 0; r < rounds; r++) {
      const posted = await Promise.all(
        burstRunbooks.map((name) =>
          emulator.postBotMessage(SANDBOX_CHANNEL, alertmanagerMessage(findRunbook(name)!, "firing")),
        ),
      );
      await Promise.all(posted.map((p) => firstReply(p.message.ts, 30_000)));
      handled += posted.length;
      await sandbox.bot.service.idle();
      await Promise.all(
        burstRunbooks.map((name) =>
          emulator.postBotMessage(SANDBOX_CHANNEL, alertmanagerMessage(findRunbook(name)!, "resolved")),
        ),
      );
      handled += burstRunbooks.length;
      await sandbox.bot.service.idle();
    }
    const burstSeconds = (performance.now() - burstStarted) / 1000;

    const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
    out(
      `runbook-bot bench (${options.transport ?? "socket"} mode, simulated platform, ${options.alerts} alerts)`,
    );
    out(
      `alert -> first thread reply: p50 ${fmt(percentile(latencies, 50))}  p95 ${fmt(percentile(latencies, 95))}  p99 ${fmt(percentile(latencies, 99))}  max ${fmt(latencies.at(-1)!)}`,
    );
    out(
      `throughput: ${handled} alert events (firing + resolved) in ${burstSeconds.toFixed(2)} s = ${(handled / burstSeconds).toFixed(1)} events/s`,
    );
    const p95 = percentile(latencies, 95);
    out(`goal: bot overhead under 50 ms p95 -> ${p95 < 50 ? "met" : "NOT met"} (${fmt(p95)})`);
    return 0;
  } finally {
    await sandbox.stop();
  }
}
