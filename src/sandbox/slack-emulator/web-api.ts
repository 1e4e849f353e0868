/**
 * The Web API front door, `POST /api/<method>`: parses form, JSON and multipart bodies, checks the
 * token (Authorization: Bearer, or the `token` form field), routes to the method handlers and
 * records every call. Like Slack, errors are HTTP 200 with `{ok:false, error}`, except rate limits (429).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { FaultPlan } from "./faults.ts";
import type { MethodHold } from "./method-hold.ts";
import { mediaType, parseForm, parseMultipart, readBody, sendJson } from "./request-body.ts";
import type { JsonObject, RecordedCall } from "./types.ts";
import { chatMethods } from "./web-api-chat.ts";
import { type ApiAnswer, type ApiHandler, fail, ok, type WebApiHost } from "./web-api-context.ts";
import { directoryMethods } from "./web-api-directory.ts";
import { fileMethods } from "./web-api-files.ts";
import { viewMethods } from "./web-api-views.ts";

export interface WebApiTokens {
  botToken: string;
  appToken: string;
}

const appsConnectionsOpen: ApiHandler = (_args, host) => {
  const ticket = host.issueSocketTicket();
  const wsBase = host.baseUrl().replace(/^http/, "ws");
  return ok({ url: `${wsBase}/socket?ticket=${ticket}&app_id=${host.identity.appId}` });
};

const apiTest: ApiHandler = (args) => ok({ args });

/** Methods that take the app-level token (xapp-); everything else takes the bot token. */
const APP_TOKEN_METHODS = new Set(["apps.connections.open"]);
const NO_TOKEN_METHODS = new Set(["api.test"]);

const METHODS: Record<string, ApiHandler> = {
  ...chatMethods,
  ...directoryMethods,
  ...viewMethods,
  ...fileMethods,
  "apps.connections.open": appsConnectionsOpen,
  "api.test": apiTest,
};

export const SUPPORTED_METHODS: readonly string[] = Object.keys(METHODS);

async function readArgs(req: IncomingMessage, url: URL): Promise<{ args: JsonObject; bodyToken?: string }> {
  const args: JsonObject = {};
  for (const [k, v] of url.searchParams) args[k] = v;
  if (req.method !== "POST") return { args };
  const raw = await readBody(req);
  const type = mediaType(req);
  if (type === "application/json") {
    const text = raw.toString("utf8");
    if (text.trim().length > 0) Object.assign(args, JSON.parse(text) as JsonObject);
    // Slack ignores a token inside a JSON body: it must come as a header.
    const { token: _ignored, ...rest } = args;
    return { args: rest };
  }
  if (type === "multipart/form-data") {
    for (const part of parseMultipart(raw, req.headers["content-type"] ?? "")) {
      args[part.name] = part.filename !== undefined ? part.data : part.data.toString("utf8");
    }
  } else {
    Object.assign(args, parseForm(raw.toString("utf8")));
  }
  const { token, ...rest } = args;
  return typeof token === "string" ? { args: rest, bodyToken: token } : { args: rest };
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

export class WebApi {
  readonly calls: RecordedCall[] = [];
  /** Test hook: methods answered with this error body instead of being run (see SlackEmulator.refuseMethod). */
  readonly refusals = new Map<string, JsonObject>();
  /** Test hook: methods whose calls wait unanswered until released (see SlackEmulator.holdMethod). */
  readonly holds = new Map<string, MethodHold>();
  /** Test hook: the next calls of a method fail as told (see SlackEmulator.failNext). */
  readonly faults = new FaultPlan();

  constructor(
    private readonly host: WebApiHost,
    private readonly tokens: WebApiTokens,
  ) {}

  private authorize(method: string, token: string | undefined): ApiAnswer | undefined {
    if (NO_TOKEN_METHODS.has(method)) return undefined;
    if (!token) return fail("not_authed");
    const wantsApp = APP_TOKEN_METHODS.has(method);
    const expected = wantsApp ? this.tokens.appToken : this.tokens.botToken;
    const other = wantsApp ? this.tokens.botToken : this.tokens.appToken;
    if (token === expected) return undefined;
    if (token === other) return fail("not_allowed_token_type");
    return fail("invalid_auth");
  }

  async handle(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    const time = Date.now();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let args: JsonObject = {};
    let token: string | undefined;
    let answer: ApiAnswer;
    try {
      const read = await readArgs(req, url);
      args = read.args;
      token = bearer(req) ?? read.bodyToken;
      await this.holds.get(method)?.wait();
      const handler = METHODS[method];
      if (!handler) answer = fail("unknown_method", { req_method: method });
      else {
        const refusal = this.refusals.get(method);
        answer =
          this.authorize(method, token) ??
          this.faults.take(method) ??
          (refusal ? fail(String(refusal.error), refusal) : handler(args, this.host));
      }
    } catch (err) {
      answer = fail("invalid_form_data", { detail: err instanceof Error ? err.message : String(err) });
    }
    const status = answer.status ?? 200;
    this.calls.push({
      method,
      body: args,
      contentType: req.headers["content-type"] ?? "",
      token,
      time,
      status,
      response: answer.body,
    });
    const headers = answer.headers ?? {};
    sendJson(res, status, answer.body, headers);
  }
}
