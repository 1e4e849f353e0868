/** `/runbook help`: the runbooks the bot knows (shown ephemerally). */
import type { RunbookMeta } from "../../core/catalog.ts";
import type { Block, RenderedMessage } from "./block-kit.ts";
import { context, header, section } from "./block-kit.ts";
import { RUNBOOK_SEVERITY_EMOJI } from "./emoji.ts";
import { enforceBlockKitLimits, limitFallbackText } from "./limits.ts";
import { bold, escapeMrkdwn, inlineCode } from "./mrkdwn.ts";

export interface RunbookListItem extends RunbookMeta {
  /** True when the bot runs the diagnosis itself; false for a runbook it can only link. */
  readonly automated?: boolean;
}

function runbookLine(r: RunbookListItem): string {
  const aliases = r.aliases.length === 0 ? "" : ` (also ${r.aliases.map(inlineCode).join(", ")})`;
  const mode =
    r.automated === undefined
      ? ""
      : r.automated
        ? " · :robot_face: automated diagnosis"
        : " · :book: manual only";
  return (
    `${RUNBOOK_SEVERITY_EMOJI[r.severity]} ${bold(r.title)} ${inlineCode(r.id)}${aliases}\n` +
    `Fires as ${inlineCode(r.alert)} when ${escapeMrkdwn(r.condition)}${mode}`
  );
}

export function renderRunbookList(runbooks: readonly RunbookListItem[]): RenderedMessage {
  const blocks: Block[] = [header("Runbooks")];
  if (runbooks.length === 0) blocks.push(section("_No runbooks are configured._"));
  for (const r of runbooks) blocks.push(section(runbookLine(r)));
  blocks.push(context("Start one with `/runbook <id or alias>`; ids, aliases and alert names all work."));
  blocks.push(
    context(
      "Also: `/runbook status` (open incidents) · `/runbook report [incident id]` (post-incident report in the thread) · `/runbook freeze [reason]` / `/runbook unfreeze` (approvers: fixes become preview-only, or not).",
    ),
  );
  const text = `Runbooks: ${runbooks.map((r) => escapeMrkdwn(r.id)).join(", ")}`;
  return { text: limitFallbackText(text), blocks: enforceBlockKitLimits(blocks) };
}
