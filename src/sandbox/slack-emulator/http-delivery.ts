/**
 * Delivery over HTTP, as Slack does it for apps with a Request URL: events as JSON, slash commands
 * as form fields, interactions as the form field `payload=<json>`; every request signed with
 * `X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:{ts}:{body}"))`.
 */
import { createHmac, randomUUID } from "node:crypto";
import { request } from "node:http";
import { stringify } from "node:querystring";
import type { DeliveryOptions, DeliveryResult, EnvelopeType, JsonObject } from "./types.ts";

export function slackSignature(signingSecret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestampSec}:${body}`).digest("hex")}`;
}

export interface EncodedDelivery {
  contentType: string;
  body: string;
}

export function encodeForHttp(type: EnvelopeType, payload: JsonObject): EncodedDelivery {
  if (type === "events_api") return { contentType: "application/json", body: JSON.stringify(payload) };
  if (type === "slash_commands") {
    return {
      contentType: "application/x-www-form-urlencoded",
      body: stringify(payload as Record<string, string>),
    };
  }
  return {
    contentType: "application/x-www-form-urlencoded",
    body: stringify({ payload: JSON.stringify(payload) }),
  };
}

export interface HttpDeliveryOptions {
  requestUrl: string;
  signingSecret: string;
  /** How long Slack waits for the answer (3 s); the request is abandoned a second later. */
  ackTimeoutMs: number;
}

export function signedHeaders(
  signingSecret: string,
  encoded: EncodedDelivery,
  options: DeliveryOptions,
): Record<string, string> {
  const nowSec = Math.floor(Date.now() / 1000);
  const mode = options.signature ?? "valid";
  const timestamp = mode === "stale" ? nowSec - 6 * 60 : mode === "future" ? nowSec + 6 * 60 : nowSec;
  const headers: Record<string, string> = {
    "content-type": encoded.contentType,
    "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    accept: "application/json,*/*",
    "x-slack-request-timestamp": String(timestamp),
  };
  if (mode !== "missing") {
    headers["x-slack-signature"] =
      mode === "bad"
        ? slackSignature(`${signingSecret}-wrong`, timestamp, encoded.body)
        : slackSignature(signingSecret, timestamp, encoded.body);
  }
  if ((options.retryAttempt ?? 0) > 0) {
    headers["x-slack-retry-num"] = String(options.retryAttempt);
    headers["x-slack-retry-reason"] = options.retryReason ?? "http_timeout";
  }
  return headers;
}

export function deliverOverHttp(
  config: HttpDeliveryOptions,
  type: EnvelopeType,
  payload: JsonObject,
  options: DeliveryOptions,
  eventId: string | undefined,
): Promise<DeliveryResult> {
  const encoded = encodeForHttp(type, payload);
  const headers = signedHeaders(config.signingSecret, encoded, options);
  headers["content-length"] = String(Buffer.byteLength(encoded.body));
  const deliveryId = randomUUID();
  const base = {
    transport: "http" as const,
    type,
    deliveryId,
    retryAttempt: options.retryAttempt ?? 0,
    retryReason: options.retryReason ?? "",
    ...(eventId !== undefined ? { eventId } : {}),
  };
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(config.requestUrl, { method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const ackMs = performance.now() - started;
        const text = Buffer.concat(chunks).toString("utf8");
        const status = res.statusCode ?? 0;
        let responsePayload: unknown;
        if (text.length > 0) {
          try {
            responsePayload = JSON.parse(text);
          } catch {
            responsePayload = text;
          }
        }
        resolve({
          ...base,
          acked: status >= 200 && status < 300 && ackMs <= config.ackTimeoutMs,
          ackMs,
          status,
          ...(responsePayload !== undefined ? { responsePayload } : {}),
        });
      });
    });
    req.setTimeout(config.ackTimeoutMs + 1000, () => {
      req.destroy(new Error("http_timeout"));
    });
    req.on("error", (err) => {
      resolve({ ...base, acked: false, error: err.message });
    });
    req.end(encoded.body);
  });
}
