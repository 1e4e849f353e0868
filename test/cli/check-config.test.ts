/**
 * `runbook-bot check-config` (issue 10, finding 6): credentials in URLs are masked, URL schemes are
 * checked (http/https where the field is HTTP), and the store path must be writable.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "runbook-bot-check-config-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function configFile(yaml: string): string {
  n += 1;
  const path = join(dir, `config-${n}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

const store = () => `store:\n  path: ${join(dir, "data", "bot.db")}\n`;

describe("check-config masks credentials in every URL", () => {
  it("flink.url user:password@ is printed as user:***@", async () => {
    const path = configFile(`flink:\n  url: http://admin:Sup3rS3cretPw@flink.example:8081\n${store()}`);
    const run = await runCli(["check-config", "--config", path]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("Sup3rS3cretPw");
    expect(run.stdout).toContain("http://admin:***@flink.example:8081");
  });

  it("secret-looking query params and user:password@ in AWS and Slack URLs are masked", async () => {
    const path = configFile(
      [
        "slack:",
        "  apiUrl: https://bot:SlackPw123@slack.example/api/?token=TokTok999",
        "aws:",
        "  endpoint: http://127.0.0.1:4566/?X-Amz-Signature=SigSig777&region=eu-west-1",
        "  endpoints:",
        "    logs: http://logs.example/?api_key=KeyKey555&password=PwPw444&secret=SecSec333",
        store(),
      ].join("\n"),
    );
    const run = await runCli(["check-config", "--config", path]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    for (const secret of ["SlackPw123", "TokTok999", "SigSig777", "KeyKey555", "PwPw444", "SecSec333"]) {
      expect(run.stdout).not.toContain(secret);
    }
    expect(run.stdout).toContain("https://bot:***@slack.example/api/?token=***");
    expect(run.stdout).toContain("region=eu-west-1");
  });

  it("a URL refused for another reason is not echoed with its password", async () => {
    const path = configFile(`flink:\n  url: ftp://admin:FtpPassw0rd@files.example/\n${store()}`);
    const run = await runCli(["check-config", "--config", path]);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain("FtpPassw0rd");
  });
});

describe("check-config checks URL schemes", () => {
  const cases: [string, string, string][] = [
    [
      "slack.apiUrl",
      "slack:\n  apiUrl: javascript:alert(1)\n",
      'slack.apiUrl: scheme "javascript:" not allowed (http or https)',
    ],
    [
      "flink.url",
      "flink:\n  url: ftp://files.example/flink\n",
      'flink.url: scheme "ftp:" not allowed (http or https)',
    ],
    [
      "aws.endpoint",
      "aws:\n  endpoint: file:///etc/passwd\n",
      'aws.endpoint: scheme "file:" not allowed (http or https)',
    ],
    [
      "aws.endpoints.msk",
      "aws:\n  endpoints:\n    msk: javascript://x/%0aalert(1)\n",
      'aws.endpoints.msk: scheme "javascript:" not allowed (http or https)',
    ],
  ];
  for (const [key, yaml, message] of cases) {
    it(`${key} with a non-HTTP scheme is refused with the key's path`, async () => {
      const run = await runCli(["check-config", "--config", configFile(`${yaml}${store()}`)]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
    });
  }

  it("http and https are accepted", async () => {
    const path = configFile(
      `slack:\n  apiUrl: http://127.0.0.1:9/api/\nflink:\n  url: https://flink.example\n${store()}`,
    );
    const run = await runCli(["check-config", "--config", path]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });
});

describe("check-config checks that the store path is writable", () => {
  it("a store under a regular file (a directory that cannot be created) is an error naming the path", async () => {
    const blocker = join(dir, "not-a-dir");
    writeFileSync(blocker, "x");
    const dbPath = join(blocker, "sub", "bot.db");
    const run = await runCli(["check-config", "--config", configFile(`store:\n  path: ${dbPath}\n`)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`store.path: ${dbPath}`);
  });

  it("a store path that is a directory is an error", async () => {
    const dbPath = join(dir, "a-directory");
    mkdirSync(dbPath, { recursive: true });
    const run = await runCli(["check-config", "--config", configFile(`store:\n  path: ${dbPath}\n`)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`store.path: ${dbPath}`);
  });

  it("a store in a directory that does not exist yet but can be created is fine", async () => {
    const dbPath = join(dir, "new", "deeper", "bot.db");
    const run = await runCli(["check-config", "--config", configFile(`store:\n  path: ${dbPath}\n`)]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });
});
