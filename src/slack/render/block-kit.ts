/**
 * The subset of Block Kit the bot renders, as plain data. Kept minimal and checked against
 * @slack/types at compile time (see `asKnownBlocks`), so a renderer cannot produce a shape
 * Slack does not know.
 */
import type { KnownBlock } from "@slack/types";

export interface PlainText {
  readonly type: "plain_text";
  readonly text: string;
  readonly emoji?: boolean;
}

export interface MrkdwnText {
  readonly type: "mrkdwn";
  readonly text: string;
  readonly verbatim?: boolean;
}

export type TextObject = PlainText | MrkdwnText;

export interface ConfirmDialog {
  readonly title: PlainText;
  readonly text: TextObject;
  readonly confirm: PlainText;
  readonly deny: PlainText;
  readonly style?: "primary" | "danger";
}

export interface ButtonElement {
  readonly type: "button";
  readonly text: PlainText;
  readonly action_id: string;
  readonly value?: string;
  readonly style?: "primary" | "danger";
  readonly confirm?: ConfirmDialog;
}

export interface SectionBlock {
  readonly type: "section";
  readonly block_id?: string;
  readonly text?: TextObject;
  readonly fields?: readonly TextObject[];
}

export interface HeaderBlock {
  readonly type: "header";
  readonly block_id?: string;
  readonly text: PlainText;
}

export interface ContextBlock {
  readonly type: "context";
  readonly block_id?: string;
  readonly elements: readonly TextObject[];
}

export interface ActionsBlock {
  readonly type: "actions";
  readonly block_id?: string;
  readonly elements: readonly ButtonElement[];
}

export interface DividerBlock {
  readonly type: "divider";
  readonly block_id?: string;
}

export type Block = SectionBlock | HeaderBlock | ContextBlock | ActionsBlock | DividerBlock;

/** What every message renderer returns: the notification/fallback text and the blocks. */
export interface RenderedMessage {
  readonly text: string;
  readonly blocks: readonly Block[];
}

export const mrkdwn = (text: string): MrkdwnText => ({ type: "mrkdwn", text });
export const plain = (text: string): PlainText => ({ type: "plain_text", text, emoji: true });
export const section = (text: string): SectionBlock => ({ type: "section", text: mrkdwn(text) });
export const context = (...texts: string[]): ContextBlock => ({
  type: "context",
  elements: texts.map(mrkdwn),
});
export const header = (text: string): HeaderBlock => ({ type: "header", text: plain(text) });

export function button(
  text: string,
  actionId: string,
  value: string,
  extra: { style?: "primary" | "danger"; confirm?: ConfirmDialog } = {},
): ButtonElement {
  return { type: "button", text: plain(text), action_id: actionId, value, ...extra };
}

type DeepMutable<T> = T extends readonly (infer U)[]
  ? DeepMutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;

/**
 * The blocks typed for @slack/web-api calls (`chat.postMessage({ blocks })`). This is an
 * identity function; it exists so the compiler proves our shapes are Slack's shapes.
 */
export function asKnownBlocks(blocks: readonly Block[]): KnownBlock[] {
  const known: DeepMutable<Block>[] = blocks as DeepMutable<Block>[];
  return known;
}
