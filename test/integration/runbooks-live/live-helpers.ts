/**
 * Shared by the runbooks-live tests: a config built through the real schema, the real adapters
 * built from it (createPorts), moto seeding with names unique per test (moto is shared by every
 * test file of the run and never reset), and a runbook run by id.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { createPorts } from "../../../src/adapters/create-ports.ts";
import { type AppConfig, configSchema } from "../../../src/config/schema.ts";
import type { Finding } from "../../../src/core/finding.ts";
import type { RunReport } from "../../../src/core/runbook.ts";
import { runRunbook } from "../../../src/engine/run-runbook.ts";
import type { Ports } from "../../../src/ports/index.ts";
import { automatedRunbook } from "../../../src/runbooks/registry.ts";

export const REGION = "us-east-1";
export const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;
export const MINUTE = 60_000;
export const GIB = 2 ** 30;

// createPorts uses the SDK's default credential chain, as the bot does: static test credentials.
process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
process.env.AWS_REGION = REGION;

export function uniqueId(): string {
  return randomUUID().slice(0, 8);
}

/** The config file's sections (validated and defaulted by the real schema) plus no secrets. */
export function makeConfig(sections: Record<string, unknown>): AppConfig {
  const parsed = configSchema.parse({
    ...sections,
    // A slow shared machine: generous per-probe timeouts.
    runbooks: { probeTimeoutSeconds: 40, ...(sections.runbooks as object | undefined) },
  });
  return { ...parsed, secrets: {} };
}

/** The aws section: CloudWatch and Logs through the monitoring stand-in, the rest as given. */
export function awsSection(endpoints: {
  cloudwatch?: string;
  logs?: string;
  firehose?: string;
  msk?: string;
}): Record<string, unknown> {
  return {
    region: REGION,
    endpoints,
    requestTimeoutMs: 30_000,
    logsQueryDeadlineMs: 30_000,
  };
}

/** A kubeconfig file for the Kubernetes API test server. */
export function writeKubeconfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "rb-live-kube-"));
  const path = join(dir, "kubeconfig");
  writeFileSync(path, yaml);
  return path;
}

export interface LiveRun {
  readonly report: RunReport;
  readonly findings: readonly Finding[];
}

/** Runs the automated runbook `id` through the real adapters the config describes. */
export async function runLive(id: string, config: AppConfig): Promise<LiveRun> {
  const runbook = automatedRunbook(id);
  if (runbook === undefined) throw new Error(`no automated runbook ${id}`);
  const ports: Ports = await createPorts(config);
  try {
    const report = await runRunbook(runbook, { ports, config });
    return { report, findings: report.steps.flatMap((s) => s.findings) };
  } finally {
    await ports.kafka?.close();
  }
}

/** The text of every finding (title, detail, evidence), for "does the thread say X" checks. */
export function allText(run: LiveRun): string {
  return JSON.stringify(run.findings);
}

/** Minute-aligned time of the last full minute. */
export function lastMinute(): Date {
  return new Date(Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE);
}

export interface SeedSeries {
  readonly metric: string;
  /** Per-minute values, oldest first; the last one is the latest full minute. */
  readonly values: readonly number[];
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly unit?: MetricDatum["Unit"];
}

/** PutMetricData into moto (directly, not through the stand-in), in small batches. */
export async function seedMetrics(
  motoEndpoint: string,
  namespace: string,
  series: readonly SeedSeries[],
): Promise<void> {
  const client = new CloudWatchClient({ region: REGION, endpoint: motoEndpoint, credentials: CREDENTIALS });
  const latest = lastMinute().getTime();
  const data: MetricDatum[] = series.flatMap((s) =>
    s.values.map((value, i) => ({
      MetricName: s.metric,
      Timestamp: new Date(latest - (s.values.length - 1 - i) * MINUTE),
      Value: value,
      Unit: s.unit ?? "Count",
      ...(s.dimensions
        ? { Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })) }
        : {}),
    })),
  );
  try {
    for (let i = 0; i < data.length; i += 20) {
      await client.send(
        new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + 20) }),
      );
    }
  } finally {
    client.destroy();
  }
}

/** `n` per-minute values going linearly from `from` to `to`. */
export function ramp(n: number, from: number, to: number): number[] {
  return Array.from({ length: n }, (_, i) => from + ((to - from) * i) / Math.max(1, n - 1));
}

/** `n` times `value`. */
export function flat(n: number, value: number): number[] {
  return Array.from({ length: n }, () => value);
}

/** Polls `read` until `done` holds (errors count as not yet). */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = "nothing read yet";
  while (Date.now() < deadline) {
    try {
      const value = await read();
      if (done(value)) return value;
      last = value;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}
