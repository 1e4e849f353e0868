/**
 * config.example.yaml says to check it with `runbook-bot check-config --config config.example.yaml`
 * (issue 12, item 6): that command passes the file, and names the secret variables this
 * environment does not set instead of refusing the file for them. `--require-secrets` (for the
 * environment the bot runs in) refuses them.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.ts";

const EXAMPLE = "config.example.yaml";

describe("check-config on the example config, as its header documents", () => {
  it("documents the command the test runs", () => {
    expect(readFileSync(EXAMPLE, "utf8")).toContain(`runbook-bot check-config --config ${EXAMPLE}`);
  });

  it("passes the file and names the unset secret variable", async () => {
    const run = await runCli(["check-config", "--config", EXAMPLE]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# config OK \(config\.example\.yaml\)/);
    expect(run.stderr).toContain("KAFKA_SASL_PASSWORD (kafka.sasl.passwordEnv) is not set here");
    expect(run.stderr).toContain("serve refuses to start without it");
  });

  it("says nothing about a secret variable that is set, and never prints its value", async () => {
    const run = await runCli(["check-config", "--config", EXAMPLE], {
      env: { KAFKA_SASL_PASSWORD: "Pw-Example-Value-123" },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(`${run.stdout}${run.stderr}`).not.toContain("Pw-Example-Value-123");
  });

  it("--require-secrets refuses a config whose secret variable is unset", async () => {
    const run = await runCli(["check-config", "--require-secrets", "--config", EXAMPLE]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "kafka.sasl.passwordEnv: environment variable KAFKA_SASL_PASSWORD is not set",
    );
  });

  it("serve still refuses to start without it", async () => {
    const run = await runCli(["serve", "--config", EXAMPLE]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("KAFKA_SASL_PASSWORD is not set");
  });
});
