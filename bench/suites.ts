/**
 * The benchmark suites of `npm run bench` (`runbook-bot bench [suite...]`), by name. Each runs in
 * this process and prints its own figures; with no name given, every suite runs in this order.
 */
import type { CliIo } from "../src/cli/io.ts";

export interface BenchSuiteOptions {
  readonly alerts: number;
  readonly io: CliIo;
  /** A smaller scale, where a suite has one (`storm --quick`). */
  readonly quick?: boolean;
  /** Bot processes sharing one store, where a suite runs several (`storm --replicas 3`). */
  readonly replicas?: number;
}

export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  readonly run: (options: BenchSuiteOptions) => Promise<number>;
}

export const BENCH_SUITES: readonly BenchSuite[] = [
  {
    name: "latency",
    description: "alert -> first thread reply, and burst throughput, over the Slack emulator",
    run: async (o) => (await import("./alert-latency.ts")).runBench(o),
  },
  {
    name: "intake",
    description: "alert intake on hostile ~200 KB messages (linear-time patterns), goal under 50 ms",
    run: async (o) => (await import("./intake.ts")).runBench(o),
  },
  {
    name: "startup",
    description: "whole process: runbooks --json, serve idle RSS, diagnose lag vs kafka-consumer-groups.sh",
    run: async (o) => (await import("./startup.ts")).runStartupBench(o),
  },
  {
    name: "storm",
    description:
      "1,000 alert messages in 60 s with Slack's rate limits enforced: complete threads, p95s, calls",
    run: async (o) =>
      (await import("./storm.ts")).runBench({
        io: o.io,
        ...(o.quick ? { quick: true } : {}),
        ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
      }),
  },
];

/** Runs the named suites (all when none is named); exit code 2 for an unknown name. */
export async function runBenchSuites(names: readonly string[], options: BenchSuiteOptions): Promise<number> {
  const unknown = names.filter((n) => !BENCH_SUITES.some((s) => s.name === n));
  if (unknown.length > 0) {
    options.io.stderr.write(
      `runbook-bot: unknown bench suite ${unknown.join(", ")} (known: ${BENCH_SUITES.map((s) => s.name).join(", ")})\n`,
    );
    return 2;
  }
  const chosen = names.length === 0 ? BENCH_SUITES : BENCH_SUITES.filter((s) => names.includes(s.name));
  let code = 0;
  for (const suite of chosen) {
    options.io.stdout.write(`\n== ${suite.name}: ${suite.description}\n`);
    code = Math.max(code, await suite.run(options));
  }
  return code;
}
