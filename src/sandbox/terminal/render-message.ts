/**
 * Slack messages (as the emulator stores them) as terminal text, with every button and select
 * numbered so that it can be pressed from the prompt.
 */

type Json = Record<string, unknown>;

export interface Pressable {
  readonly channel: string;
  readonly messageTs: string;
  readonly actionId: string;
  readonly blockId?: string;
  readonly label: string;
  readonly kind: "button" | "select";
  readonly options?: readonly { readonly label: string; readonly value: string }[];
}

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Slack mrkdwn and markup to plain terminal text. */
export function plainText(mrkdwn: string, userName: (id: string) => string = (id) => id): string {
  return mrkdwn
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, "$1")
    .replace(/<@([A-Z0-9_]+)>/g, (_m, id: string) => `@${userName(id)}`)
    .replace(/<#([A-Z0-9_]+)(\|([^>]*))?>/g, (_m, id: string, _x, name?: string) => `#${name ?? id}`)
    .replace(/<([^|>]+)\|([^>]+)>/g, "$2")
    .replace(/<(https?:[^>]+)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/:white_check_mark:/g, "✅")
    .replace(/:red_circle:/g, "🔴")
    .replace(/:warning:/g, "⚠️ ")
    .replace(/:information_source:/g, "ℹ️ ")
    .replace(/:x:/g, "❌")
    .replace(/:rotating_light:/g, "🚨")
    .replace(/:hourglass_flowing_sand:/g, "⏳")
    .replace(/:hourglass:/g, "⌛")
    .replace(/:lock:/g, "🔒")
    .replace(/:no_entry:/g, "⛔")
    .replace(/:ballot_box_with_check:/g, "☑️ ")
    .replace(/:repeat:/g, "🔁")
    .replace(/:arrows_counterclockwise:/g, "🔄")
    .replace(/:large_orange_circle:/g, "🟠")
    .replace(/:large_yellow_circle:/g, "🟡")
    .replace(/:large_red_circle:/g, "🔴")
    .replace(/:large_green_circle:/g, "🟢")
    .replace(/:memo:/g, "📝")
    .replace(/:gear:/g, "⚙️ ")
    .replace(/:eyes:/g, "👀")
    .replace(/:mag:/g, "🔍")
    .replace(/:ice_cube:/g, "🧊")
    .replace(/:sunny:/g, "☀️ ")
    .replace(/:no_entry_sign:/g, "🚫")
    .replace(/:grey_question:/g, "❔");
}

export function renderMessage(
  message: Json,
  press: (p: Pressable) => number,
  indent = "",
  userName: (id: string) => string = (id) => id,
): string {
  const textOf = (obj: unknown): string => (isObj(obj) ? plainText(str(obj.text), userName) : "");
  const lines: string[] = [];
  const channel = str(message.channel);
  const ts = str(message.ts);
  const blocks = Array.isArray(message.blocks) ? message.blocks : [];
  const push = (text: string) => {
    for (const line of text.split("\n")) lines.push(indent + line);
  };
  if (blocks.length === 0) {
    if (str(message.text)) push(plainText(str(message.text), userName));
    for (const a of Array.isArray(message.attachments) ? message.attachments : []) {
      if (!isObj(a)) continue;
      if (str(a.title)) push(`┃ ${plainText(str(a.title), userName)}`);
      if (str(a.text)) push(plainText(str(a.text), userName).replace(/^/gm, "┃ "));
    }
  }
  for (const block of blocks) {
    if (!isObj(block)) continue;
    const blockId = str(block.block_id) || undefined;
    switch (block.type) {
      case "header":
        push(`== ${textOf(block.text)} ==`);
        break;
      case "section": {
        if (block.text) push(textOf(block.text));
        const fields = Array.isArray(block.fields) ? block.fields : [];
        for (let i = 0; i < fields.length; i += 2) {
          push(
            fields
              .slice(i, i + 2)
              .map((f) => textOf(f).replace(/\n/g, " ").padEnd(38))
              .join(" "),
          );
        }
        break;
      }
      case "context":
        push(
          (Array.isArray(block.elements) ? block.elements : [])
            .map((e) => (isObj(e) && e.type !== "image" ? textOf(e) : ""))
            .filter(Boolean)
            .join("  ·  "),
        );
        break;
      case "divider":
        push("─".repeat(40));
        break;
      case "actions": {
        const parts: string[] = [];
        for (const el of Array.isArray(block.elements) ? block.elements : []) {
          if (!isObj(el)) continue;
          const actionId = str(el.action_id);
          if (el.type === "button") {
            const label = textOf(el.text);
            const n = press({
              channel,
              messageTs: ts,
              actionId,
              ...(blockId ? { blockId } : {}),
              label,
              kind: "button",
            });
            parts.push(`[${n}] ${label}`);
          } else if (el.type === "static_select") {
            const options = (Array.isArray(el.options) ? el.options : [])
              .filter(isObj)
              .map((o) => ({ label: textOf(o.text), value: str(o.value) }));
            const label = textOf(el.placeholder) || "choose";
            const n = press({
              channel,
              messageTs: ts,
              actionId,
              ...(blockId ? { blockId } : {}),
              label,
              kind: "select",
              options,
            });
            parts.push(
              `[${n}] ${label} (choose ${n} <${options.map((o) => o.label.split(" ")[0]).join("|")}>)`,
            );
          }
        }
        if (parts.length > 0) push(parts.join("   "));
        break;
      }
      default:
        break;
    }
  }
  for (const f of Array.isArray(message.files) ? message.files : []) {
    if (!isObj(f)) continue;
    const title = str(f.title) || str(f.name) || "file";
    const image = str(f.mimetype).startsWith("image/") || /\.(png|jpe?g|gif)$/i.test(str(f.name));
    push(`[${image ? "chart" : "file"}: ${plainText(title, userName)}]`);
  }
  return lines.join("\n");
}
