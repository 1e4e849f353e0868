import { actionIds } from "../../actions/registry.ts";
import { ConfigError, type LoadedConfig, loadConfig } from "../../config/load-config.ts";
import { storeChoice } from "../../config/store-choice.ts";
import { storePathProblems } from "../../config/store-path-check.ts";
import { validateExtraPatterns } from "../../core/intake/index.ts";
import { type CliIo, writeLine } from "../io.ts";

/**
 * Loads the config for a command; on problems prints them (no stack trace) and returns undefined.
 * `checkStore`: the store path must be writable too (check-config and serve).
 */
export function loadForCli(
  path: string | undefined,
  io: CliIo,
  opts: { checkStore?: boolean; unsetSecrets?: "refuse" | "allow" } = {},
): LoadedConfig | undefined {
  try {
    return loadConfig({
      ...(path ? { path } : {}),
      env: io.env,
      ...(opts.unsetSecrets === undefined ? {} : { unsetSecrets: opts.unsetSecrets }),
      validate: (config) => [
        ...validateExtraPatterns(config.alerts.extraPatterns),
        ...validateRiskTiers(config.approvals.riskTiers),
        ...(opts.checkStore === true && storeChoice(config).kind === "sqlite"
          ? storePathProblems(config.store.path)
          : []),
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
