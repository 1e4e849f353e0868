/**
 * URL fields the bot calls over HTTP (Slack's Web API, Flink REST, AWS endpoint overrides) take
 * http or https only: `javascript:`, `file:`, `ftp:` and the like are refused with the scheme named.
 * The value itself is never echoed (it may carry a password).
 */
import { z } from "zod";

export function httpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]{0,30}):/i.exec(value.trim())?.[1];
    return scheme !== undefined && !/^https?$/i.test(scheme)
      ? `scheme "${scheme.toLowerCase()}:" not allowed (http or https)`
      : "expected a URL like https://host:port/ (not a valid URL)";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `scheme "${url.protocol}" not allowed (http or https)`;
  }
  if (url.hostname === "") return "expected a URL with a host, like https://host:port/";
  return undefined;
}

/** A string that must be an http(s) URL; the problem is reported at the key's path. */
export function httpUrl() {
  return z.string().superRefine((value, ctx) => {
    const problem = httpUrlProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });
}
