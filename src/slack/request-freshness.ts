/**
 * Slack's replay guard, both ways: a request whose `X-Slack-Request-Timestamp` differs from the
 * clock by more than 5 minutes is refused (401, like a bad signature). Bolt 5's verifySlackRequest
 * only refuses timestamps older than that; a signed timestamp from the future passed.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "../logger.ts";

export const MAX_SKEW_SECONDS = 5 * 60;

/** Why the timestamp header is refused, or undefined when it is within 5 minutes of `nowMs`. */
export function timestampProblem(header: string | string[] | undefined, nowMs: number): string | undefined {
  if (header === undefined) return undefined; // no timestamp: the signature check refuses it
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d{1,12}$/.test(value.trim())) return "timestamp is not a number of seconds";
  const skew = Number(value.trim()) - Math.floor(nowMs / 1000);
  if (skew > MAX_SKEW_SECONDS) return `timestamp is ${skew} s in the future (at most ${MAX_SKEW_SECONDS} s)`;
  if (skew < -MAX_SKEW_SECONDS) return `timestamp is ${-skew} s old (at most ${MAX_SKEW_SECONDS} s)`;
  return undefined;
}

/** Wraps a receiver's request listener: unfresh requests get 401 before the body is even read. */
export function refuseUnfreshRequests(
  listener: RequestListener,
  logger: Logger,
  now: () => number = Date.now,
): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const problem = timestampProblem(req.headers["x-slack-request-timestamp"], now());
    if (problem === undefined) {
      listener(req, res);
      return;
    }
    logger.warn({ problem }, "refused a Slack request: its timestamp is outside 5 minutes of the clock");
    req.resume();
    res.writeHead(401);
    res.end();
  };
}
