/** `runbook-bot drill [scenario] [--json]`: runs a runbook in a drill world of the simulated platform. */
import type { AppConfig } from "../../config/schema.ts";
import { closestNames } from "../../core/command.ts";
import { DRILLS, findDrill } from "../../sandbox/drills/registry.ts";
import { runDrill } from "../../sandbox/drills/run-drill.ts";
import { type CliIo, writeLine } from "../io.ts";
import { renderReportJson } from "../render/json.ts";
import { renderReportText } from "../render/terminal.ts";

export function listDrills(io: CliIo): number {
  writeLine(io.stdout, `${DRILLS.length} drill scenarios (runbook-bot drill <id>):`);
  for (const d of DRILLS) writeLine(io.stdout, `  ${d.id.padEnd(44)} ${d.title}`);
  return 0;
}

export async function drill(
  id: string,
  config: AppConfig,
  io: CliIo,
  opts: { json: boolean; color: boolean },
): Promise<number> {
  const scenario = findDrill(id);
  if (!scenario) {
    const near = DRILLS.map((d) => d.id).filter(
      (d) => d.includes(id) || closestNames(id).some((n) => d.includes(n)),
    );
    writeLine(
      io.stderr,
      `runbook-bot: no drill scenario "${id}".${near.length ? ` Did you mean ${near.slice(0, 3).join(", ")}?` : ""} See \`runbook-bot drill\`.`,
    );
    return 2;
  }
  const result = await runDrill(scenario, config);
  if (opts.json) {
    const report = JSON.parse(renderReportJson(result.report)) as Record<string, unknown>;
    writeLine(
      io.stdout,
      JSON.stringify(
        {
          scenario: scenario.id,
          story: scenario.story,
          expected: scenario.expect,
          mismatches: result.mismatches,
          report,
        },
        null,
        2,
      ),
    );
  } else {
    writeLine(io.stdout, `Drill ${scenario.id}: ${scenario.story}\n`);
    writeLine(io.stdout, renderReportText(result.report, { color: opts.color }));
    writeLine(
      io.stdout,
      result.mismatches.length === 0
        ? `✔ reached the expected branch: ${scenario.expect.cause}`
        : `✖ did not reach the expected branch:\n  ${result.mismatches.join("\n  ")}`,
    );
  }
  return result.mismatches.length === 0 ? 0 : 1;
}
