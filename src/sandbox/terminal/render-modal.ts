/**
 * A modal (views.open / views.update) in the terminal: its title, text and fields, with what to
 * type to submit it. The terminal's equivalent of filling a Slack modal is
 * `submit field=value ...` (fields left out keep their initial value) or `cancel`.
 */
import type { StoredView } from "../slack-emulator/index.ts";

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const textOf = (t: unknown): string => (isObj(t) && typeof t.text === "string" ? t.text : "");

function fieldLine(block: Json): string {
  const el = isObj(block.element) ? block.element : {};
  const id = String(block.block_id);
  const label = textOf(block.label);
  const optional = block.optional === true ? ", optional" : "";
  const hint = textOf(block.hint);
  let now = "";
  let choices = "";
  if (el.type === "static_select") {
    const options = (Array.isArray(el.options) ? el.options : []).filter(isObj);
    choices = `\n        one of: ${options.map((o) => `${String(o.value)} (${textOf(o.text)})`).join(", ")}`;
    if (isObj(el.initial_option)) now = String(el.initial_option.value);
  } else if (typeof el.initial_value === "string") {
    now = el.initial_value;
  }
  const current = now === "" ? "" : ` = ${now}`;
  return `    ${id}${current}   ${label}${optional}${hint ? ` — ${hint}` : ""}${choices}`;
}

export function renderModal(view: StoredView): string {
  const lines = [`  ┌ ${textOf(view.title)} (a form; only you see it)`];
  const inputs: string[] = [];
  for (const block of view.blocks as Json[]) {
    if (block.type === "section")
      lines.push(
        `  │ ${textOf(block.text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&")}`,
      );
    else if (block.type === "context") {
      const texts = (Array.isArray(block.elements) ? block.elements : []).map(textOf).join(" ");
      lines.push(`  │ ${texts.replace(/\*/g, "")}`);
    } else if (block.type === "input") inputs.push(fieldLine(block));
  }
  if (inputs.length > 0) {
    lines.push("  │ Fields:", ...inputs);
    lines.push(
      `  └ submit ${inputs.length === 1 ? "<field>=<value>" : "<field>=<value> ..."}  (fields left out keep their value)  ·  cancel`,
    );
  } else {
    lines.push("  └ cancel  to close it");
  }
  return lines.join("\n");
}

/** `replicas=6 limits.memory=16Gi` -> { replicas: "6", "limits.memory": "16Gi" }; undefined when malformed. */
export function parseSubmitArgs(args: readonly string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) return undefined;
    out[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return out;
}
