/**
 * The three-step upload files.uploadV2 performs: files.getUploadURLExternal -> POST the bytes to
 * `upload_url` -> files.completeUploadExternal (shares the file into a channel or thread as a
 * message with `files`). Also reactions.add.
 */
import type { SlackState } from "./state.ts";
import type { JsonObject, StoredFile, StoredMessage } from "./types.ts";
import { botMessage, permalink } from "./web-api-chat.ts";
import {
  type ApiHandler,
  fail,
  jsonArg,
  lookupChannel,
  ok,
  str,
  type WebApiHost,
} from "./web-api-context.ts";

function fileObject(host: WebApiHost, f: StoredFile): JsonObject {
  const ext = f.filename.includes(".") ? (f.filename.split(".").pop() ?? "") : "";
  const base = host.baseUrl();
  return {
    id: f.id,
    created: 1_700_000_000,
    timestamp: 1_700_000_000,
    name: f.filename,
    title: f.title,
    mimetype: ext === "txt" || ext === "" ? "text/plain" : `application/${ext}`,
    filetype: ext || "text",
    user: host.identity.botUserId,
    size: f.bytes?.length ?? f.length,
    url_private: `${base}/files/${f.id}/${encodeURIComponent(f.filename)}`,
    url_private_download: `${base}/files/${f.id}/${encodeURIComponent(f.filename)}?download=1`,
    ...(f.altText ? { alt_txt: f.altText } : {}),
    ...(f.channel && f.messageTs ? { shares: { public: { [f.channel]: [{ ts: f.messageTs }] } } } : {}),
  };
}

const getUploadUrl: ApiHandler = (args, host) => {
  const filename = str(args.filename);
  const length = Number(str(args.length));
  if (!filename || !Number.isInteger(length) || length < 0) return fail("invalid_arguments");
  const id = host.nextId("F");
  const file: StoredFile = { id, filename, title: filename, length, uploaded: false, completed: false };
  const alt = str(args.alt_text);
  if (alt) file.altText = alt;
  const snippet = str(args.snippet_type);
  if (snippet) file.snippetType = snippet;
  host.state.files.set(id, file);
  return ok({ upload_url: `${host.baseUrl()}/upload/v1/${id}`, file_id: id });
};

/** Stores the bytes POSTed to an upload URL; false when the URL is unknown or already used. */
export function acceptUpload(state: SlackState, fileId: string, bytes: Buffer): boolean {
  const file = state.files.get(fileId);
  if (!file || file.uploaded) return false;
  file.bytes = bytes;
  file.uploaded = true;
  return true;
}

const completeUpload: ApiHandler = (args, host) => {
  const filesArg = jsonArg(args.files);
  if (!filesArg || "error" in filesArg || !Array.isArray(filesArg.value) || filesArg.value.length === 0) {
    return fail("invalid_arguments");
  }
  const entries = filesArg.value as JsonObject[];
  const files: StoredFile[] = [];
  for (const entry of entries) {
    const file = host.state.files.get(String(entry.id));
    if (!file?.uploaded || file.completed) return fail("file_not_found");
    files.push(file);
  }
  const channelId = str(args.channel_id) ?? str(args.channels);
  const threadTs = str(args.thread_ts);
  let message: StoredMessage | undefined;
  if (channelId) {
    const lookup = lookupChannel(host, channelId, true);
    if ("answer" in lookup) return lookup.answer;
    if (threadTs && !host.state.getMessage(lookup.channel.id, threadTs)) return fail("thread_not_found");
    entries.forEach((entry, i) => {
      const f = files[i];
      if (f && typeof entry.title === "string") f.title = entry.title;
    });
    message = botMessage(
      host,
      lookup.channel.id,
      { text: str(args.initial_comment) ?? "" },
      {
        subtype: "file_share",
        upload: true,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      },
    );
    for (const f of files) {
      f.channel = lookup.channel.id;
      f.messageTs = message.ts;
      if (threadTs) f.threadTs = threadTs;
    }
    message.files = files.map((f) => fileObject(host, f));
  }
  for (const f of files) f.completed = true;
  if (message) {
    host.state.addMessage(message);
    host.messagePosted(message);
  }
  return ok({
    files: files.map((f) => ({
      ...fileObject(host, f),
      ...(message ? { permalink: permalink(host, message.channel, message) } : {}),
    })),
  });
};

const reactionsAdd: ApiHandler = (args, host) => {
  const lookup = lookupChannel(host, args.channel, false);
  if ("answer" in lookup) return lookup.answer;
  const ts = str(args.timestamp);
  const name = str(args.name)?.replace(/^:|:$/g, "");
  if (!name) return fail("invalid_name");
  const message = ts ? host.state.getMessage(lookup.channel.id, ts) : undefined;
  if (!message) return fail("message_not_found");
  const reactions = message.reactions ?? [];
  const existing = reactions.find((r) => r.name === name);
  const me = host.identity.botUserId;
  if (existing?.users.includes(me)) return fail("already_reacted");
  if (existing) {
    existing.users.push(me);
    existing.count += 1;
  } else reactions.push({ name, users: [me], count: 1 });
  message.reactions = reactions;
  host.reactionAdded(me, name, message);
  return ok();
};

export const fileMethods: Record<string, ApiHandler> = {
  "files.getUploadURLExternal": getUploadUrl,
  "files.completeUploadExternal": completeUpload,
  "reactions.add": reactionsAdd,
};
