/**
 * Block Kit validation with Slack's documented limits. Errors read like Slack's:
 * `must be less than 3001 characters [json-pointer:/blocks/0/text/text]`.
 */

export interface BlockValidationOptions {
  /** 50 for messages, 100 for modals and Home tabs. */
  maxBlocks: number;
  /** JSON pointer of the blocks array ("/blocks", "/attachments/0/blocks", "/view/blocks"). */
  pointer?: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

class Collector {
  readonly errors: string[] = [];
  add(message: string, pointer: string): void {
    this.errors.push(`${message} [json-pointer:${pointer}]`);
  }
}

const TEXT_KEYS: Record<string, readonly string[]> = {
  plain_text: ["type", "text", "emoji"],
  mrkdwn: ["type", "text", "verbatim"],
};

function checkString(c: Collector, v: unknown, ptr: string, max: number, required: boolean, min = 0): void {
  if (v === undefined) {
    if (required) c.add(`missing required field: ${ptr.split("/").pop()}`, ptr);
    return;
  }
  if (typeof v !== "string") {
    c.add("must be a string", ptr);
    return;
  }
  if (v.length > max) c.add(`must be less than ${max + 1} characters`, ptr);
  if (v.length < min) c.add(`must be at least ${min} character${min === 1 ? "" : "s"}`, ptr);
}

/** A text composition object: plain_text or mrkdwn with a non-empty `text`. */
function checkText(
  c: Collector,
  v: unknown,
  ptr: string,
  max: number,
  kind: "plain" | "any",
  required = true,
): void {
  if (v === undefined) {
    if (required) c.add(`missing required field: ${ptr.split("/").pop()}`, ptr);
    return;
  }
  if (!isObj(v)) {
    c.add("must provide an object", ptr);
    return;
  }
  const type = v.type;
  if (type !== "plain_text" && type !== "mrkdwn") {
    c.add("must be a valid enum value (plain_text, mrkdwn)", `${ptr}/type`);
    return;
  }
  if (kind === "plain" && type !== "plain_text") {
    c.add("must be a valid enum value (plain_text)", `${ptr}/type`);
  }
  for (const key of Object.keys(v)) {
    if (!TEXT_KEYS[type]?.includes(key)) c.add(`invalid additional property: ${key}`, ptr);
  }
  if (typeof v.text !== "string") {
    c.add("missing required field: text", ptr);
    return;
  }
  if (v.text.length === 0) c.add("must be more than 0 characters", `${ptr}/text`);
  if (v.text.length > max) c.add(`must be less than ${max + 1} characters`, `${ptr}/text`);
}

function checkId(c: Collector, v: unknown, ptr: string): void {
  checkString(c, v, ptr, 255, false);
}

function checkConfirm(c: Collector, v: unknown, ptr: string): void {
  if (v === undefined) return;
  if (!isObj(v)) {
    c.add("must provide an object", ptr);
    return;
  }
  checkText(c, v.title, `${ptr}/title`, 100, "plain");
  checkText(c, v.text, `${ptr}/text`, 300, "any");
  checkText(c, v.confirm, `${ptr}/confirm`, 30, "plain");
  checkText(c, v.deny, `${ptr}/deny`, 30, "plain");
  if (v.style !== undefined && v.style !== "primary" && v.style !== "danger") {
    c.add("must be a valid enum value (primary, danger)", `${ptr}/style`);
  }
}

function checkOption(c: Collector, v: unknown, ptr: string, textMax = 75): void {
  if (!isObj(v)) {
    c.add("must provide an object", ptr);
    return;
  }
  checkText(c, v.text, `${ptr}/text`, textMax, "any");
  checkString(c, v.value, `${ptr}/value`, 150, true);
  checkText(c, v.description, `${ptr}/description`, 75, "any", false);
  checkString(c, v.url, `${ptr}/url`, 3000, false);
}

function checkOptions(c: Collector, v: unknown, ptr: string, max: number, required: boolean, min = 1): void {
  if (v === undefined) {
    if (required) c.add("missing required field: options", ptr);
    return;
  }
  if (!Array.isArray(v)) {
    c.add("must provide an array", ptr);
    return;
  }
  if (v.length > max) c.add(`no more than ${max} items allowed`, ptr);
  if (v.length < min) c.add(`must provide at least ${min} item${min === 1 ? "" : "s"}`, ptr);
  v.forEach((o, i) => {
    checkOption(c, o, `${ptr}/${i}`);
  });
}

const SELECT_TYPES = new Set([
  "static_select",
  "external_select",
  "users_select",
  "conversations_select",
  "channels_select",
  "multi_static_select",
  "multi_external_select",
  "multi_users_select",
  "multi_conversations_select",
  "multi_channels_select",
]);

const INTERACTIVE_TYPES = new Set([
  "button",
  "overflow",
  "datepicker",
  "timepicker",
  "datetimepicker",
  "checkboxes",
  "radio_buttons",
  "plain_text_input",
  "email_text_input",
  "url_text_input",
  "number_input",
  "rich_text_input",
  "file_input",
  "workflow_button",
  ...SELECT_TYPES,
]);

/** Validates an interactive element (or an image element where `allowImage`). */
function checkElement(c: Collector, v: unknown, ptr: string, allowImage: boolean): void {
  if (!isObj(v)) {
    c.add("must provide an object", ptr);
    return;
  }
  const type = v.type;
  if (typeof type !== "string") {
    c.add("missing required field: type", ptr);
    return;
  }
  if (type === "image") {
    if (!allowImage) c.add("must be a valid enum value", `${ptr}/type`);
    checkImageSource(c, v, ptr);
    return;
  }
  if (!INTERACTIVE_TYPES.has(type)) {
    c.add(`must be a valid enum value (unsupported element type ${type})`, `${ptr}/type`);
    return;
  }
  checkId(c, v.action_id, `${ptr}/action_id`);
  checkConfirm(c, v.confirm, `${ptr}/confirm`);
  if (type === "button") {
    checkText(c, v.text, `${ptr}/text`, 75, "plain");
    checkString(c, v.value, `${ptr}/value`, 2000, false);
    checkString(c, v.url, `${ptr}/url`, 3000, false);
    checkString(c, v.accessibility_label, `${ptr}/accessibility_label`, 75, false);
    if (v.style !== undefined && v.style !== "primary" && v.style !== "danger") {
      c.add("must be a valid enum value (primary, danger)", `${ptr}/style`);
    }
    return;
  }
  if (type === "overflow") {
    checkOptions(c, v.options, `${ptr}/options`, 5, true, 1);
    return;
  }
  if (type === "checkboxes" || type === "radio_buttons") {
    checkOptions(c, v.options, `${ptr}/options`, 10, true, 1);
    return;
  }
  if (SELECT_TYPES.has(type)) {
    checkText(c, v.placeholder, `${ptr}/placeholder`, 150, "plain", false);
    if (type === "static_select" || type === "multi_static_select") {
      if (v.options === undefined && v.option_groups === undefined) {
        c.add("must provide either options or option_groups", ptr);
      }
      checkOptions(c, v.options, `${ptr}/options`, 100, false);
      if (v.option_groups !== undefined) {
        if (!Array.isArray(v.option_groups)) c.add("must provide an array", `${ptr}/option_groups`);
        else {
          if (v.option_groups.length > 100) c.add("no more than 100 items allowed", `${ptr}/option_groups`);
          v.option_groups.forEach((g, i) => {
            const gp = `${ptr}/option_groups/${i}`;
            if (!isObj(g)) c.add("must provide an object", gp);
            else {
              checkText(c, g.label, `${gp}/label`, 75, "plain");
              checkOptions(c, g.options, `${gp}/options`, 100, true);
            }
          });
        }
      }
    }
    return;
  }
  if (type === "plain_text_input") {
    checkText(c, v.placeholder, `${ptr}/placeholder`, 150, "plain", false);
    checkString(c, v.initial_value, `${ptr}/initial_value`, 3000, false);
    return;
  }
  if (type === "number_input") {
    // is_decimal_allowed is required; initial/min/max are numeric strings (a JSON number is refused).
    if (typeof v.is_decimal_allowed !== "boolean") {
      c.add("missing required field: is_decimal_allowed", `${ptr}/is_decimal_allowed`);
    }
    for (const key of ["initial_value", "min_value", "max_value"] as const) {
      const value = v[key];
      if (value === undefined) continue;
      if (typeof value !== "string" || !/^-?\d+(\.\d+)?$/.test(value)) {
        c.add("must be a string holding a number", `${ptr}/${key}`);
      }
    }
    if (
      typeof v.min_value === "string" &&
      typeof v.max_value === "string" &&
      Number(v.min_value) > Number(v.max_value)
    ) {
      c.add("min_value cannot be greater than max_value", `${ptr}/min_value`);
    }
  }
  if ("placeholder" in v) checkText(c, v.placeholder, `${ptr}/placeholder`, 150, "plain", false);
}

function checkImageSource(c: Collector, v: Obj, ptr: string): void {
  if (v.image_url === undefined && v.slack_file === undefined) {
    c.add("must provide either image_url or slack_file", ptr);
  }
  checkString(c, v.image_url, `${ptr}/image_url`, 3000, false);
  checkString(c, v.alt_text, `${ptr}/alt_text`, 2000, true);
}

function checkElementArray(
  c: Collector,
  v: unknown,
  ptr: string,
  max: number,
  each: (el: unknown, p: string) => void,
): void {
  if (!Array.isArray(v)) {
    c.add(v === undefined ? "missing required field: elements" : "must provide an array", ptr);
    return;
  }
  if (v.length === 0) c.add("must provide at least 1 item", ptr);
  if (v.length > max) c.add(`no more than ${max} items allowed`, ptr);
  const seen = new Set<string>();
  v.forEach((el, i) => {
    const p = `${ptr}/${i}`;
    each(el, p);
    if (isObj(el) && typeof el.action_id === "string") {
      if (seen.has(el.action_id)) c.add(`duplicate action_id: ${el.action_id}`, `${p}/action_id`);
      seen.add(el.action_id);
    }
  });
}

function checkBlock(c: Collector, block: unknown, ptr: string): void {
  if (!isObj(block)) {
    c.add("must provide an object", ptr);
    return;
  }
  checkId(c, block.block_id, `${ptr}/block_id`);
  switch (block.type) {
    case "section": {
      if (block.text === undefined && block.fields === undefined) {
        c.add("must provide either text or fields", ptr);
      }
      checkText(c, block.text, `${ptr}/text`, 3000, "any", false);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) c.add("must provide an array", `${ptr}/fields`);
        else {
          if (block.fields.length > 10) c.add("no more than 10 items allowed", `${ptr}/fields`);
          if (block.fields.length === 0) c.add("must provide at least 1 item", `${ptr}/fields`);
          block.fields.forEach((f, i) => {
            checkText(c, f, `${ptr}/fields/${i}`, 2000, "any");
          });
        }
      }
      if (block.accessory !== undefined) checkElement(c, block.accessory, `${ptr}/accessory`, true);
      return;
    }
    case "header":
      checkText(c, block.text, `${ptr}/text`, 150, "plain");
      return;
    case "divider":
      return;
    case "context":
      checkElementArray(c, block.elements, `${ptr}/elements`, 10, (el, p) => {
        if (isObj(el) && el.type === "image") checkImageSource(c, el, p);
        else checkText(c, el, p, 3000, "any");
      });
      return;
    case "actions":
      checkElementArray(c, block.elements, `${ptr}/elements`, 25, (el, p) => {
        checkElement(c, el, p, false);
      });
      return;
    case "image":
      checkImageSource(c, block, ptr);
      checkText(c, block.title, `${ptr}/title`, 2000, "plain", false);
      return;
    case "input":
      checkText(c, block.label, `${ptr}/label`, 2000, "plain");
      checkText(c, block.hint, `${ptr}/hint`, 2000, "plain", false);
      if (block.element === undefined) c.add("missing required field: element", ptr);
      else checkElement(c, block.element, `${ptr}/element`, false);
      return;
    case "markdown":
      checkString(c, block.text, `${ptr}/text`, 12000, true, 1);
      return;
    case "rich_text":
      if (!Array.isArray(block.elements)) c.add("missing required field: elements", ptr);
      return;
    case "file":
      checkString(c, block.external_id, `${ptr}/external_id`, 255, true);
      return;
    case "video":
      checkString(c, block.video_url, `${ptr}/video_url`, 3000, true);
      checkString(c, block.alt_text, `${ptr}/alt_text`, 2000, true);
      checkText(c, block.title, `${ptr}/title`, 200, "plain");
      return;
    default:
      c.add(
        typeof block.type === "string"
          ? `must be a valid enum value (unknown block type ${block.type})`
          : "missing required field: type",
        `${ptr}/type`,
      );
  }
}

/** Returns Slack-style error strings; an empty array means Slack would accept the blocks. */
export function validateBlocks(blocks: unknown, options: BlockValidationOptions): string[] {
  const c = new Collector();
  const ptr = options.pointer ?? "/blocks";
  if (!Array.isArray(blocks)) {
    c.add("must provide an array", ptr);
    return c.errors;
  }
  if (blocks.length > options.maxBlocks) c.add(`no more than ${options.maxBlocks} items allowed`, ptr);
  const seen = new Set<string>();
  blocks.forEach((b, i) => {
    checkBlock(c, b, `${ptr}/${i}`);
    if (isObj(b) && typeof b.block_id === "string") {
      if (seen.has(b.block_id)) c.add(`duplicate block_id: ${b.block_id}`, `${ptr}/${i}/block_id`);
      seen.add(b.block_id);
    }
  });
  return c.errors;
}

/** Validates `blocks` inside each attachment (messages only; 50 per attachment). */
export function validateAttachmentBlocks(attachments: unknown): string[] {
  if (!Array.isArray(attachments)) return [];
  return attachments.flatMap((a, i) =>
    isObj(a) && a.blocks !== undefined
      ? validateBlocks(a.blocks, { maxBlocks: 50, pointer: `/attachments/${i}/blocks` })
      : [],
  );
}

/** Modal views: title/submit/close 24 chars, 100 blocks, callback_id 255, private_metadata 3000. */
export function validateView(view: unknown): string[] {
  const c = new Collector();
  if (!isObj(view)) {
    c.add("must provide an object", "/view");
    return c.errors;
  }
  if (view.type !== "modal" && view.type !== "home") {
    c.add("must be a valid enum value (modal, home)", "/view/type");
  }
  if (view.type === "modal") {
    checkText(c, view.title, "/view/title", 24, "plain");
    checkText(c, view.submit, "/view/submit", 24, "plain", false);
    checkText(c, view.close, "/view/close", 24, "plain", false);
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === "input");
    if (hasInput && view.submit === undefined)
      c.add("submit is required when an input block is present", "/view");
  }
  checkString(c, view.callback_id, "/view/callback_id", 255, false);
  checkString(c, view.private_metadata, "/view/private_metadata", 3000, false);
  checkString(c, view.external_id, "/view/external_id", 255, false);
  const errors = [...c.errors];
  errors.push(...validateBlocks(view.blocks, { maxBlocks: 100, pointer: "/view/blocks" }));
  return errors;
}
