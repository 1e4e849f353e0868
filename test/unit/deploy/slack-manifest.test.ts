/**
 * slack-app-manifest.yml against the code: the scopes are exactly what the Web API calls and
 * the event listeners in src/slack need, the events cover the listeners, the command is the
 * config's default.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchema } from "../../../src/config/schema.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** Web API method -> bot scopes it needs. A method the code calls must be listed here. */
const METHOD_SCOPES: Record<string, readonly string[]> = {
  "chat.postMessage": ["chat:write"],
  "chat.update": ["chat:write"],
  "chat.postEphemeral": ["chat:write"],
  // Incident channels may be public or private.
  "conversations.info": ["channels:read", "groups:read"],
  "usergroups.users.list": ["usergroups:read"],
  "users.info": ["users:read"],
  "reactions.add": ["reactions:write"],
  // files.uploadV2 is the client's wrapper around the two Web API methods below (plus a POST of
  // the bytes to the upload URL, which needs no scope).
  "files.uploadV2": ["files:write"],
  "files.getUploadURLExternal": ["files:write"],
  "files.completeUploadExternal": ["files:write"],
  // Bolt calls it at start; it needs no scope.
  "auth.test": [],
  // Modals (opened with an interaction's trigger_id) need no scope, only interactivity.
  "views.open": [],
  "views.update": [],
};

/** Bolt event listener -> the manifest's bot events and their scopes (public and private channels). */
const EVENT_SUBSCRIPTIONS: Record<string, { events: readonly string[]; scopes: readonly string[] }> = {
  message: { events: ["message.channels", "message.groups"], scopes: ["channels:history", "groups:history"] },
};

interface Manifest {
  display_information: { name: string; description?: string };
  features: {
    bot_user: { display_name: string; always_online?: boolean };
    slash_commands: { command: string; description: string; usage_hint?: string; should_escape?: boolean }[];
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[]; user_events?: string[] };
    interactivity: { is_enabled: boolean };
    org_deploy_enabled: boolean;
    socket_mode_enabled: boolean;
    token_rotation_enabled: boolean;
  };
}

const manifest = parse(readFileSync(join(root, "slack-app-manifest.yml"), "utf8")) as Manifest;

function slackSources(): { file: string; text: string }[] {
  const dir = join(root, "src/slack");
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .map((f) => ({ file: `src/slack/${f}`, text: readFileSync(join(dir, f), "utf8") }));
}

const sources = slackSources();

/** Every `client.<group>.<method>(` (also `this.client...`, `app.client...`) and `apiCall("...")`. */
function webApiCalls(): Map<string, string[]> {
  const calls = new Map<string, string[]>();
  const add = (method: string, file: string) => calls.set(method, [...(calls.get(method) ?? []), file]);
  for (const { file, text } of sources) {
    for (const m of text.matchAll(/\bclient\s*\.\s*((?:[a-z][A-Za-z]*\s*\.\s*)+[a-z][A-Za-z0-9]*)\s*\(/g)) {
      add(m[1]!.replace(/\s+/g, ""), file);
    }
    for (const m of text.matchAll(/\bapiCall\s*\(\s*["'`]([^"'`]+)["'`]/g)) add(m[1]!, file);
  }
  return calls;
}

/** Bolt listener registrations: app.event("x"), app.message(...), app.command(...), app.action(...). */
function listeners(): { events: Set<string>; commands: number; interactive: number } {
  const events = new Set<string>();
  let commands = 0;
  let interactive = 0;
  for (const { text } of sources) {
    for (const m of text.matchAll(
      /\bapp\s*\.\s*(event|message|command|action|view|shortcut|options)\s*(?:<[^>]*>)?\s*\(\s*(?:["'`]([^"'`]+)["'`])?/g,
    )) {
      const kind = m[1]!;
      if (kind === "event") events.add(m[2] ?? "(not a literal)");
      else if (kind === "message") events.add("message");
      else if (kind === "command") commands += 1;
      else interactive += 1;
    }
  }
  return { events, commands, interactive };
}

const calls = webApiCalls();
const found = listeners();

function requiredScopes(): string[] {
  const scopes = new Set<string>();
  for (const method of calls.keys()) for (const s of METHOD_SCOPES[method] ?? []) scopes.add(s);
  for (const event of found.events) for (const s of EVENT_SUBSCRIPTIONS[event]?.scopes ?? []) scopes.add(s);
  if (found.commands > 0) scopes.add("commands");
  return [...scopes].sort();
}

describe("slack-app-manifest.yml", () => {
  it("has the manifest sections Slack requires", () => {
    expect(manifest.display_information.name).toBe("runbook-bot");
    expect(manifest.features.bot_user.display_name).toBeTruthy();
    expect(manifest.features.bot_user.always_online).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.org_deploy_enabled).toBe(false);
    expect(manifest.settings.token_rotation_enabled).toBe(false);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
    expect(manifest.settings.event_subscriptions.user_events).toBeUndefined();
  });

  it("finds the Web API calls in src/slack (the scan works)", () => {
    expect([...calls.keys()]).toEqual(expect.arrayContaining(["chat.postMessage", "chat.update"]));
  });

  it("knows the scope of every Web API method the code calls", () => {
    const unknown = [...calls.entries()]
      .filter(([method]) => METHOD_SCOPES[method] === undefined)
      .map(([method, files]) => `${method} (${[...new Set(files)].join(", ")})`);
    expect(unknown, "add these methods to METHOD_SCOPES and their scopes to the manifest").toEqual([]);
  });

  it("grants the scope of every Web API call", () => {
    const granted = new Set(manifest.oauth_config.scopes.bot);
    const missing = [...calls.keys()].flatMap((method) =>
      (METHOD_SCOPES[method] ?? []).filter((s) => !granted.has(s)).map((s) => `${method} needs ${s}`),
    );
    expect(missing).toEqual([]);
  });

  it("asks for exactly the scopes the code needs, no more", () => {
    const scopes = manifest.oauth_config.scopes.bot;
    expect(new Set(scopes).size, "duplicate scopes").toBe(scopes.length);
    expect([...scopes].sort()).toEqual(requiredScopes());
  });

  it("subscribes to exactly the events the listeners handle", () => {
    const unknown = [...found.events].filter((e) => EVENT_SUBSCRIPTIONS[e] === undefined);
    expect(unknown, "add these listeners to EVENT_SUBSCRIPTIONS").toEqual([]);
    expect(found.events.has("message")).toBe(true);
    const expected = [...found.events].flatMap((e) => EVENT_SUBSCRIPTIONS[e]?.events ?? []).sort();
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(expected);
  });

  it("registers the config's default slash command, the one the listener uses", () => {
    expect(found.commands).toBe(1);
    const listener = sources.find((s) => s.file === "src/slack/listeners/command-listener.ts");
    expect(listener?.text).toMatch(/app\.command\(\s*deps\.config\.slack\.command\s*,/);
    const defaults = configSchema.parse({});
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([defaults.slack.command]);
    expect(manifest.features.slash_commands[0]?.description.length).toBeLessThanOrEqual(100);
  });

  it("enables interactivity for the buttons", () => {
    expect(found.interactive).toBeGreaterThan(0);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it("uses Socket Mode like the config's default slack.mode", () => {
    expect(configSchema.parse({}).slack.mode).toBe("socket");
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });
});
