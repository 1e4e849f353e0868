/**
 * All human-visible text of a Slack message, in display order: `text`, then `blocks`, then each
 * attachment (pretext, author, title, text, fields, footer, fallback, and attachment blocks).
 *
 * The text comes back as *chunks*, one per visible text unit (the message text, one block's text,
 * one attachment title, one field, ...). Chunk boundaries matter to the state parser: a Grafana
 * `**Firing**` / `**Resolved**` section never runs past the end of its chunk.
 *
 * Bounded work: at most {@link MAX_TEXT_CHARS} characters of raw text are read in total (later
 * text is dropped; a 1 MB attachment costs one `slice`), at most {@link MAX_NODES} payload nodes
 * are visited, and block nesting deeper than {@link MAX_DEPTH} is not followed.
 */
import { isObject, type Obj, readArray, readObject, readString } from "./read-fields.ts";

/** Total raw characters read from one message (100 KB); the rest is ignored. */
export const MAX_TEXT_CHARS = 100_000;
/** Blocks, elements, attachments and fields visited per message. */
export const MAX_NODES = 10_000;
/** Nesting depth followed inside rich_text elements. */
export const MAX_DEPTH = 16;

const SPECIAL_MENTIONS: Readonly<Record<string, string>> = {
  here: "@here",
  channel: "@channel",
  everyone: "@everyone",
};

const ENTITIES: Readonly<Record<string, string>> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
};

const ENTITY_NAMES = Object.keys(ENTITIES);

/**
 * Decodes Slack's mrkdwn markup into what a reader sees: `<url|label>` -> label, `<url>` -> url,
 * `<@U123>` -> @U123 (`<@U123|ann>` -> @ann), `<#C123|name>` -> #name, `<!here>` -> @here,
 * `<!subteam^S1|@oncall>` -> @oncall, `<!date^...|fallback>` -> fallback; then the entities
 * `&amp; &lt; &gt;` (and `&quot; &#39;`), in one pass so `&amp;lt;` stays `&lt;`.
 */
export function decodeSlackMarkup(input: string): string {
  return decodeEntities(unlink(input));
}

/** Replaces each `<inner>` (no `<`, `>` or newline inside) by what it shows; one linear pass. */
function unlink(input: string): string {
  const parts: string[] = [];
  let copied = 0;
  let open = input.indexOf("<");
  while (open !== -1) {
    let close = open + 1;
    while (close < input.length) {
      const char = input.charCodeAt(close);
      if (char === 60 || char === 62 || char === 10) break; // < > \n
      close += 1;
    }
    if (input.charCodeAt(close) === 62) {
      parts.push(input.slice(copied, open), showLink(input.slice(open + 1, close)));
      copied = close + 1;
      open = input.indexOf("<", copied);
    } else {
      open = close < input.length && input.charCodeAt(close) === 60 ? close : input.indexOf("<", close);
    }
  }
  if (copied === 0) return input;
  parts.push(input.slice(copied));
  return parts.join("");
}

function showLink(inner: string): string {
  const bar = inner.indexOf("|");
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? "" : inner.slice(bar + 1);
  const first = target.charAt(0);
  if (first === "@") return `@${label || target.slice(1)}`;
  if (first === "#") return `#${label || target.slice(1)}`;
  if (first === "!") {
    const name = target.slice(1);
    if (label) return label;
    const special = SPECIAL_MENTIONS[name];
    if (special !== undefined) return special;
    const caret = name.indexOf("^");
    return `@${caret === -1 ? name : name.slice(caret + 1)}`;
  }
  return label || target;
}

/** `&amp; &lt; &gt; &quot; &#39;` in one pass, so `&amp;lt;` stays `&lt;`. */
function decodeEntities(input: string): string {
  let amp = input.indexOf("&");
  if (amp === -1) return input;
  const parts: string[] = [];
  let copied = 0;
  while (amp !== -1) {
    const entity = ENTITY_NAMES.find((name) => input.startsWith(name, amp));
    if (entity !== undefined) {
      parts.push(input.slice(copied, amp), ENTITIES[entity] ?? entity);
      copied = amp + entity.length;
      amp = input.indexOf("&", copied);
    } else {
      amp = input.indexOf("&", amp + 1);
    }
  }
  parts.push(input.slice(copied));
  return parts.join("");
}

/** Reading state for one message: the character and node budgets. */
class Reader {
  readonly chunks: string[] = [];
  private chars = MAX_TEXT_CHARS;
  private nodes = MAX_NODES;

  /** Counts one visited node; false once the node budget is spent. */
  visit(): boolean {
    this.nodes -= 1;
    return this.nodes >= 0 && this.chars > 0;
  }

  /** Takes raw text within the character budget; undefined when nothing is left to take. */
  take(raw: string | undefined): string | undefined {
    if (raw === undefined || raw.length === 0 || this.chars <= 0) return undefined;
    const taken = raw.length > this.chars ? raw.slice(0, this.chars) : raw;
    this.chars -= taken.length;
    return taken;
  }

  /** Adds mrkdwn (or plain) text as a chunk, decoded. */
  addMarkup(raw: string | undefined): void {
    const taken = this.take(raw);
    if (taken !== undefined) this.push(decodeSlackMarkup(taken));
  }

  push(text: string): void {
    if (text.trim().length > 0) this.chunks.push(text);
  }
}

/** Extracts the visible text of a message as chunks (see the module comment). */
export function extractTextChunks(message: Obj): string[] {
  const reader = new Reader();
  reader.addMarkup(readString(message, "text"));
  readBlocks(reader, readArray(message, "blocks"));
  for (const attachment of readArray(message, "attachments")) {
    if (!reader.visit()) break;
    if (isObject(attachment)) readAttachment(reader, attachment);
  }
  return reader.chunks;
}

/** All visible text of a message joined by newlines (bounded like {@link extractTextChunks}). */
export function extractText(message: Obj): string {
  return extractTextChunks(message).join("\n");
}

function readAttachment(reader: Reader, attachment: Obj): void {
  reader.addMarkup(readString(attachment, "pretext"));
  reader.addMarkup(readString(attachment, "author_name"));
  reader.addMarkup(readString(attachment, "title"));
  reader.addMarkup(readString(attachment, "text"));
  for (const field of readArray(attachment, "fields")) {
    if (!reader.visit()) return;
    if (isObject(field)) readField(reader, readString(field, "title"), readString(field, "value"));
  }
  readBlocks(reader, readArray(attachment, "blocks"));
  reader.addMarkup(readString(attachment, "footer"));
  reader.addMarkup(readString(attachment, "fallback"));
}

/** A field as one `Title: value` chunk, so `Status: Resolved` reads as one statement. */
function readField(reader: Reader, title: string | undefined, value: string | undefined): void {
  const head = reader.take(title);
  const body = reader.take(value);
  const parts: string[] = [];
  if (head !== undefined) parts.push(withoutTrailingColon(decodeSlackMarkup(head)));
  if (body !== undefined) parts.push(decodeSlackMarkup(body));
  if (parts.length > 0) reader.push(parts.join(": "));
}

/** `Status :` -> `Status` (one trailing colon and the spaces around it). */
function withoutTrailingColon(title: string): string {
  const trimmed = title.trimEnd();
  return trimmed.endsWith(":") ? trimmed.slice(0, -1).trimEnd() : title;
}

/** A composition object `{type: "mrkdwn" | "plain_text", text}`. */
function readTextObject(reader: Reader, value: unknown): void {
  if (isObject(value)) reader.addMarkup(readString(value, "text"));
}

function readBlocks(reader: Reader, blocks: readonly unknown[]): void {
  for (const block of blocks) {
    if (!reader.visit()) return;
    if (!isObject(block)) continue;
    switch (readString(block, "type")) {
      case "section":
        readTextObject(reader, block.text);
        for (const field of readArray(block, "fields")) {
          if (!reader.visit()) return;
          readTextObject(reader, field);
        }
        break;
      case "header":
        readTextObject(reader, block.text);
        break;
      case "context":
        for (const element of readArray(block, "elements")) {
          if (!reader.visit()) return;
          // Text elements only; images have alt text that is not shown.
          if (isObject(element) && readString(element, "type") !== "image") readTextObject(reader, element);
        }
        break;
      case "markdown":
        reader.addMarkup(readString(block, "text"));
        break;
      case "rich_text": {
        const text = readRichElements(reader, readArray(block, "elements"), "\n", 0);
        reader.push(text);
        break;
      }
      default:
        // actions, image, divider, input, file, video: controls and media, not message text.
        break;
    }
  }
}

/**
 * Rich text is structured (no mrkdwn markup to decode): sections, lists, quotes and preformatted
 * blocks hold text, link, user, channel, usergroup, emoji, broadcast and date elements.
 */
function readRichElements(
  reader: Reader,
  elements: readonly unknown[],
  separator: string,
  depth: number,
): string {
  if (depth > MAX_DEPTH) return "";
  const parts: string[] = [];
  for (const element of elements) {
    if (!reader.visit()) break;
    if (!isObject(element)) continue;
    const part = readRichElement(reader, element, depth);
    if (part !== undefined) parts.push(part);
  }
  return parts.join(separator);
}

function readRichElement(reader: Reader, element: Obj, depth: number): string | undefined {
  switch (readString(element, "type")) {
    case "rich_text_section":
    case "rich_text_quote":
    case "rich_text_preformatted":
      return readRichElements(reader, readArray(element, "elements"), "", depth + 1);
    case "rich_text_list":
      return readRichElements(reader, readArray(element, "elements"), "\n", depth + 1);
    case "text":
      return reader.take(readString(element, "text"));
    case "link":
      return reader.take(readString(element, "text") || readString(element, "url"));
    case "user":
      return prefixed(reader, "@", readString(element, "user_id"));
    case "usergroup":
      return prefixed(reader, "@", readString(element, "usergroup_id"));
    case "channel":
      return prefixed(reader, "#", readString(element, "channel_id"));
    case "broadcast":
      return prefixed(reader, "@", readString(element, "range"));
    case "emoji": {
      const name = readString(element, "name");
      return reader.take(name === undefined ? readString(element, "unicode") : `:${name}:`);
    }
    case "date":
      return reader.take(readString(element, "fallback"));
    default: {
      // Unknown element: keep its text if it has one.
      const text = readString(element, "text") ?? readString(readObject(element, "text") ?? {}, "text");
      return reader.take(text);
    }
  }
}

function prefixed(reader: Reader, prefix: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : reader.take(prefix + value);
}
