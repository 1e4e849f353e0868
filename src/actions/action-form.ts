/**
 * An action's form: the values a person may choose before requesting it (a replica count, a
 * revision, a size), as plain data that each surface renders (a Slack modal, the terminal). The
 * fields are computed from the proposal's params and, where the choices come from the platform
 * (rollout revisions, MSK brokers), from the current state through the ports. What comes back is
 * turned into params by the action's form and validated by the action's own parse().
 */
import type { ActionContext, JsonParams } from "./action-context.ts";

export interface FormOption {
  readonly value: string;
  readonly label: string;
}

interface FieldBase {
  /** The param path the field fills ("replicas", "limits.memory"): the key of its value and of its problems. */
  readonly id: string;
  readonly label: string;
  /** One line under the field: bounds, format, where the value came from. */
  readonly hint?: string;
  /** An empty field is allowed (it leaves the param out). */
  readonly optional?: boolean;
}

export type FormField =
  | (FieldBase & {
      readonly kind: "number";
      /** Bounds to show; parse() is the check (the hint says them, the surface may enforce them). */
      readonly min?: number;
      readonly max?: number;
      readonly initial?: number;
    })
  | (FieldBase & {
      readonly kind: "select";
      readonly options: readonly FormOption[];
      /** The value of the option chosen at first. */
      readonly initial?: string;
    })
  | (FieldBase & {
      readonly kind: "text";
      readonly placeholder?: string;
      readonly initial?: string;
      readonly maxLength?: number;
    });

export interface ActionForm {
  /** Short (a modal title holds 24 characters): "Scale taskmanagers". */
  readonly title: string;
  /** What the choice changes, and the state it starts from (mrkdwn-free plain text). */
  readonly intro?: string;
  readonly fields: readonly FormField[];
}

/** Submitted values by field id; undefined or "" for a field left empty. */
export type FormValues = Readonly<Record<string, string | undefined>>;

export interface ActionFormSpec {
  /** The label of the button that opens the form next to a proposal: "Other replica count…". */
  readonly buttonLabel: string;
  /** True when the proposal lacks the value the form asks for: its own button opens the form. */
  needsValue(params: JsonParams): boolean;
  /** The fields, initial values from the proposal's params; may read the current state (ports). */
  describe(params: JsonParams, ctx: ActionContext): Promise<ActionForm>;
  /** The submitted values over the proposal's params: the raw params for the action's parse(). */
  toParams(values: FormValues, base: JsonParams): JsonParams;
  /**
   * Beginnings of parse() problems that belong to a field, by field id, besides `<id>:` (e.g.
   * "buffer size" for the Firehose check, which does not name the param).
   */
  readonly problemPrefixes?: Readonly<Record<string, readonly string[]>>;
}

/** A submitted value, trimmed; undefined when empty. */
export function submittedValue(values: FormValues, id: string): string | undefined {
  const v = values[id]?.trim();
  return v === undefined || v === "" ? undefined : v;
}

/** A number where the text is one ("8", "-1", "2.5"), else the text as given (parse() then says what is wrong). */
export function numberOrText(text: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/** `base` with `id` set to the submitted number (or the text that is not one); unchanged when empty. */
export function withNumber(base: JsonParams, values: FormValues, id: string): JsonParams {
  const v = submittedValue(values, id);
  return v === undefined ? base : { ...base, [id]: numberOrText(v) };
}

/**
 * parse() problems placed on the fields they name (`limits.memory: ...` on field limits.memory,
 * or a field's own prefixes); a problem naming no field goes to the first one, so none is lost.
 */
export function problemsByField(
  fieldIds: readonly string[],
  problems: readonly string[],
  prefixes: Readonly<Record<string, readonly string[]>> = {},
): Record<string, string> {
  const out: Record<string, string[]> = {};
  const first = fieldIds[0];
  for (const problem of problems) {
    const field = fieldIds.find(
      (id) =>
        problem.startsWith(`${id}:`) ||
        problem.startsWith(`${id}.`) ||
        (prefixes[id] ?? []).some((p) => problem.startsWith(p)),
    );
    const id = field ?? first;
    if (id === undefined) continue;
    const list = out[id] ?? [];
    list.push(problem);
    out[id] = list;
  }
  return Object.fromEntries(Object.entries(out).map(([id, list]) => [id, list.join("; ")]));
}
