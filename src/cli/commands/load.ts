import { actionIds } from "../../actions/registry.ts";
import { ConfigError, type LoadedConfig, loadConfig } from "../../config/load-config.ts";
import { validateExtraPatterns } from "../../core/intake/index.ts";
import { type CliIo, writeLine } from "../io.ts";

/** Loads the config for a command; on problems prints them (no stack trace) and returns undefined. */
export function loadForCli(path: string | undefined, io: CliIo): LoadedConfig | undefined {
  try {
    return loadConfig({
      ...(path ? { path } : {}),
      env: io.env,
      validate: (config) => [
        ...validateExtraPatterns(config.alerts.extraPatterns),
        ...validateRiskTiers(config.approvals.riskTiers),
      ],
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      writeLine(io.stderr, `runbook-bot: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}

/** `approvals.riskTiers` may only name actions the bot has. */
export function validateRiskTiers(riskTiers: Readonly<Record<string, unknown>>): string[] {
  const known = actionIds();
  return Object.keys(riskTiers)
    .filter((id) => !known.includes(id))
    .map((id) => `approvals.riskTiers.${id}: no action is called ${id} (actions: ${known.join(", ")})`);
}
