/**
 * config.example.yaml: it loads through the real loader, and it documents every key of the schema
 * with its true default.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildConfig, ConfigError, parseConfigText } from "../../../src/config/load-config.ts";
import {
  awsSchema,
  configSchema,
  flinkSchema,
  kafkaSchema,
  kubernetesSchema,
  mskSchema,
} from "../../../src/config/schema.ts";
import { validateExtraPatterns } from "../../../src/core/intake/index.ts";

const FILE = "config.example.yaml";
const text = readFileSync(fileURLToPath(new URL(`../../../${FILE}`, import.meta.url)), "utf8");
const raw = parseConfigText(text, FILE);
const env = {
  KAFKA_SASL_PASSWORD: "example-kafka-password",
  SLACK_BOT_TOKEN: "xoxb-example",
  SLACK_APP_TOKEN: "xapp-example",
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Leaf paths of a value: nested mappings are walked; lists, scalars and empty mappings are leaves. */
function leaves(value: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (isRecord(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) {
      for (const [path, leaf] of leaves(child, prefix ? `${prefix}.${key}` : key)) out.set(path, leaf);
    }
  } else if (prefix) {
    out.set(prefix, value);
  }
  return out;
}

/** Every key path the schema accepts, optional ones included (records and lists are leaves). */
function schemaPaths(schema: z.ZodType, prefix = ""): string[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) {
    return schemaPaths(schema.unwrap() as z.ZodType, prefix);
  }
  if (schema instanceof z.ZodUnion) {
    const options = schema.options as readonly z.ZodType[];
    return [...new Set(options.flatMap((o) => schemaPaths(o, prefix)))];
  }
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, child]) =>
      schemaPaths(child, prefix ? `${prefix}.${key}` : key),
    );
  }
  return [prefix];
}

function valueAt(value: unknown, path: string): unknown {
  let here = value;
  for (const key of path.split(".")) {
    if (!isRecord(here) || !(key in here)) return undefined;
    here = here[key];
  }
  return here;
}

function hasPath(value: unknown, path: string): boolean {
  const parent = path.split(".").slice(0, -1).join(".");
  const key = path.split(".").at(-1)!;
  const container = parent ? valueAt(value, parent) : value;
  return isRecord(container) && key in container;
}

/** For each key line of the file, its path and the comment lines directly above it. */
function keyComments(source: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const stack: string[] = [];
  let comments: string[] = [];
  for (const line of source.split("\n")) {
    const comment = /^\s*#(.*)$/.exec(line);
    if (comment) {
      comments.push(comment[1]!.trim());
      continue;
    }
    const key = /^( *)([A-Za-z][\w-]*):/.exec(line);
    if (key) {
      const depth = key[1]!.length / 2;
      stack.length = depth;
      stack.push(key[2]!);
      out.set(stack.join("."), comments);
    }
    comments = [];
  }
  return out;
}

/** How a default is written after "Default:" in the file. */
function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(String).join(", ")}]`;
  if (isRecord(value)) return JSON.stringify(value);
  return String(value);
}

const defaults = leaves(configSchema.parse({}));
/** Defaults inside the optional source sections. */
const sourceDefaults = new Map<string, unknown>([
  ...[...leaves(kafkaSchema.parse({ brokers: ["b:9092"] }), "kafka")].filter(([p]) => p !== "kafka.brokers"),
  ...leaves(awsSchema.parse({}), "aws"),
  ...leaves(kubernetesSchema.parse({}), "kubernetes"),
  ...[...leaves(flinkSchema.parse({ url: "http://x:8081" }), "flink")].filter(([p]) => p !== "flink.url"),
  ...[
    ...leaves(mskSchema.parse({ clusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/x/y" }), "msk"),
  ].filter(([p]) => p !== "msk.clusterArn"),
]);
/** Keys the example sets to something other than the default on purpose (the comment says why). */
const CHANGED_ON_PURPOSE = new Set([
  "approvals.users",
  "approvals.usergroups",
  "kafka.ssl",
  "kubernetes.inCluster",
]);
const comments = keyComments(text);

describe("config.example.yaml", () => {
  it("loads through the real loader, with the patterns check the CLI runs", () => {
    const config = buildConfig(raw, env, FILE, (c) => validateExtraPatterns(c.alerts.extraPatterns));
    expect(config.secrets.kafkaPassword).toBe("example-kafka-password");
    expect(config.slack.mode).toBe("socket");
  });

  it("shows the sources as for Amazon MSK (SASL/SCRAM over TLS) and EKS", () => {
    const config = buildConfig(raw, env, FILE);
    expect(config.kafka?.brokers.length).toBeGreaterThanOrEqual(2);
    for (const broker of config.kafka?.brokers ?? []) {
      expect(broker).toMatch(/^b-\d+\.[\w.-]+\.kafka\.[a-z0-9-]+\.amazonaws\.com:9096$/);
    }
    expect(config.kafka?.ssl).toBe(true);
    expect(config.kafka?.sasl).toEqual({
      mechanism: "scram-sha-512",
      username: "runbook-bot",
      passwordEnv: "KAFKA_SASL_PASSWORD",
    });
    expect(config.aws).toEqual({
      region: "us-east-1",
      endpoints: {},
      requestTimeoutMs: 10_000,
      maxAttempts: 3,
      logsQueryDeadlineMs: 30_000,
    });
    expect(config.msk?.clusterArn).toMatch(/^arn:aws:kafka:us-east-1:\d{12}:cluster\/OrderProcessing\//);
    expect(config.flink).toEqual({ url: "http://flink-jobmanager.flink:8081", requestTimeoutMs: 5_000 });
    expect(config.kubernetes).toEqual({ inCluster: true, flinkOperator: "auto" });
  });

  it("holds no secret values, only the name of the password variable", () => {
    expect(text).not.toMatch(/xox[abp]-[A-Za-z0-9]|xapp-\d-[A-Za-z0-9]/);
    expect(raw).not.toHaveProperty("secrets");
    for (const name of [
      "SLACK_BOT_TOKEN",
      "SLACK_APP_TOKEN",
      "SLACK_SIGNING_SECRET",
      "KAFKA_SASL_PASSWORD",
    ]) {
      expect(text).toContain(name);
    }
  });

  it("is refused when the password variable is not set", () => {
    expect(() => buildConfig(raw, {}, FILE)).toThrow(ConfigError);
    try {
      buildConfig(raw, {}, FILE);
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        "kafka.sasl.passwordEnv: environment variable KAFKA_SASL_PASSWORD is not set",
      ]);
    }
  });

  it("sets every key that has a default", () => {
    expect(defaults.size).toBeGreaterThan(35);
    const missing = [...defaults.keys(), ...sourceDefaults.keys()].filter((p) => !hasPath(raw, p));
    expect(missing).toEqual([]);
  });

  it("sets each key to its default unless it changes it on purpose", () => {
    const differing = [...defaults, ...sourceDefaults]
      .filter(([path]) => !CHANGED_ON_PURPOSE.has(path))
      .filter(([path, value]) => JSON.stringify(valueAt(raw, path)) !== JSON.stringify(value as Json))
      .map(
        ([path, value]) =>
          `${path}: ${JSON.stringify(valueAt(raw, path))} (default ${JSON.stringify(value)})`,
      );
    expect(differing).toEqual([]);
    for (const path of CHANGED_ON_PURPOSE) {
      expect(valueAt(raw, path), path).not.toEqual(defaults.get(path) ?? sourceDefaults.get(path));
    }
  });

  it("states the true default in the comment above each key", () => {
    const wrong: string[] = [];
    for (const [path, value] of [...defaults, ...sourceDefaults]) {
      const block = comments.get(path);
      const stated = block
        ?.flatMap((line) => [...line.matchAll(/Default: (.+?)(?=\.\s|\.$|\s\(|$)/g)].map((m) => m[1]!))
        .at(-1);
      if (stated !== formatDefault(value)) {
        wrong.push(`${path}: comment says ${JSON.stringify(stated)}, default is ${formatDefault(value)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("explains every key of the schema, optional ones as commented-out examples", () => {
    const paths = schemaPaths(configSchema);
    expect(paths).toEqual(
      expect.arrayContaining(["kafka.sasl.passwordEnv", "aws.endpoint", "kubernetes.context"]),
    );
    const undocumented = paths.filter((path) => {
      if (hasPath(raw, path)) return (comments.get(path) ?? []).length === 0 && !hasDocumentedParent(path);
      const key = path.split(".").at(-1)!;
      return !new RegExp(`^\\s*#\\s+${key}:`, "m").test(text);
    });
    expect(undocumented).toEqual([]);
  });
});

/** kafka.sasl.mechanism and username are explained on their section (kafka.sasl). */
function hasDocumentedParent(path: string): boolean {
  const parent = path.split(".").slice(0, -1).join(".");
  return parent.length > 0 && (comments.get(parent) ?? []).length > 0;
}
