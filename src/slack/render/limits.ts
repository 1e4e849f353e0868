/**
 * Block Kit limits (REFERENCE.md, Slack) and the final pass every renderer's output goes
 * through, so a message Slack would refuse with `invalid_blocks` is never sent.
 */
import { countChars, cutText, truncateText } from "../../core/text/truncate-text.ts";
import type {
  ActionsBlock,
  Block,
  ButtonElement,
  ConfirmDialog,
  ContextBlock,
  PlainText,
  SectionBlock,
  TextObject,
} from "./block-kit.ts";
import { context } from "./block-kit.ts";
import { inlineCode } from "./mrkdwn.ts";

export const BLOCK_KIT_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextElementText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  fallbackText: 3000,
} as const;

const truncatedNote = (n: number) => `… (truncated, ${n} chars)`;

/**
 * mrkdwn cut to `max` with a "… (truncated, N chars)" note, without leaving half an entity
 * (`&am`) or an unclosed ``` fence behind.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const closing = "\n```";
  const total = countChars(text);
  // Room for the note with the most digits and a closing fence.
  const room = max - truncatedNote(total).length - closing.length - 1;
  let head = cutText(text, Math.max(0, room)).replace(/&[a-z]{0,4}$/, "");
  // A cut inside `<…>` (link, mention, date) would leave it open: drop the partial token.
  const open = head.lastIndexOf("<");
  if (open > head.lastIndexOf(">")) head = head.slice(0, open);
  const fences = head.split("```").length - 1;
  const omitted = total - countChars(head);
  const note = truncatedNote(omitted);
  const result =
    fences % 2 === 1 ? `${head}${closing}\n${note}` : `${head}${head.endsWith("\n") ? "" : " "}${note}`;
  return cutText(result, max);
}

/** The `text` fallback of a message, within its 3000 limit. */
export function limitFallbackText(text: string): string {
  return truncateText(text, BLOCK_KIT_LIMITS.fallbackText, truncatedNote);
}

function limitText(t: TextObject, max: number): TextObject {
  if (t.text.length <= max) return t;
  return t.type === "mrkdwn"
    ? { ...t, text: truncateMrkdwn(t.text, max) }
    : { ...t, text: truncateText(t.text, max, truncatedNote) };
}

function limitPlain(t: PlainText, max: number): PlainText {
  return t.text.length <= max ? t : { ...t, text: truncateText(t.text, max) };
}

const nonEmpty = (t: TextObject) => t.text.trim() !== "";

function limitConfirm(c: ConfirmDialog): ConfirmDialog {
  return {
    ...c,
    title: limitPlain(c.title, BLOCK_KIT_LIMITS.confirmTitle),
    text: limitText(c.text, BLOCK_KIT_LIMITS.confirmText),
    confirm: limitPlain(c.confirm, BLOCK_KIT_LIMITS.confirmButton),
    deny: limitPlain(c.deny, BLOCK_KIT_LIMITS.confirmButton),
  };
}

function limitButton(b: ButtonElement, usedActionIds: Set<string>): ButtonElement | undefined {
  if (b.value !== undefined && b.value.length > BLOCK_KIT_LIMITS.buttonValue) return undefined;
  if (b.text.text.trim() === "") return undefined;
  let actionId = cutText(b.action_id, BLOCK_KIT_LIMITS.actionId);
  for (let n = 2; usedActionIds.has(actionId); n++) {
    const suffix = `:${n}`;
    actionId = cutText(b.action_id, BLOCK_KIT_LIMITS.actionId - suffix.length) + suffix;
  }
  usedActionIds.add(actionId);
  return {
    ...b,
    action_id: actionId,
    text: limitPlain(b.text, BLOCK_KIT_LIMITS.buttonText),
    ...(b.confirm === undefined ? {} : { confirm: limitConfirm(b.confirm) }),
  };
}

function withBlockId<T extends Block>(block: T, usedBlockIds: Set<string>): T {
  if (block.block_id === undefined) return block;
  let id = cutText(block.block_id, BLOCK_KIT_LIMITS.blockId);
  for (let n = 2; usedBlockIds.has(id); n++) {
    const suffix = `:${n}`;
    id = cutText(block.block_id, BLOCK_KIT_LIMITS.blockId - suffix.length) + suffix;
  }
  usedBlockIds.add(id);
  return { ...block, block_id: id };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One block made valid; may become several (fields or buttons split) or none (nothing left to show). */
function limitBlock(block: Block, usedActionIds: Set<string>, notes: string[]): Block[] {
  switch (block.type) {
    case "divider":
      return [block];
    case "header": {
      const text = block.text.text.replace(/\s+/g, " ").trim();
      if (text === "") return [];
      return [{ ...block, text: limitPlain({ ...block.text, text }, BLOCK_KIT_LIMITS.headerText) }];
    }
    case "section": {
      const text =
        block.text !== undefined && nonEmpty(block.text)
          ? limitText(block.text, BLOCK_KIT_LIMITS.sectionText)
          : undefined;
      const fields = (block.fields ?? [])
        .filter(nonEmpty)
        .map((f) => limitText(f, BLOCK_KIT_LIMITS.fieldText));
      if (text === undefined && fields.length === 0) return [];
      const { text: _t, fields: _f, ...rest } = block;
      const groups = chunk(fields, BLOCK_KIT_LIMITS.fieldsPerSection);
      if (groups.length === 0) return [{ ...rest, ...(text === undefined ? {} : { text }) }];
      return groups.map((g, i): SectionBlock => {
        const base = i === 0 ? rest : { type: "section" as const };
        return { ...base, ...(i === 0 && text !== undefined ? { text } : {}), fields: g };
      });
    }
    case "context": {
      const elements = block.elements
        .filter(nonEmpty)
        .map((e) => limitText(e, BLOCK_KIT_LIMITS.contextElementText));
      if (elements.length === 0) return [];
      if (elements.length <= BLOCK_KIT_LIMITS.contextElements) return [{ ...block, elements }];
      const keep = elements.slice(0, BLOCK_KIT_LIMITS.contextElements - 1);
      const merged = elements
        .slice(BLOCK_KIT_LIMITS.contextElements - 1)
        .map((e) => e.text)
        .join(" · ");
      const last: TextObject = limitText(
        { type: "mrkdwn", text: merged },
        BLOCK_KIT_LIMITS.contextElementText,
      );
      return [{ ...block, elements: [...keep, last] } satisfies ContextBlock];
    }
    case "actions": {
      const buttons: ButtonElement[] = [];
      for (const b of block.elements) {
        const limited = limitButton(b, usedActionIds);
        if (limited === undefined)
          notes.push(`a button (“${cutText(b.text.text, 40)}”) was omitted: too large`);
        else buttons.push(limited);
      }
      return chunk(buttons, BLOCK_KIT_LIMITS.actionsElements).map(
        (g, i): ActionsBlock => (i === 0 ? { ...block, elements: g } : { type: "actions", elements: g }),
      );
    }
    default: {
      const unknown: never = block;
      throw new Error(`unknown block type: ${JSON.stringify(unknown)}`);
    }
  }
}

export interface LimitOptions {
  /**
   * What the collapse note points to for the full content, e.g. "runbook-bot diagnose consumer-lag".
   * Without it the note only says how many blocks were left out.
   */
  readonly fullReportCommand?: string;
}

/**
 * The final pass of every Slack renderer: truncates texts (Unicode-safe, with a note),
 * splits fields and buttons over several blocks, drops empty blocks, makes action and
 * block ids unique, and keeps at most 50 blocks. When blocks must go, the actions blocks
 * (the decisions) are kept and the rest collapse into a last context line.
 */
export function enforceBlockKitLimits(blocks: readonly Block[], opts: LimitOptions = {}): Block[] {
  const usedActionIds = new Set<string>();
  const usedBlockIds = new Set<string>();
  const notes: string[] = [];
  let out = blocks
    .flatMap((b) => limitBlock(b, usedActionIds, notes))
    .map((b) => withBlockId(b, usedBlockIds));
  if (notes.length > 0) out.push(context(`:warning: ${notes.join("; ")}`));

  const max = BLOCK_KIT_LIMITS.blocksPerMessage;
  if (out.length > max) {
    const actions = out.filter((b) => b.type === "actions").slice(0, max - 2);
    const room = max - 1 - actions.length;
    let othersKept = 0;
    const kept: Block[] = [];
    for (const b of out) {
      if (b.type === "actions") {
        if (actions.includes(b)) kept.push(b);
      } else if (othersKept < room) {
        kept.push(b);
        othersKept++;
      }
    }
    const omitted = out.length - kept.length;
    const where =
      opts.fullReportCommand === undefined ? "" : `; full report: ${inlineCode(opts.fullReportCommand)}`;
    const note = limitBlock(context(`… ${omitted} more blocks omitted${where}`), usedActionIds, []);
    out = [...kept, ...note];
  }
  return out;
}
