/** Errors safe to show the user, as an (ephemeral) message. */
import type { Block, RenderedMessage } from "./block-kit.ts";
import { context, section } from "./block-kit.ts";
import { enforceBlockKitLimits, limitFallbackText } from "./limits.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";

/** An error safe to show the user, e.g. "No runbook named `foo`". */
export function renderError(message: string, opts: { hint?: string } = {}): RenderedMessage {
  const blocks: Block[] = [section(`:x: ${escapeMrkdwn(message)}`)];
  if (opts.hint !== undefined && opts.hint.trim() !== "") blocks.push(context(escapeMrkdwn(opts.hint)));
  return { text: limitFallbackText(`:x: ${escapeMrkdwn(message)}`), blocks: enforceBlockKitLimits(blocks) };
}
