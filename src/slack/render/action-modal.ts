/**
 * An action's form as a Slack modal: one input block per field (block_id = the field id, so that
 * `response_action: "errors"` lands on the field parse() named), the state the form was computed
 * from, and the tier. Also the two notice modals around it: "Reading the current state…" (opened at
 * once with the click's trigger_id, valid 3 s) and a refusal. Within the modal limits: title,
 * submit and close 24 chars, 100 blocks, private_metadata 3000, option text 75 and value 150.
 */
import type { KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import type { ActionForm, FormField } from "../../actions/action-form.ts";
import { cutText, truncateText } from "../../core/text/truncate-text.ts";
import { plain } from "./block-kit.ts";
import { truncateMrkdwn } from "./limits.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";

export const ACTION_FORM_CALLBACK_ID = "action-form";
/** The action_id of every field's element (one element per input block). */
export const FORM_VALUE_ACTION_ID = "value";

export const MODAL_LIMITS = {
  title: 24,
  button: 24,
  blocks: 100,
  privateMetadata: 3000,
  blockId: 255,
  label: 2000,
  hint: 2000,
  placeholder: 150,
  options: 100,
  optionText: 75,
  optionValue: 150,
  initialValue: 3000,
  sectionText: 3000,
} as const;

const short = (text: string, max: number) => plain(truncateText(text.replace(/\s+/g, " ").trim(), max));

function element(field: FormField): NonNullable<Extract<KnownBlock, { type: "input" }>["element"]> {
  switch (field.kind) {
    case "number":
      return {
        type: "number_input",
        action_id: FORM_VALUE_ACTION_ID,
        is_decimal_allowed: false,
        ...(field.initial === undefined ? {} : { initial_value: String(field.initial) }),
      };
    case "select": {
      const options: PlainTextOption[] = field.options
        .filter((o) => o.value.length <= MODAL_LIMITS.optionValue)
        .slice(0, MODAL_LIMITS.options)
        .map((o) => ({ text: short(o.label, MODAL_LIMITS.optionText), value: o.value }));
      const initial = options.find((o) => o.value === field.initial);
      return {
        type: "static_select",
        action_id: FORM_VALUE_ACTION_ID,
        placeholder: plain("Choose…"),
        options,
        ...(initial === undefined ? {} : { initial_option: initial }),
      };
    }
    case "text":
      return {
        type: "plain_text_input",
        action_id: FORM_VALUE_ACTION_ID,
        ...(field.placeholder === undefined
          ? {}
          : { placeholder: short(field.placeholder, MODAL_LIMITS.placeholder) }),
        ...(field.initial === undefined
          ? {}
          : { initial_value: cutText(field.initial, MODAL_LIMITS.initialValue) }),
        ...(field.maxLength === undefined ? {} : { max_length: field.maxLength }),
      };
    default: {
      const unknown: never = field;
      throw new Error(`unknown field kind: ${JSON.stringify(unknown)}`);
    }
  }
}

function inputBlock(field: FormField): KnownBlock {
  return {
    type: "input",
    block_id: cutText(field.id, MODAL_LIMITS.blockId),
    label: short(field.label, MODAL_LIMITS.label),
    ...(field.hint === undefined ? {} : { hint: short(field.hint, MODAL_LIMITS.hint) }),
    optional: field.optional === true,
    element: element(field),
  };
}

function section(text: string): KnownBlock {
  return { type: "section", text: { type: "mrkdwn", text: truncateMrkdwn(text, MODAL_LIMITS.sectionText) } };
}

export interface FormModalInput {
  readonly form: ActionForm;
  /** The action's title, e.g. "Roll back taskmanagers". */
  readonly actionTitle: string;
  /** The tier in words: "high risk: a second person approves". */
  readonly risk: string;
  /** From encodeFormMetadata (at most 3000 characters). */
  readonly privateMetadata: string;
}

export function renderFormModal(input: FormModalInput): ModalView {
  const { form } = input;
  const blocks: KnownBlock[] = [];
  if (form.intro !== undefined && form.intro.trim() !== "") blocks.push(section(escapeMrkdwn(form.intro)));
  const room = MODAL_LIMITS.blocks - blocks.length - 1;
  blocks.push(...form.fields.slice(0, room).map(inputBlock));
  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: truncateMrkdwn(
          `*${escapeMrkdwn(input.actionTitle)}* · ${escapeMrkdwn(input.risk)}. Submitting posts an approval request in the thread; nothing changes before it is approved.`,
          MODAL_LIMITS.sectionText,
        ),
      },
    ],
  });
  return {
    type: "modal",
    callback_id: ACTION_FORM_CALLBACK_ID,
    title: short(form.title, MODAL_LIMITS.title),
    submit: plain("Request"),
    close: plain("Cancel"),
    private_metadata: input.privateMetadata,
    blocks,
  };
}

/** A modal that only says something: "Reading the current state…", or why the form cannot open. */
export function renderNoticeModal(title: string, text: string): ModalView {
  return {
    type: "modal",
    title: short(title, MODAL_LIMITS.title),
    close: plain("Close"),
    blocks: [section(escapeMrkdwn(text))],
  };
}
