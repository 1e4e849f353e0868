/**
 * `runbook-bot plan <action> --params '<json>'`: the dry run of an action. Validates the params,
 * reads the current state from the configured live systems and prints the exact change the
 * action would make, with its risk tier. Never executes anything.
 *
 * Exit codes: 0 the change was computed; 1 it could not be (the action refuses, e.g. nothing to
 * change, or a system could not be read); 2 bad input (unknown action, params not JSON or invalid).
 */
import { ActionRefusal } from "../../actions/action.ts";
import { actionIds, findAction } from "../../actions/registry.ts";
import { createPorts } from "../../adapters/create-ports.ts";
import type { AppConfig } from "../../config/schema.ts";
import { describeTier, requiredApprovals, riskTierOf } from "../../core/approval.ts";
import { editDistance } from "../../core/command.ts";
import { errorMessage } from "../../engine/run-probe.ts";
import type { Ports } from "../../ports/index.ts";
import { type CliIo, writeLine } from "../io.ts";

export interface PlanOptions {
  /** The params as typed: a JSON object. Default `{}`. */
  readonly params?: string;
  readonly json: boolean;
  /** Ports to use instead of the configured adapters (tests). */
  readonly ports?: Ports;
}

/** The stable JSON of `plan --json` (on success). */
export interface PlanJson {
  readonly action: string;
  readonly title: string;
  readonly risk: "low" | "high" | "critical";
  readonly requiredApprovals: number;
  readonly frozen: boolean;
  readonly preview: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly executed: false;
}

export async function plan(
  actionId: string,
  config: AppConfig,
  io: CliIo,
  opts: PlanOptions,
): Promise<number> {
  const fail = (code: number, message: string, extra: Record<string, unknown> = {}) => {
    if (opts.json)
      writeLine(io.stdout, JSON.stringify({ action: actionId, error: message, ...extra }, null, 2));
    writeLine(io.stderr, `runbook-bot: ${message}`);
    return code;
  };
  const def = findAction(actionId);
  if (!def) {
    const near = actionIds()
      .map((id) => ({ id, d: editDistance(actionId.toLowerCase(), id) }))
      .filter((c) => c.d <= Math.max(2, Math.floor(actionId.length / 3)))
      .sort((a, b) => a.d - b.d)
      .map((c) => c.id);
    return fail(
      2,
      `no action is called "${actionId}".${near.length > 0 ? ` Did you mean ${near.join(", ")}?` : ""} Actions: ${actionIds().join(", ")}.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(opts.params ?? "{}");
  } catch (error) {
    return fail(2, `--params is not JSON: ${errorMessage(error)}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return fail(2, "--params must be a JSON object, e.g. '{\"replicas\": 8}'");
  }
  const parsed = def.parse(raw, config);
  if (!parsed.ok) {
    return fail(2, `invalid params for ${def.id}:\n  ${parsed.problems.join("\n  ")}`, {
      problems: parsed.problems,
    });
  }
  const tier = riskTierOf(def.id, def.risk, config.approvals.riskTiers);
  const ports = opts.ports ?? (await createPorts(config));
  try {
    let prepared: Awaited<ReturnType<typeof def.prepare>>;
    try {
      prepared = await def.prepare(parsed.params, { ports, config });
    } catch (error) {
      const why =
        error instanceof ActionRefusal
          ? `${def.id} refuses: ${error.message}`
          : error instanceof TypeError && missingPorts(ports).length > 0
            ? // An action reaching for a port that is absent: say which systems are not configured.
              `${def.id}: could not read the current state: a system it needs is not configured (not configured: ${missingPorts(ports).join(", ")})`
            : `${def.id}: could not read the current state: ${errorMessage(error)}`;
      return fail(1, why);
    }
    const out: PlanJson = {
      action: def.id,
      title: def.title,
      risk: tier,
      requiredApprovals: requiredApprovals(tier),
      frozen: config.actions.frozen,
      preview: prepared.preview,
      params: prepared.params,
      executed: false,
    };
    if (opts.json) {
      writeLine(io.stdout, JSON.stringify(out, null, 2));
      return 0;
    }
    writeLine(io.stdout, `${def.title} (${def.id}) — dry run, nothing was executed`);
    writeLine(io.stdout, `  change:  ${prepared.preview}`);
    writeLine(io.stdout, `  risk:    ${describeTier(tier, config.approvals.allowSelfApproval)}`);
    writeLine(io.stdout, `  params:  ${JSON.stringify(prepared.params)}`);
    if (config.actions.frozen)
      writeLine(io.stdout, "  frozen:  actions.frozen is set: the bot would show it as a preview only");
    return 0;
  } finally {
    await ports.kafka?.close().catch(() => undefined);
  }
}

const PORT_SECTIONS = {
  kubernetes: "kubernetes",
  kafka: "kafka",
  metrics: "aws (CloudWatch)",
  logs: "aws (CloudWatch Logs)",
  firehose: "aws (Firehose)",
  msk: "msk",
  flink: "flink",
} as const;

function missingPorts(ports: Ports): string[] {
  return (Object.keys(PORT_SECTIONS) as (keyof typeof PORT_SECTIONS)[])
    .filter((key) => ports[key] === undefined)
    .map((key) => PORT_SECTIONS[key]);
}
