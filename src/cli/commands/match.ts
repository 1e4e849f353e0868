/**
 * `runbook-bot match`: Slack message events as JSON Lines in, one JSON answer per line out.
 * Records are split on `\n` only (JSON Lines): a raw `\r` inside a record is JSON whitespace,
 * not a line break (a `\r\n` line end leaves a `\r` that JSON.parse ignores).
 */
import { StringDecoder } from "node:string_decoder";
import type { AppConfig } from "../../config/schema.ts";
import { matchEvent } from "../../core/intake/index.ts";
import type { CliIo } from "../io.ts";

/** The input's records: split on `\n` only, decoded as UTF-8 across chunk boundaries. */
export async function* jsonLines(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  for await (const chunk of input) {
    // Only the new text is searched for line ends (a long record costs one pass, not one per chunk).
    let from = pending.length;
    pending += typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer);
    let start = 0;
    for (let newline = pending.indexOf("\n", from); newline !== -1; newline = pending.indexOf("\n", from)) {
      yield pending.slice(start, newline);
      start = newline + 1;
      from = start;
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending.length > 0) yield pending;
}

export async function matchLines(config: AppConfig, io: CliIo): Promise<number> {
  const options = {
    allowHumanAlerts: config.slack.allowHumanAlerts,
    extraPatterns: config.alerts.extraPatterns,
    qualifiers: config.alerts.qualifiers,
  };
  for await (const line of jsonLines(io.stdin)) {
    if (line.trim() === "") {
      io.stdout.write(`${JSON.stringify({ error: "empty line: expected one JSON message event" })}\n`);
      continue;
    }
    let answer: unknown;
    try {
      const event: unknown = JSON.parse(line);
      answer = matchEvent(event, options);
    } catch (error) {
      const message =
        error instanceof SyntaxError
          ? `not JSON: ${error.message}`
          : error instanceof Error
            ? error.message
            : String(error);
      answer = { error: message };
    }
    io.stdout.write(`${JSON.stringify(answer)}\n`);
  }
  return 0;
}
