/** `runbook-bot match`: Slack message events as JSON Lines in, one JSON answer per line out. */
import { createInterface } from "node:readline";
import type { AppConfig } from "../../config/schema.ts";
import { matchEvent } from "../../core/intake/index.ts";
import type { CliIo } from "../io.ts";

export async function matchLines(config: AppConfig, io: CliIo): Promise<number> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  const options = {
    allowHumanAlerts: config.slack.allowHumanAlerts,
    extraPatterns: config.alerts.extraPatterns,
  };
  for await (const line of lines) {
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
