/**
 * Web API errors a person can fix, worded so that the log line says how: `not_in_channel` and
 * `channel_not_found` (the bot was never invited, or was removed) -> invite the bot in that channel.
 * `hintingThread` adds the hint to the message of such an error raised by a thread call, so every
 * place that logs it (the incident service's "thread update failed", the listeners) carries it.
 */
import type { ThreadPort } from "../ports/thread.ts";

/** The Web API error code of a failed call (`data.error` of @slack/web-api's platform errors). */
export function apiErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === "string" ? data.error : undefined;
}

/** What to do about an error code in a channel (`#incidents`, or its id), or undefined. */
export function apiErrorHint(code: string | undefined, channel: string): string | undefined {
  if (code === "not_in_channel" || code === "channel_not_found") {
    return `the bot is not a member of ${channel}: invite it with \`/invite @runbook-bot\` in ${channel}`;
  }
  return undefined;
}

/**
 * The same thread, whose calls that fail with a fixable error carry the hint in their message
 * (the error object is kept: its code and data stay as they were for whoever retries or reports).
 * `channelName` resolves an id to a name for the hint; without one the id is shown.
 */
export function hintingThread<T extends ThreadPort>(
  thread: T,
  channelName: (channelId: string) => Promise<string | undefined>,
): T {
  const names = new Map<string, string>();
  const label = async (channelId: string): Promise<string> => {
    const known = names.get(channelId);
    if (known !== undefined) return known;
    const name = await channelName(channelId).catch(() => undefined);
    const shown = name === undefined ? channelId : `#${name}`;
    if (name !== undefined) names.set(channelId, shown);
    return shown;
  };
  return new Proxy(thread, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (error) {
          const channel = args[0];
          const code = apiErrorCode(error);
          if (typeof channel === "string" && error instanceof Error && apiErrorHint(code, channel)) {
            const hint = apiErrorHint(code, await label(channel));
            if (hint !== undefined && !error.message.includes(hint))
              error.message = `${error.message}: ${hint}`;
          }
          throw error;
        }
      };
    },
  });
}
