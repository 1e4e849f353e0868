/**
 * An independent checker of the Block Kit limits (REFERENCE.md, Slack), used by the render
 * tests to prove every message would be accepted (no `invalid_blocks`).
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every problem found; empty when the message is valid. */
export function validateBlockKit(blocks: readonly unknown[], text?: string): string[] {
  const errors: string[] = [];
  const err = (where: string, what: string): void => {
    errors.push(`${where}: ${what}`);
  };

  const checkString = (where: string, v: unknown, max: number, { allowEmpty = false } = {}): void => {
    if (typeof v !== "string") {
      err(where, `expected a string, got ${typeof v}`);
      return;
    }
    if (v.length > max) err(where, `${v.length} chars > ${max}`);
    if (!allowEmpty && v.trim() === "") err(where, "empty");
    if (LONE_SURROGATE.test(v)) err(where, "lone surrogate (split surrogate pair)");
  };
  const checkText = (
    where: string,
    t: unknown,
    max: number,
    types: readonly string[] = ["plain_text", "mrkdwn"],
  ) => {
    if (!isObject(t)) {
      err(where, "text object missing");
      return;
    }
    if (typeof t.type !== "string" || !types.includes(t.type))
      err(where, `text type ${String(t.type)} not allowed`);
    checkString(`${where}.text`, t.text, max);
  };

  if (text !== undefined) checkString("text", text, 3000);
  if (blocks.length > 50) err("blocks", `${blocks.length} blocks > 50`);
  if (blocks.length === 0 && text === undefined) err("blocks", "no blocks and no text");

  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  for (const [i, b] of blocks.entries()) {
    const at = `blocks[${i}]`;
    if (!isObject(b)) {
      err(at, "not an object");
      continue;
    }
    if (b.block_id !== undefined) {
      checkString(`${at}.block_id`, b.block_id, 255);
      if (blockIds.has(String(b.block_id))) err(`${at}.block_id`, `duplicate ${String(b.block_id)}`);
      blockIds.add(String(b.block_id));
    }
    switch (b.type) {
      case "divider":
        break;
      case "header":
        checkText(`${at}.text`, b.text, 150, ["plain_text"]);
        break;
      case "section": {
        if (b.text === undefined && b.fields === undefined) err(at, "section needs text or fields");
        if (b.text !== undefined) checkText(`${at}.text`, b.text, 3000);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields)) err(`${at}.fields`, "not an array");
          else {
            if (b.fields.length > 10) err(`${at}.fields`, `${b.fields.length} fields > 10`);
            if (b.fields.length === 0) err(`${at}.fields`, "empty");
            for (const [j, f] of b.fields.entries()) checkText(`${at}.fields[${j}]`, f, 2000);
          }
        }
        break;
      }
      case "context": {
        if (!Array.isArray(b.elements) || b.elements.length === 0) err(`${at}.elements`, "missing or empty");
        else {
          if (b.elements.length > 10) err(`${at}.elements`, `${b.elements.length} elements > 10`);
          for (const [j, e] of b.elements.entries()) checkText(`${at}.elements[${j}]`, e, 3000);
        }
        break;
      }
      case "actions": {
        if (!Array.isArray(b.elements) || b.elements.length === 0) err(`${at}.elements`, "missing or empty");
        else {
          if (b.elements.length > 25) err(`${at}.elements`, `${b.elements.length} elements > 25`);
          for (const [j, e] of b.elements.entries()) {
            const eat = `${at}.elements[${j}]`;
            if (!isObject(e) || e.type !== "button") {
              err(eat, "not a button");
              continue;
            }
            checkText(`${eat}.text`, e.text, 75, ["plain_text"]);
            checkString(`${eat}.action_id`, e.action_id, 255);
            if (actionIds.has(String(e.action_id)))
              err(`${eat}.action_id`, `duplicate ${String(e.action_id)}`);
            actionIds.add(String(e.action_id));
            if (e.value !== undefined) checkString(`${eat}.value`, e.value, 2000);
            if (e.style !== undefined && e.style !== "primary" && e.style !== "danger") err(eat, "bad style");
            if (e.confirm !== undefined) {
              const c = e.confirm;
              if (!isObject(c)) {
                err(`${eat}.confirm`, "not an object");
                continue;
              }
              checkText(`${eat}.confirm.title`, c.title, 100, ["plain_text"]);
              checkText(`${eat}.confirm.text`, c.text, 300);
              checkText(`${eat}.confirm.confirm`, c.confirm, 30, ["plain_text"]);
              checkText(`${eat}.confirm.deny`, c.deny, 30, ["plain_text"]);
            }
          }
        }
        break;
      }
      default:
        err(at, `unknown block type ${String(b.type)}`);
    }
  }
  return errors;
}

/** Every string anywhere in a value (for whole-message checks like "no lone surrogates"). */
export function allStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (isObject(value)) return Object.values(value).flatMap(allStrings);
  return [];
}
