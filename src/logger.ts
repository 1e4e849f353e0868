/** The one logger (pino). Secrets are redacted by key wherever they appear. */
import { type Logger, pino } from "pino";

export type { Logger };

const REDACT = [
  "token",
  "*.token",
  "secrets",
  "*.secrets",
  "password",
  "*.password",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "signingSecret",
  "*.signingSecret",
  "appToken",
  "*.appToken",
  "botToken",
  "*.botToken",
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: "[redacted]" }, base: { app: "runbook-bot" } };
  return destination
    ? pino(options, destination as unknown as pino.DestinationStream)
    : pino(options, pino.destination(2));
}

export const silentLogger: Logger = pino({ level: "silent" });
