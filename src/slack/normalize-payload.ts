/**
 * Interaction payloads are normalised before Bolt reads them: Bolt reads `body.channel.id` of an
 * interaction whenever `channel` is not undefined, so a crafted `"channel": null` (or a string)
 * threw inside Bolt, before any listener, and the click was never acknowledged. A `channel` that
 * is not an object is dropped: the listeners then refuse the click as one without a channel (the
 * allow-list fails closed). Everything else is left as it came.
 */
const INTERACTIONS = new Set([
  "block_actions",
  "interactive_message",
  "block_suggestion",
  "dialog_submission",
]);

export function normalizeInteraction(body: unknown): unknown {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return body;
  const record = body as Record<string, unknown>;
  if (typeof record.type !== "string" || !INTERACTIONS.has(record.type)) return body;
  if (!("channel" in record) || (typeof record.channel === "object" && record.channel !== null)) return body;
  const { channel: _dropped, ...rest } = record;
  return rest;
}

/** Makes `app` normalise every incoming payload (see normalizeInteraction) before processing it. */
export function normalizeIncoming(app: { processEvent(event: { body: unknown }): Promise<void> }): void {
  const process = app.processEvent.bind(app);
  app.processEvent = (event) => process({ ...event, body: normalizeInteraction(event.body) });
}
