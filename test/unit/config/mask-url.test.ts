/**
 * The one URL masking helper (issue 10, finding 6) and where it is used: check-config's output
 * (test/cli/check-config.test.ts), config error messages, the log lines, and the adapters' messages.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { displayEndpoint } from "../../../src/adapters/aws/aws-call.ts";
import { displayUrl } from "../../../src/adapters/flink/flink-http.ts";
import { buildConfig, ConfigError, parseConfigText } from "../../../src/config/load-config.ts";
import { maskUrl } from "../../../src/core/mask-url.ts";
import { createLogger } from "../../../src/logger.ts";

describe("maskUrl", () => {
  it.each([
    ["http://admin:hunter2@flink:8081", "http://admin:***@flink:8081"],
    ["https://ghp_TOKEN123@git.example/x", "https://***@git.example/x"],
    ["http://u:p@ss@host/p", "http://u:***@host/p"],
    ["https://h/?token=abc&page=2", "https://h/?token=***&page=2"],
    [
      "https://h/?X-Amz-Signature=abc&X-Amz-Credential=AKIA/x",
      "https://h/?X-Amz-Signature=***&X-Amz-Credential=***",
    ],
    [
      "https://h/p?a=1&api_key=k&password=p&client_secret=s#access_token=t",
      "https://h/p?a=1&api_key=***&password=***&client_secret=***#access_token=***",
    ],
    ["http://flink:8081", "http://flink:8081"],
    [
      "could not reach http://a:b@c:1 (ECONNREFUSED) nor https://d:e@f",
      "could not reach http://a:***@c:1 (ECONNREFUSED) nor https://d:***@f",
    ],
  ])("%s -> %s", (input, masked) => {
    expect(maskUrl(input)).toBe(masked);
  });

  it("runs in linear time on adversarial text", () => {
    const inputs = [
      "://".repeat(70_000),
      `${"a".repeat(100_000)}://${"b@".repeat(50_000)}`,
      "?&;#=".repeat(40_000),
    ];
    const started = performance.now();
    for (const input of inputs) maskUrl(input);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe("the adapters' display helpers go through it", () => {
  it("Flink and AWS endpoints lose user:password and secret query values", () => {
    expect(displayUrl("http://u:pw@flink:8081/?token=abc")).toBe("http://flink:8081/?token=***");
    expect(displayEndpoint("http://u:pw@aws:4566/?X-Amz-Signature=zzz")).toBe(
      "http://aws:4566/?X-Amz-Signature=***",
    );
  });
});

describe("config errors never echo a credential", () => {
  it("a URL with a password in a key that wants a number is masked in the message", () => {
    let problems: readonly string[] = [];
    try {
      buildConfig({ slack: { port: "http://u:LeakedPw@h:1" } }, {}, "c.yaml");
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems.join("\n")).toContain("slack.port");
    expect(problems.join("\n")).not.toContain("LeakedPw");
  });
});

describe("the bot's log lines mask credentials in URLs", () => {
  it("in the message and in every field", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (d: Buffer) => {
      text += d.toString("utf8");
    });
    const logger = createLogger("info", out);
    logger.warn(
      {
        err: "request to http://admin:LogPw111@flink:8081/jobs failed",
        nested: { url: "https://h/?token=LogTok222" },
      },
      "could not reach https://bot:LogPw333@slack.example/api/",
    );
    logger.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(text).toContain("http://admin:***@flink:8081/jobs");
    for (const secret of ["LogPw111", "LogTok222", "LogPw333"]) expect(text).not.toContain(secret);
  });
});

describe("log fields that are not plain values", () => {
  it("an Error keeps its message (masked), a cycle does not hang", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (d: Buffer) => {
      text += d.toString("utf8");
    });
    const logger = createLogger("info", out);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    logger.error({ err: new Error("GET http://u:ErrPw@h/ failed"), cyclic }, "boom");
    logger.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(text).toContain("GET http://u:***@h/ failed");
    expect(text).not.toContain("ErrPw");
  });
});

describe("YAML warnings", () => {
  it("an unknown tag is a problem at its position, not a process warning quoting the file", () => {
    const warnings: unknown[] = [];
    const onWarning = (w: unknown) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      let problems: readonly string[] = [];
      try {
        parseConfigText("flink:\n  url: !!binaryx http://u:TagPw1@h/\n", "c.yaml");
      } catch (error) {
        if (error instanceof ConfigError) problems = error.problems;
      }
      expect(problems).toEqual(["line 2, column 8: TAG_RESOLVE_FAILED: not valid YAML"]);
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings).toEqual([]);
  });
});
