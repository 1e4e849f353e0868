/**
 * Slack mrkdwn helpers: escaping of user/remote content, code blocks that cannot be closed
 * early, a small Markdown -> mrkdwn conversion for markdown evidence, mentions and dates.
 */

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Content for inside a ``` fence: escaped, and runs of backticks broken so they cannot close it. */
export function escapeCode(text: string): string {
  return escapeMrkdwn(text).replace(/`{3,}/g, (run) => run.split("").join("\u200b"));
}

/** A fenced code block around already-escaped content. */
export function fence(escapedContent: string): string {
  return `\`\`\`\n${escapedContent}\n\`\`\``;
}

/** Inline code: escaped, backticks swapped for a look-alike (inline code cannot contain them). */
export function inlineCode(text: string): string {
  return `\`${escapeMrkdwn(text).replace(/`/g, "ˋ")}\``;
}

/**
 * Bold text on one line: escaped, trimmed (Slack needs no space inside the asterisks), and
 * asterisks inside swapped for look-alikes so they cannot end the bold early.
 */
export function bold(text: string): string {
  const escaped = escapeMrkdwn(text).replace(/\*/g, "∗").replace(/\s+/g, " ").trim();
  return escaped === "" ? escaped : `*${escaped}*`;
}

/** A user mention for a Slack user id; anything that is not an id is shown as escaped text. */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9_]{2,}$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/**
 * A date Slack shows in the reader's own time zone, with an ISO fallback for clients that
 * cannot: `<!date^1710407520^{date_short_pretty} {time}|2024-03-14 09:12 UTC>`.
 */
export function slackDate(iso: string, format = "{date_short_pretty} {time}"): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^${format}|${fallback}>`;
}

/**
 * Markdown evidence -> mrkdwn: escapes &, <, >, then converts the common constructs
 * (`**bold**`, `~~strike~~`, `[text](https://…)`, `# heading`, `- item`). Fenced code is
 * left as code.
 */
export function markdownToMrkdwn(markdown: string): string {
  const parts = markdown.split(/(```[\s\S]*?```)/g);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `\`\`\`${escapeCode(part.slice(3, -3))}\`\`\``;
      return escapeMrkdwn(part)
        .replace(/\*\*(.+?)\*\*/g, "*$1*")
        .replace(/~~(.+?)~~/g, "~$1~")
        .replace(/\[([^\]\n|]+)\]\(((?:https?:\/\/|mailto:)[^)\s|]+)\)/g, "<$2|$1>")
        .replace(/^#{1,6}[ \t]+(.+)$/gm, "*$1*")
        .replace(/^([ \t]*)[-*][ \t]+/gm, "$1• ");
    })
    .join("");
}
