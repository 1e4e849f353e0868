/**
 * The replica choice next to a "Scale taskmanagers" button: a select of every allowed replica
 * count (bounded by the configured maximum). Choosing one requests that scale.
 */
import type { Block, RenderedMessage } from "./render/index.ts";
import { PROPOSAL_ACTION_PREFIX } from "./render/index.ts";

export const SCALE_CHOICE_ACTION_ID = "scale-choice";

interface ButtonLike {
  readonly type: string;
  readonly action_id?: string;
  readonly value?: string;
}

export function withScaleChoice(
  message: RenderedMessage,
  incidentId: string,
  bounds: { readonly min: number; readonly max: number },
): RenderedMessage {
  const blocks = message.blocks.map((block): Block => {
    if (block.type !== "actions") return block;
    const scale = (block.elements as readonly ButtonLike[]).find(
      (e) => e.action_id?.startsWith(`${PROPOSAL_ACTION_PREFIX}scale-taskmanagers`) === true,
    );
    if (!scale?.value || block.elements.length >= 25) return block;
    let params: Record<string, unknown>;
    try {
      params = (JSON.parse(scale.value) as { params: Record<string, unknown> }).params;
    } catch {
      return block;
    }
    const current = typeof params.fromReplicas === "number" ? params.fromReplicas : undefined;
    const proposed = typeof params.replicas === "number" ? params.replicas : undefined;
    const options = [];
    for (let n = bounds.min; n <= bounds.max && options.length < 100; n++) {
      if (n === current) continue;
      options.push({
        text: { type: "plain_text", text: `${n} replicas` },
        // Option values are limited to 150 characters: the rest comes from the config.
        value: JSON.stringify({ incidentId, replicas: n }),
      });
    }
    if (options.length === 0) return block;
    const initial = options.find((o) => o.text.text === `${proposed} replicas`);
    const select = {
      type: "static_select",
      action_id: SCALE_CHOICE_ACTION_ID,
      placeholder: { type: "plain_text", text: "Other replica count…" },
      options,
      ...(initial ? { initial_option: initial } : {}),
    };
    return { ...block, elements: [...block.elements, select] } as unknown as Block;
  });
  return { ...message, blocks };
}
