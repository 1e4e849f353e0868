/**
 * Slack fills in a `block_id` for every block posted without one, and an `action_id` for every
 * interactive element without one; the payloads of later clicks carry those generated ids.
 * The emulator does the same, deterministically (a hash of the position and content).
 */
import { createHash } from "node:crypto";
import type { JsonObject } from "./types.ts";

const isObj = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

function shortId(seed: string, length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const digest = createHash("sha1").update(seed).digest();
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[(digest[i] ?? 0) % alphabet.length];
  return out;
}

function fillElement(el: unknown, seed: string): unknown {
  if (!isObj(el) || el.type === "image" || el.type === "plain_text" || el.type === "mrkdwn") return el;
  if (el.action_id !== undefined) return el;
  return { ...el, action_id: shortId(`${seed}:${JSON.stringify(el)}`, 4) };
}

export function fillBlockIds(blocks: JsonObject[], seed: string): JsonObject[] {
  return blocks.map((block, i) => {
    const blockSeed = `${seed}/${i}:${JSON.stringify(block)}`;
    const out: JsonObject = { ...block };
    if (out.block_id === undefined) out.block_id = shortId(blockSeed, 5);
    if (out.type === "actions" && Array.isArray(out.elements)) {
      out.elements = out.elements.map((el, j) => fillElement(el, `${blockSeed}/${j}`));
    }
    if (out.type === "section" && out.accessory !== undefined) {
      out.accessory = fillElement(out.accessory, `${blockSeed}/accessory`);
    }
    if (out.type === "input" && out.element !== undefined) {
      out.element = fillElement(out.element, `${blockSeed}/element`);
    }
    return out;
  });
}

export function fillAttachmentIds(attachments: JsonObject[], seed: string): JsonObject[] {
  return attachments.map((a, i) => {
    const out: JsonObject = { id: i + 1, ...a };
    if (Array.isArray(a.blocks)) out.blocks = fillBlockIds(a.blocks as JsonObject[], `${seed}/att${i}`);
    return out;
  });
}
