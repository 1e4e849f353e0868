/**
 * The emulator's modal fidelity: number_input validated as Slack documents it (is_decimal_allowed
 * required, numeric strings, min <= max); untouched inputs submitted with their initial values (or
 * empty); and what the Slack client refuses to submit (a required field empty, a number that is not
 * whole where decimals are not allowed or outside the element's bounds, text over max_length).
 */
import { describe, expect, it } from "vitest";
import { clientSideErrors, validateView } from "../../../src/sandbox/slack-emulator/index.ts";
import { viewStateValues } from "../../../src/sandbox/slack-emulator/payloads.ts";
import type { JsonObject, StoredView } from "../../../src/sandbox/slack-emulator/types.ts";

const input = (blockId: string, element: JsonObject, optional = false): JsonObject => ({
  type: "input",
  block_id: blockId,
  label: { type: "plain_text", text: blockId },
  optional,
  element: { action_id: "value", ...element },
});

const option = (value: string) => ({ text: { type: "plain_text", text: `option ${value}` }, value });

const BLOCKS: JsonObject[] = [
  input("replicas", { type: "number_input", is_decimal_allowed: false, initial_value: "8", max_value: "12" }),
  input("revision", {
    type: "static_select",
    options: [option("1"), option("2")],
    initial_option: option("2"),
  }),
  input("memory", { type: "plain_text_input", max_length: 8 }, true),
  input("reason", { type: "plain_text_input" }),
];

function storedView(blocks: JsonObject[] = BLOCKS): StoredView {
  return { id: "V1", blocks, state: { values: {} } } as unknown as StoredView;
}

describe("validateView: number_input", () => {
  const modal = (element: JsonObject) => ({
    type: "modal",
    title: { type: "plain_text", text: "t" },
    submit: { type: "plain_text", text: "Go" },
    blocks: [input("n", { type: "number_input", ...element })],
  });

  it("accepts Slack's documented shape", () => {
    expect(
      validateView(modal({ is_decimal_allowed: false, initial_value: "4", min_value: "1", max_value: "12" })),
    ).toEqual([]);
  });

  it("refuses a missing is_decimal_allowed, numbers given as JSON numbers, and min above max", () => {
    expect(validateView(modal({}))).toEqual([
      "missing required field: is_decimal_allowed [json-pointer:/view/blocks/0/element/is_decimal_allowed]",
    ]);
    expect(validateView(modal({ is_decimal_allowed: false, initial_value: 4 }))).toEqual([
      "must be a string holding a number [json-pointer:/view/blocks/0/element/initial_value]",
    ]);
    expect(validateView(modal({ is_decimal_allowed: true, min_value: "5", max_value: "1" }))).toEqual([
      "min_value cannot be greater than max_value [json-pointer:/view/blocks/0/element/min_value]",
    ]);
  });
});

describe("viewStateValues", () => {
  it("gives every input block a state: typed values, initial values where untouched, else empty", () => {
    expect(viewStateValues(storedView(), { reason: "lag" })).toEqual({
      replicas: { value: { type: "number_input", value: "8" } },
      revision: { value: { type: "static_select", selected_option: option("2") } },
      memory: { value: { type: "plain_text_input", value: null } },
      reason: { value: { type: "plain_text_input", value: "lag" } },
    });
    expect(viewStateValues(storedView(), { revision: "1" }).revision).toEqual({
      value: { type: "static_select", selected_option: option("1") },
    });
  });
});

describe("clientSideErrors", () => {
  const errors = (values: Record<string, string>) =>
    clientSideErrors(storedView(), viewStateValues(storedView(), values));

  it("lets a complete, well-formed submission through", () => {
    expect(errors({ reason: "lag", memory: "12Gi" })).toEqual({});
  });

  it("refuses an empty required field, but not an empty optional one", () => {
    expect(errors({})).toEqual({ reason: "Please fill out this field." });
    expect(errors({ reason: "lag", replicas: "" })).toEqual({ replicas: "Please fill out this field." });
  });

  it("refuses what is not a whole number, or above the element's max_value", () => {
    expect(errors({ reason: "x", replicas: "4.5" })).toEqual({ replicas: "Enter a whole number." });
    expect(errors({ reason: "x", replicas: "many" })).toEqual({ replicas: "Enter a number." });
    expect(errors({ reason: "x", replicas: "13" })).toEqual({ replicas: "Enter a number of at most 12." });
  });

  it("refuses text longer than max_length", () => {
    expect(errors({ reason: "x", memory: "123456789" })).toEqual({ memory: "Enter at most 8 characters." });
  });
});
