/**
 * An action's form as a Slack modal, the notice modals, the private_metadata and the values read
 * back: every modal passes the emulator's view validation (Slack's limits), long content is cut to
 * them, and a submitted view gives back one value per field.
 */
import { describe, expect, it } from "vitest";
import type { ActionForm } from "../../../src/actions/action-form.ts";
import { validateView } from "../../../src/sandbox/slack-emulator/index.ts";
import { decodeFormMetadata, encodeFormMetadata, formValuesOf } from "../../../src/slack/form-submission.ts";
import {
  ACTION_FORM_CALLBACK_ID,
  MODAL_LIMITS,
  renderFormModal,
  renderNoticeModal,
} from "../../../src/slack/render/action-modal.ts";

const FORM: ActionForm = {
  title: "Taskmanager resources & more",
  intro: "Container taskmanager of flink-taskmanager <now> runs 4 pods & limits 8Gi.",
  fields: [
    { kind: "number", id: "replicas", label: "Replicas", min: 1, max: 12, initial: 8, hint: "1 to 12." },
    {
      kind: "select",
      id: "toRevision",
      label: "Revision",
      options: [
        { value: "2", label: '2 · flink-job:1.4.2 · "deploy 1.4.2"' },
        { value: "1", label: "1 · flink-job:1.4.1 · no change-cause" },
      ],
      initial: "2",
    },
    {
      kind: "text",
      id: "limits.memory",
      label: "Memory limit",
      optional: true,
      initial: "12Gi",
      maxLength: 32,
    },
  ],
};

const render = (form: ActionForm = FORM) =>
  renderFormModal({
    form,
    actionTitle: "Set taskmanager resources",
    risk: "high risk: a second person approves",
    privateMetadata: '{"incidentId":"inc-1"}',
  });

describe("renderFormModal", () => {
  it("renders one input block per field, keyed by the field id, within Slack's modal limits", () => {
    const view = render();
    expect(validateView(view)).toEqual([]);
    expect(view).toMatchObject({
      type: "modal",
      callback_id: ACTION_FORM_CALLBACK_ID,
      title: { type: "plain_text", text: "Taskmanager resources &…" },
      submit: { type: "plain_text", text: "Request" },
      close: { type: "plain_text", text: "Cancel" },
      private_metadata: '{"incidentId":"inc-1"}',
    });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    const [intro, replicas, revision, memory, note] = view.blocks;
    expect(intro).toEqual({
      type: "section",
      text: {
        type: "mrkdwn",
        text: "Container taskmanager of flink-taskmanager &lt;now&gt; runs 4 pods &amp; limits 8Gi.",
      },
    });
    expect(replicas).toEqual({
      type: "input",
      block_id: "replicas",
      label: { type: "plain_text", text: "Replicas", emoji: true },
      hint: { type: "plain_text", text: "1 to 12.", emoji: true },
      optional: false,
      element: { type: "number_input", action_id: "value", is_decimal_allowed: false, initial_value: "8" },
    });
    expect(revision).toMatchObject({
      block_id: "toRevision",
      element: {
        type: "static_select",
        action_id: "value",
        initial_option: { text: { text: '2 · flink-job:1.4.2 · "deploy 1.4.2"' }, value: "2" },
      },
    });
    expect(memory).toMatchObject({
      block_id: "limits.memory",
      optional: true,
      element: { type: "plain_text_input", initial_value: "12Gi", max_length: 32 },
    });
    expect(note).toMatchObject({ type: "context" });
    expect(JSON.stringify(note)).toContain(
      "*Set taskmanager resources* · high risk: a second person approves",
    );
  });

  it("cuts a select to 100 options of 75 characters, drops values over 150, and an initial that is not offered", () => {
    const options = Array.from({ length: 130 }, (_, i) => ({
      value: String(i),
      label: `revision ${i} ${"x".repeat(100)}`,
    }));
    const view = render({
      title: "Roll back",
      fields: [
        {
          kind: "select",
          id: "toRevision",
          label: "Revision",
          options: [{ value: "v".repeat(151), label: "too long a value" }, ...options],
          initial: "129",
        },
      ],
    });
    expect(validateView(view)).toEqual([]);
    const element = (
      view.blocks[0] as {
        element: { options: { text: { text: string }; value: string }[]; initial_option?: unknown };
      }
    ).element;
    expect(element.options).toHaveLength(MODAL_LIMITS.options);
    expect(element.options[0]?.value).toBe("0");
    expect(Math.max(...element.options.map((o) => o.text.text.length))).toBeLessThanOrEqual(75);
    expect(element.initial_option).toBeUndefined();
  });

  it("a form without intro or fields still makes a valid modal", () => {
    const view = render({ title: "x", fields: [] });
    expect(validateView(view)).toEqual([]);
    expect(view.blocks.map((b) => b.type)).toEqual(["context"]);
  });
});

describe("renderNoticeModal", () => {
  it("says something without inputs or submit", () => {
    const view = renderNoticeModal(
      "Set taskmanager resources",
      "Refused: buttons are not honoured in this channel.",
    );
    expect(validateView(view)).toEqual([]);
    expect(view.submit).toBeUndefined();
    expect(view.title.text).toBe("Set taskmanager resourc…");
  });
});

describe("form metadata", () => {
  const meta = {
    incidentId: "inc-abc",
    action: "rollback",
    params: { namespace: "flink", toRevision: 2 },
    channel: { channelId: "C1", channelName: "incidents" },
  };

  it("round-trips, and refuses what Slack would not keep or what is not ours", () => {
    const text = encodeFormMetadata(meta);
    expect(decodeFormMetadata(text)).toEqual(meta);
    expect(encodeFormMetadata({ ...meta, params: { big: "x".repeat(3000) } })).toBeUndefined();
    expect(decodeFormMetadata("not json")).toBeUndefined();
    expect(decodeFormMetadata('{"incidentId":"inc-1","action":"rollback","params":[]}')).toBeUndefined();
    expect(decodeFormMetadata('{"incidentId":"inc-1","action":"rollback","params":{}}')).toEqual({
      incidentId: "inc-1",
      action: "rollback",
      params: {},
    });
  });

  it("reads one value per input block from view.state.values, empty ones undefined", () => {
    const view = render();
    expect(
      formValuesOf({
        blocks: view.blocks,
        state: {
          values: {
            replicas: { value: { value: "6" } },
            toRevision: { value: { selected_option: { value: "1" } } },
            "limits.memory": { value: { value: null } },
          },
        },
      }),
    ).toEqual({ replicas: "6", toRevision: "1", "limits.memory": undefined });
  });
});
