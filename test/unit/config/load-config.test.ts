/** The config loader: every problem listed by path, secrets from the environment, file precedence. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildConfig,
  ConfigError,
  loadConfig,
  maskedConfig,
  parseConfigText,
  resolveConfigPath,
} from "../../../src/config/load-config.ts";
import { configSchema } from "../../../src/config/schema.ts";

/** The problems a call throws, or a failure when it does not throw a ConfigError. */
function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const BOT = "xoxb-111-222-BOTTOKENSECRETVALUE";
const APP = "xapp-1-A111-333-APPTOKENSECRETVALUE";
const SIGNING = "signing-secret-0123456789abcdef";
const KAFKA_PASSWORD = "kafka-password-do-not-print";

describe("buildConfig: problems, each by its path", () => {
  const cases: [name: string, raw: unknown, env: NodeJS.ProcessEnv, problems: string[]][] = [
    ["an empty broker list", { kafka: { brokers: [] } }, {}, ["kafka.brokers: expected at least 1 item"]],
    [
      "a kafka section without brokers",
      { kafka: { clientId: "x" } },
      {},
      ["kafka.brokers: expected array, but it is missing"],
    ],
    ["an empty broker name", { kafka: { brokers: [""] } }, {}, ["kafka.brokers[0]: must not be empty"]],
    [
      "unknown keys, at the root and in a section",
      { slack: { mood: "calm", chanels: ["x"] }, extra: 1 },
      {},
      ['slack: unknown keys "mood", "chanels"', '(root): unknown key "extra"'],
    ],
    [
      "wrong types",
      { slack: { port: "3000", allowHumanAlerts: "yes", incidentChannels: "incidents" } },
      {},
      [
        'slack.port: expected number, got string "3000"',
        'slack.incidentChannels: expected array, got string "incidents"',
        'slack.allowHumanAlerts: expected boolean, got string "yes"',
      ],
    ],
    ["a list where a section goes", { slack: ["socket"] }, {}, ["slack: expected object, got a list"]],
    ["an empty section key", { log: null }, {}, ["log: expected object, got null"]],
    ["a list as the whole config", ["slack"], {}, ["(root): expected object, got a list"]],
    [
      "a value outside its enum",
      { slack: { mode: "rtm" }, log: { level: "verbose" } },
      {},
      [
        'slack.mode: expected one of "socket", "http"',
        'log.level: expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent"',
      ],
    ],
    [
      "numbers out of range",
      {
        slack: { port: 70000 },
        thresholds: { memoryUsagePercent: 150, consumerLagRecords: 0 },
        approvals: { expiryMinutes: 0 },
      },
      {},
      [
        "slack.port: must be at most 65535",
        "thresholds.consumerLagRecords: must be greater than 0",
        "thresholds.memoryUsagePercent: must be at most 100",
        "approvals.expiryMinutes: must be greater than 0",
      ],
    ],
    [
      "a non-integer where a whole number goes",
      { thresholds: { minBrokersAlive: 2.5 } },
      {},
      ["thresholds.minBrokersAlive: expected int, got number 2.5"],
    ],
    [
      "scale bounds the wrong way round",
      { actions: { scaleTaskmanagers: { minReplicas: 8, maxReplicas: 4 } } },
      {},
      ["actions.scaleTaskmanagers: minReplicas must not exceed maxReplicas"],
    ],
    [
      "approver ids that are not Slack ids",
      { approvals: { users: ["U0123ABC", "alice"], usergroups: ["oncall"] } },
      {},
      [
        "approvals.users[1]: a Slack user id like U0123ABC",
        "approvals.usergroups[0]: a Slack user group id like S0123ABC",
      ],
    ],
    [
      "an unknown SASL mechanism",
      { kafka: { brokers: ["b:9096"], sasl: { mechanism: "aws_msk_iam", username: "u", passwordEnv: "P" } } },
      { P: "x" },
      ['kafka.sasl.mechanism: expected one of "plain", "scram-sha-256", "scram-sha-512", "aws-msk-iam"'],
    ],
    [
      "the SASL password variable not set",
      {
        kafka: {
          brokers: ["b:9096"],
          sasl: { mechanism: "scram-sha-512", username: "u", passwordEnv: "MSK_PW" },
        },
      },
      {},
      ["kafka.sasl.passwordEnv: environment variable MSK_PW is not set"],
    ],
    [
      "the SASL password variable set but empty",
      {
        kafka: {
          brokers: ["b:9096"],
          sasl: { mechanism: "scram-sha-512", username: "u", passwordEnv: "MSK_PW" },
        },
      },
      { MSK_PW: "" },
      ["kafka.sasl.passwordEnv: environment variable MSK_PW is not set"],
    ],
    [
      "socket mode with a bot token but no app token",
      {},
      { SLACK_BOT_TOKEN: BOT },
      ["SLACK_APP_TOKEN: required for slack.mode socket (an app-level token, xapp-...)"],
    ],
    [
      "http mode with a bot token but no signing secret",
      { slack: { mode: "http" } },
      { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP },
      ["SLACK_SIGNING_SECRET: required for slack.mode http"],
    ],
    [
      "http mode with the ops endpoints on Slack's port",
      { slack: { mode: "http", port: 8080 }, ops: { port: 8080 } },
      {},
      ["ops.port: 8080 is slack.port too; the ops endpoints need a port of their own"],
    ],
    [
      "environment problems together",
      { kafka: { brokers: ["b:9096"], sasl: { mechanism: "plain", username: "u", passwordEnv: "KPW" } } },
      { SLACK_BOT_TOKEN: BOT },
      [
        "kafka.sasl.passwordEnv: environment variable KPW is not set",
        "SLACK_APP_TOKEN: required for slack.mode socket (an app-level token, xapp-...)",
      ],
    ],
  ];

  it.each(cases)("%s", (_name, raw, env, problems) => {
    expect(problemsOf(() => buildConfig(raw, env, "config.yaml"))).toEqual(problems);
  });

  it("lists every problem in the message, one line each, under the file's name", () => {
    try {
      buildConfig({ kafka: { brokers: [] }, slack: { port: "x" } }, {}, "/etc/runbook-bot/config.yaml");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(
        [
          "invalid configuration in /etc/runbook-bot/config.yaml:",
          '  - slack.port: expected number, got string "x"',
          "  - kafka.brokers: expected at least 1 item",
        ].join("\n"),
      );
      expect((error as Error).stack ?? "").not.toContain("ZodError");
    }
  });

  it("appends the caller's semantic checks", () => {
    expect(problemsOf(() => buildConfig({}, {}, "c.yaml", () => ["alerts.extraPatterns.x: bad"]))).toEqual([
      "alerts.extraPatterns.x: bad",
    ]);
  });
});

describe("buildConfig: valid input", () => {
  it("fills every default from an empty file", () => {
    const config = buildConfig({}, {}, "defaults");
    const { secrets, ...file } = config;
    expect(file).toEqual(configSchema.parse({}));
    expect(secrets).toEqual({});
  });

  it("needs no Slack tokens without a bot token (the sandbox runs)", () => {
    expect(buildConfig({ slack: { mode: "http" } }, {}, "c.yaml").secrets).toEqual({});
  });

  it("reads the secrets from the environment", () => {
    const raw = {
      slack: { mode: "http" },
      kafka: { brokers: ["b:9096"], sasl: { mechanism: "scram-sha-512", username: "u", passwordEnv: "KPW" } },
    };
    const env = {
      SLACK_BOT_TOKEN: BOT,
      SLACK_APP_TOKEN: APP,
      SLACK_SIGNING_SECRET: SIGNING,
      KPW: KAFKA_PASSWORD,
    };
    expect(buildConfig(raw, env, "c.yaml").secrets).toEqual({
      slackBotToken: BOT,
      slackAppToken: APP,
      slackSigningSecret: SIGNING,
      kafkaPassword: KAFKA_PASSWORD,
    });
  });

  it("refuses secrets written into the file", () => {
    expect(problemsOf(() => buildConfig({ secrets: { slackBotToken: BOT } }, {}, "c.yaml"))).toEqual([
      '(root): unknown key "secrets"',
    ]);
  });
});

describe("parseConfigText", () => {
  const invalid: [name: string, text: string, problem: string][] = [
    [
      "a bad indent",
      "slack:\n  mode: socket\n   port: 3000\n",
      "line 2, column 9: BLOCK_AS_IMPLICIT_KEY: not valid YAML",
    ],
    [
      "an unclosed flow list",
      "slack:\n  incidentChannels: [a, b\n",
      "line 3, column 1: BAD_INDENT: not valid YAML",
    ],
    [
      "a duplicate key",
      "log:\n  level: info\nlog:\n  level: debug\n",
      "line 3, column 1: DUPLICATE_KEY: not valid YAML",
    ],
    ["a tab as indentation", "slack:\n\tmode: http\n", "line 2, column 1: TAB_AS_INDENT: not valid YAML"],
    [
      "a list at the root",
      "- slack\n- kafka\n",
      "(root): expected a mapping of sections (slack:, kafka:, ...)",
    ],
    ["a bare scalar", "just some text", "(root): expected a mapping of sections (slack:, kafka:, ...)"],
  ];

  it.each(invalid)("refuses %s, naming the line", (_name, text, problem) => {
    expect(problemsOf(() => parseConfigText(text, "config.yaml"))).toEqual([problem]);
  });

  it.each([
    ["an empty file", ""],
    ["a file of comments", "# nothing set yet\n"],
  ])("reads %s as no settings", (_name, text) => {
    expect(parseConfigText(text, "config.yaml")).toEqual({});
  });

  it("reads a mapping", () => {
    expect(parseConfigText("slack:\n  mode: http\n", "c.yaml")).toEqual({ slack: { mode: "http" } });
  });
});

describe("maskedConfig", () => {
  const config = buildConfig(
    {
      slack: { mode: "http" },
      kafka: { brokers: ["b:9096"], sasl: { mechanism: "scram-sha-512", username: "u", passwordEnv: "KPW" } },
    },
    { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: SIGNING, KPW: KAFKA_PASSWORD },
    "c.yaml",
  );
  const shown = JSON.stringify(maskedConfig(config));

  it.each([
    ["the bot token", BOT],
    ["the app token", APP],
    ["the signing secret", SIGNING],
    ["the Kafka password", KAFKA_PASSWORD],
  ])("never shows %s", (_name, secret) => {
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain(secret.slice(-12));
  });

  it("says which secrets are set, by their variable names", () => {
    expect((maskedConfig(config) as { secrets: Record<string, string> }).secrets).toEqual({
      SLACK_BOT_TOKEN: `xoxb…(set, ${BOT.length} chars)`,
      SLACK_APP_TOKEN: `xapp…(set, ${APP.length} chars)`,
      SLACK_SIGNING_SECRET: "(set)",
      KPW: "(set)",
      RUNBOOK_BOT_DATABASE_URL: "(not set)",
    });
  });

  it("says which are not set", () => {
    const none = maskedConfig(buildConfig({}, {}, "defaults")) as { secrets: Record<string, string> };
    expect(none.secrets).toEqual({
      SLACK_BOT_TOKEN: "(not set)",
      SLACK_APP_TOKEN: "(not set)",
      SLACK_SIGNING_SECRET: "(not set)",
      RUNBOOK_BOT_DATABASE_URL: "(not set)",
    });
  });

  it("shows the database URL masked: its password never", () => {
    const withDb = maskedConfig(
      buildConfig({}, { RUNBOOK_BOT_DATABASE_URL: "postgres://bot:DbPw9@db:5432/rb" }, "defaults"),
    ) as { secrets: Record<string, string> };
    expect(withDb.secrets.RUNBOOK_BOT_DATABASE_URL).toBe("postgres://bot:***@db:5432/rb");
    expect(JSON.stringify(withDb)).not.toContain("DbPw9");
  });

  it("keeps the rest of the config", () => {
    expect(maskedConfig(config)).toMatchObject({ slack: { mode: "http" }, kafka: { brokers: ["b:9096"] } });
  });
});

describe("loadConfig: which file", () => {
  let dir: string;
  let cwd: string;
  let explicit: string;
  let fromEnv: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "runbook-bot-config-"));
    cwd = join(dir, "work");
    mkdirSync(cwd);
    writeFileSync(join(cwd, "config.yaml"), "log:\n  level: warn\n");
    explicit = join(dir, "explicit.yaml");
    writeFileSync(explicit, "log:\n  level: debug\n");
    fromEnv = join(dir, "from-env.yaml");
    writeFileSync(fromEnv, "log:\n  level: error\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("takes the explicit path first", () => {
    const loaded = loadConfig({ path: explicit, env: { RUNBOOK_BOT_CONFIG: fromEnv }, cwd });
    expect(loaded.source).toBe(explicit);
    expect(loaded.config.log.level).toBe("debug");
  });

  it("then RUNBOOK_BOT_CONFIG", () => {
    const loaded = loadConfig({ env: { RUNBOOK_BOT_CONFIG: fromEnv }, cwd });
    expect(loaded.source).toBe(fromEnv);
    expect(loaded.config.log.level).toBe("error");
  });

  it("then ./config.yaml in the working directory", () => {
    const loaded = loadConfig({ env: {}, cwd });
    expect(loaded.source).toBe(join(cwd, "config.yaml"));
    expect(loaded.config.log.level).toBe("warn");
  });

  it("else the defaults", () => {
    const loaded = loadConfig({ env: {}, cwd: dir });
    expect(loaded.source).toBe("defaults");
    expect(resolveConfigPath({ env: {}, cwd: dir })).toBeUndefined();
    expect(loaded.config.log.level).toBe("info");
  });

  it("does not fall back when the named file is missing", () => {
    const missing = join(dir, "nope.yaml");
    expect(problemsOf(() => loadConfig({ path: missing, env: {}, cwd }))).toEqual(["file not found"]);
    expect(problemsOf(() => loadConfig({ env: { RUNBOOK_BOT_CONFIG: missing }, cwd }))).toEqual([
      "file not found",
    ]);
    try {
      loadConfig({ path: missing, env: {}, cwd });
    } catch (error) {
      expect((error as Error).message).toBe(`invalid configuration in ${missing}:\n  - file not found`);
    }
  });

  it("says when the path cannot be read", () => {
    expect(problemsOf(() => loadConfig({ path: dir, env: {} }))).toEqual(["cannot read: EISDIR"]);
  });

  it("reports invalid YAML with the file's name and the line", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "slack:\n  mode: socket\n   port: 3000\n");
    try {
      loadConfig({ path: bad, env: {} });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe(
        `invalid configuration in ${bad}:\n  - line 2, column 9: BLOCK_AS_IMPLICIT_KEY: not valid YAML`,
      );
    }
  });

  it("checks the loaded file against the schema and the environment", () => {
    const file = join(dir, "kafka.yaml");
    writeFileSync(file, "kafka:\n  brokers: []\n  sasl: {mechanism: plain, username: u, passwordEnv: KPW}\n");
    expect(problemsOf(() => loadConfig({ path: file, env: {} }))).toEqual([
      "kafka.brokers: expected at least 1 item",
    ]);
    writeFileSync(
      file,
      "kafka:\n  brokers: [b:9092]\n  sasl: {mechanism: plain, username: u, passwordEnv: KPW}\n",
    );
    expect(problemsOf(() => loadConfig({ path: file, env: {} }))).toEqual([
      "kafka.sasl.passwordEnv: environment variable KPW is not set",
    ]);
    expect(loadConfig({ path: file, env: { KPW: "pw" } }).config.secrets.kafkaPassword).toBe("pw");
  });
});
