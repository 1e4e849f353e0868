/** `runbook-bot diagnose <id|alias>`: runs a runbook against the configured live systems. */
import { createPorts } from "../../adapters/create-ports.ts";
import type { AppConfig } from "../../config/schema.ts";
import { findRunbook } from "../../core/catalog.ts";
import { closestNames } from "../../core/command.ts";
import { runRunbook } from "../../engine/run-runbook.ts";
import type { Ports } from "../../ports/index.ts";
import { runbookFor } from "../../runbooks/registry.ts";
import { type CliIo, writeLine } from "../io.ts";
import { renderReportJson } from "../render/json.ts";
import { renderReportText, renderStepText } from "../render/terminal.ts";

export async function diagnose(
  name: string,
  config: AppConfig,
  io: CliIo,
  opts: { json: boolean; color: boolean; ports?: Ports },
): Promise<number> {
  const meta = findRunbook(name);
  if (!meta) {
    const near = closestNames(name);
    writeLine(
      io.stderr,
      `runbook-bot: no runbook is called "${name}".${near.length ? ` Did you mean ${near.join(", ")}?` : ""} See \`runbook-bot runbooks\`.`,
    );
    return 2;
  }
  const runbook = runbookFor(meta);
  const ports = opts.ports ?? (await createPorts(config));
  try {
    const report = await runRunbook(runbook, {
      ports,
      config,
      ...(opts.json
        ? {}
        : {
            observer: {
              onStepCompleted: ({ report: step }) => {
                writeLine(io.stderr, renderStepText(step, { color: opts.color }));
              },
            },
          }),
    });
    writeLine(
      io.stdout,
      opts.json ? renderReportJson(report) : renderReportText(report, { color: opts.color }),
    );
    return 0;
  } finally {
    await ports.kafka?.close().catch(() => undefined);
  }
}
