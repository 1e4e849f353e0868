/**
 * What the Slack client checks before it sends a view_submission at all: a required input left
 * empty, a number_input that is not a number (or a decimal where `is_decimal_allowed` is false, or
 * outside min_value..max_value), a plain_text_input shorter than min_length or longer than
 * max_length. The person sees the message under the field and nothing reaches the app.
 */
import type { JsonObject, StoredView } from "./types.ts";

const isObj = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Thrown by submitView when the client would not submit: the messages by block_id. */
export class ViewSubmissionRefused extends Error {
  override readonly name = "ViewSubmissionRefused";
  constructor(readonly errors: Readonly<Record<string, string>>) {
    super(`the Slack client would not submit: ${JSON.stringify(errors)}`);
  }
}

function isEmpty(state: JsonObject | undefined): boolean {
  if (state === undefined) return true;
  if ("selected_option" in state) return !isObj(state.selected_option);
  if ("selected_options" in state)
    return !Array.isArray(state.selected_options) || state.selected_options.length === 0;
  for (const key of [
    "value",
    "selected_user",
    "selected_conversation",
    "selected_channel",
    "selected_date",
    "selected_time",
  ]) {
    if (key in state) return state[key] === null || state[key] === undefined || state[key] === "";
  }
  return false;
}

function numberProblem(el: JsonObject, text: string): string | undefined {
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) return "Enter a number.";
  const n = Number(text);
  if (el.is_decimal_allowed !== true && !Number.isInteger(n)) return "Enter a whole number.";
  const min = typeof el.min_value === "string" ? Number(el.min_value) : undefined;
  const max = typeof el.max_value === "string" ? Number(el.max_value) : undefined;
  if (min !== undefined && n < min) return `Enter a number of at least ${el.min_value}.`;
  if (max !== undefined && n > max) return `Enter a number of at most ${el.max_value}.`;
  return undefined;
}

function textProblem(el: JsonObject, text: string): string | undefined {
  const length = [...text].length;
  if (typeof el.min_length === "number" && length < el.min_length) {
    return `Enter at least ${el.min_length} characters.`;
  }
  if (typeof el.max_length === "number" && length > el.max_length) {
    return `Enter at most ${el.max_length} characters.`;
  }
  return undefined;
}

/** The client's messages by block_id for `values` (view.state.values); empty when it would submit. */
export function clientSideErrors(
  view: StoredView,
  values: Readonly<Record<string, Readonly<Record<string, JsonObject>>>>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const block of view.blocks) {
    if (block.type !== "input" || !isObj(block.element) || typeof block.block_id !== "string") continue;
    const el = block.element;
    const state = values[block.block_id]?.[String(el.action_id)];
    if (isEmpty(state)) {
      if (block.optional !== true) errors[block.block_id] = "Please fill out this field.";
      continue;
    }
    const text = typeof state?.value === "string" ? state.value : undefined;
    if (text === undefined) continue;
    const problem =
      el.type === "number_input"
        ? numberProblem(el, text)
        : el.type === "plain_text_input"
          ? textProblem(el, text)
          : undefined;
    if (problem !== undefined) errors[block.block_id] = problem;
  }
  return errors;
}
