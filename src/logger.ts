/**
 * The one logger (pino). Secrets are redacted by key wherever they appear, and credentials in URLs
 * (user:password@, token=... in a query) are masked in the message and in every field.
 */
import { type Logger, pino } from "pino";
import { maskUrl, maskUrlsDeep } from "./core/mask-url.ts";

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
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT, censor: "[redacted]" },
    base: { app: "runbook-bot" },
    formatters: { log: (fields) => maskUrlsDeep(fields) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === "string" ? maskUrl(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  };
  return destination
    ? pino(options, destination as unknown as pino.DestinationStream)
    : pino(options, pino.destination(2));
}

export const silentLogger: Logger = pino({ level: "silent" });
