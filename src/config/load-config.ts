/**
 * The one place that reads configuration: a YAML file plus secrets from the environment.
 * Problems come back as a ConfigError listing every one by its path, never a stack trace.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseDocument, YAMLError } from "yaml";
import type { z } from "zod";
import { maskUrl, maskUrlsDeep } from "../core/mask-url.ts";
import { type AppConfig, configSchema, type Secrets } from "./schema.ts";

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    // A problem may quote a value or a key that carries a credential: URLs are masked here, once.
    const masked = problems.map(maskUrl);
    super(`invalid configuration in ${maskUrl(source)}:\n${masked.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = masked;
  }
}

export interface LoadConfigOptions {
  /** Explicit --config path; else RUNBOOK_BOT_CONFIG; else ./config.yaml when present; else defaults. */
  readonly path?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Extra semantic checks (e.g. regexes in alerts.extraPatterns) returning `path: message` lines. */
  readonly validate?: (config: AppConfig) => string[];
  /**
   * A secret variable the config names but the environment does not set: a problem (the default,
   * for serve), or passed over (check-config on a machine without the secrets; see unsetSecrets).
   */
  readonly unsetSecrets?: "refuse" | "allow";
}

export interface LoadedConfig {
  readonly config: AppConfig;
  /** Where the file came from, or "defaults". */
  readonly source: string;
}

export function resolveConfigPath(options: LoadConfigOptions): string | undefined {
  const env = options.env ?? process.env;
  if (options.path) return options.path;
  if (env.RUNBOOK_BOT_CONFIG) return env.RUNBOOK_BOT_CONFIG;
  const local = `${options.cwd ?? process.cwd()}/config.yaml`;
  return existsSync(local) ? local : undefined;
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const path = resolveConfigPath(options);
  let raw: unknown = {};
  if (path !== undefined) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(path, [
        code === "ENOENT" ? "file not found" : `cannot read: ${code ?? String(error)}`,
      ]);
    }
    raw = parseConfigText(text, path);
  }
  return {
    config: buildConfig(raw, env, path ?? "defaults", options.validate, options.unsetSecrets),
    source: path ?? "defaults",
  };
}

export function parseConfigText(text: string, source: string): unknown {
  try {
    // A warning (an unknown tag) is a problem here, not a process warning that would print the
    // offending line of the file (a secret, maybe) on stderr.
    const document = parseDocument(text);
    const problem = document.errors[0] ?? document.warnings[0];
    if (problem) throw problem;
    const doc = document.toJS() as unknown;
    if (doc === null || doc === undefined) return {};
    if (typeof doc !== "object" || Array.isArray(doc)) {
      throw new ConfigError(source, ["(root): expected a mapping of sections (slack:, kafka:, ...)"]);
    }
    return doc;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if (error instanceof YAMLError) {
      const pos = error.linePos?.[0];
      throw new ConfigError(source, [
        `${pos ? `line ${pos.line}, column ${pos.col}: ` : ""}${error.code}: not valid YAML`,
      ]);
    }
    throw error;
  }
}

export function buildConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv,
  source: string,
  validate?: (config: AppConfig) => string[],
  unsetSecretsAre: "refuse" | "allow" = "refuse",
): AppConfig {
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(source, formatIssues(parsed.error.issues));
  const file = parsed.data;
  const problems: string[] = [];
  const passwordEnv = kafkaPasswordVariable(file);
  const kafkaPassword = passwordEnv ? env[passwordEnv] : undefined;
  if (unsetSecretsAre === "refuse") {
    problems.push(
      ...unsetSecrets(file, env).map((u) => `${u.key}: environment variable ${u.variable} is not set`),
    );
  }
  problems.push(...kafkaCaFileProblems(file.kafka?.ssl));
  const databaseUrl = env[file.store.databaseUrlEnv] || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/./.test(databaseUrl)) {
    problems.push(
      `${file.store.databaseUrlEnv}: not a PostgreSQL URL (postgres://user:password@host:5432/db): ${maskUrl(databaseUrl)}`,
    );
  }
  const secrets: Secrets = {
    ...(env.SLACK_BOT_TOKEN ? { slackBotToken: env.SLACK_BOT_TOKEN } : {}),
    ...(env.SLACK_APP_TOKEN ? { slackAppToken: env.SLACK_APP_TOKEN } : {}),
    ...(env.SLACK_SIGNING_SECRET ? { slackSigningSecret: env.SLACK_SIGNING_SECRET } : {}),
    ...(kafkaPassword ? { kafkaPassword } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
  };
  const config: AppConfig = { ...file, secrets };
  if (secrets.slackBotToken) {
    if (file.slack.mode === "socket" && !secrets.slackAppToken) {
      problems.push("SLACK_APP_TOKEN: required for slack.mode socket (an app-level token, xapp-...)");
    }
    if (file.slack.mode === "http" && !secrets.slackSigningSecret) {
      problems.push("SLACK_SIGNING_SECRET: required for slack.mode http");
    }
  }
  if (file.slack.mode === "http" && file.ops.enabled && file.ops.port === file.slack.port) {
    problems.push(`ops.port: ${file.ops.port} is slack.port too; the ops endpoints need a port of their own`);
  }
  problems.push(...(validate?.(config) ?? []));
  if (problems.length > 0) throw new ConfigError(source, problems);
  return config;
}

function kafkaPasswordVariable(file: Pick<AppConfig, "kafka">): string | undefined {
  const sasl = file.kafka?.sasl;
  return sasl && "passwordEnv" in sasl ? sasl.passwordEnv : undefined;
}

/** The secret variables the config names (with the key naming each) that `env` leaves unset or empty. */
export function unsetSecrets(
  file: Pick<AppConfig, "kafka">,
  env: NodeJS.ProcessEnv,
): { readonly key: string; readonly variable: string }[] {
  const passwordEnv = kafkaPasswordVariable(file);
  return passwordEnv && !env[passwordEnv] ? [{ key: "kafka.sasl.passwordEnv", variable: passwordEnv }] : [];
}

/** kafka.ssl.caFile must be a readable PEM file holding at least one certificate. */
function kafkaCaFileProblems(ssl: boolean | { readonly caFile?: string | undefined } | undefined): string[] {
  const caFile = typeof ssl === "object" ? ssl.caFile : undefined;
  if (caFile === undefined) return [];
  let text: string;
  try {
    text = readFileSync(caFile, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return [
      `kafka.ssl.caFile: cannot read ${caFile}: ${code === "ENOENT" ? "file not found" : (code ?? String(error))}`,
    ];
  }
  return text.includes("-----BEGIN CERTIFICATE-----")
    ? []
    : [`kafka.ssl.caFile: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`];
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path =
      issue.path.length === 0
        ? "(root)"
        : issue.path
            .map((k, i) => (typeof k === "number" ? `[${k}]` : `${i === 0 ? "" : "."}${String(k)}`))
            .join("");
    return `${path}: ${humanMessage(issue)}`;
  });
}

function humanMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "too_small":
      if (issue.origin === "array")
        return `expected at least ${String(issue.minimum)} item${issue.minimum === 1 ? "" : "s"}`;
      if (issue.origin === "string")
        return issue.minimum === 1
          ? "must not be empty"
          : `expected at least ${String(issue.minimum)} characters`;
      return issue.inclusive === false
        ? `must be greater than ${String(issue.minimum)}`
        : `must be at least ${String(issue.minimum)}`;
    case "too_big":
      return issue.inclusive === false
        ? `must be less than ${String(issue.maximum)}`
        : `must be at most ${String(issue.maximum)}`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "invalid_type":
      return `expected ${issue.expected}${issue.input === undefined ? ", but it is missing" : `, got ${describe(issue.input)}`}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union": {
      const expected = /^Invalid discriminator value\. Expected (.+)$/.exec(issue.message)?.[1];
      return expected
        ? `expected one of ${expected
            .split(" | ")
            .map((v) => `"${v.replace(/^'|'$/g, "")}"`)
            .join(", ")}`
        : issue.message;
    }
    case "invalid_format":
      if (issue.format === "url")
        return `expected a URL like https://slack.com/api/${issue.input === undefined ? "" : `, got ${describe(issue.input)}`}`;
      if (issue.format === "regex") {
        return issue.message.startsWith("Invalid")
          ? `does not have the expected form${issue.input === undefined ? "" : `, got ${describe(issue.input)}`}`
          : issue.message;
      }
      return issue.message;
    default:
      return issue.message;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  // A value may carry a credential (a URL with user:password@ in the wrong key): masked.
  return `${typeof value} ${typeof value === "string" ? maskUrl(JSON.stringify(value)) : JSON.stringify(value)}`;
}

/** The effective config for display, with every secret masked (and credentials in every URL). */
export function maskedConfig(config: AppConfig): unknown {
  // Only a token's kind (xoxb, xapp) is shown, never a character of the secret part.
  const mask = (v: string | undefined) =>
    v === undefined ? "(not set)" : `${/^(xox[a-z]|xapp)-/.exec(v)?.[1] ?? ""}…(set, ${v.length} chars)`;
  const { secrets: _secrets, ...file } = config;
  return {
    ...(maskUrlsDeep(file) as object),
    secrets: {
      SLACK_BOT_TOKEN: mask(config.secrets.slackBotToken),
      SLACK_APP_TOKEN: mask(config.secrets.slackAppToken),
      SLACK_SIGNING_SECRET: config.secrets.slackSigningSecret === undefined ? "(not set)" : "(set)",
      ...(config.kafka?.sasl && "passwordEnv" in config.kafka.sasl
        ? { [config.kafka.sasl.passwordEnv]: config.secrets.kafkaPassword ? "(set)" : "(not set)" }
        : {}),
      [config.store.databaseUrlEnv]:
        config.secrets.databaseUrl === undefined ? "(not set)" : maskUrl(config.secrets.databaseUrl),
    },
  };
}
