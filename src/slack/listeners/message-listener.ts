/**
 * Alert intake: every message event in an incident channel is matched against the nine alerts
 * (bot, app and webhook messages; people's messages only when allowed). At-least-once delivery is
 * made once by the store's seen-event record and the incident's dedupe key.
 */
import type { App } from "@slack/bolt";
import type { AppConfig } from "../../config/schema.ts";
import { isHumanMessage, matchEvent } from "../../core/intake/index.ts";
import type { IncidentService } from "../../engine/incident-service.ts";
import type { Logger } from "../../logger.ts";
import { noTelemetry, type Telemetry } from "../../ports/telemetry.ts";
import type { Store } from "../../store/store.ts";
import type { ChannelFilter } from "../channel-filter.ts";

interface MessageLike {
  readonly channel?: string;
  readonly ts?: string;
  readonly thread_ts?: string;
  readonly subtype?: string;
  readonly message?: {
    readonly ts?: string;
    readonly thread_ts?: string;
    readonly user?: string;
    readonly bot_id?: string;
  };
}

export function registerMessageListener(
  app: App,
  deps: {
    config: AppConfig;
    service: IncidentService;
    store: Store;
    channels: ChannelFilter;
    logger: Logger;
    telemetry?: Telemetry;
  },
): void {
  const telemetry = deps.telemetry ?? noTelemetry;
  const options = {
    allowHumanAlerts: deps.config.slack.allowHumanAlerts,
    extraPatterns: deps.config.alerts.extraPatterns,
    qualifiers: deps.config.alerts.qualifiers,
  };
  app.event("message", ({ event, body, context }) =>
    deps.service.during(async () => {
      const message = event as unknown as MessageLike;
      // Bolt's ignoreSelf drops the bot's own new messages but not edits of them (message_changed
      // carries the author inside event.message): the bot's status updates name alerts too.
      const edited = message.message;
      if (
        edited &&
        ((context.botUserId && edited.user === context.botUserId) ||
          (context.botId && edited.bot_id === context.botId))
      ) {
        return;
      }
      const channel = message.channel;
      if (!channel || !(await deps.channels.isIncidentChannel(channel))) return;
      const result = matchEvent(event, options);
      const eventId = (body as { event_id?: string }).event_id;
      // Counted once per delivery: a redelivery (its event id seen before) is not a new alert.
      const source = result.source ?? "webhook";
      if (result.matches.length === 0) {
        // A message from a tool that names none of the alerts: received, source unknown.
        if (!isHumanMessage((edited ?? message) as Record<string, unknown>))
          telemetry.alertReceived("unknown");
        return;
      }
      if (eventId && !(await deps.store.markEventSeen(eventId))) {
        deps.logger.debug({ eventId }, "redelivered event ignored");
        return;
      }
      telemetry.alertReceived(source);
      for (const match of result.matches) telemetry.alertMatched(source, match.runbook);
      const inner = message.subtype === "message_changed" ? message.message : message;
      const ts = inner?.thread_ts ?? inner?.ts ?? message.ts;
      if (!ts) return;
      for (const match of result.matches) {
        await deps.service.handleAlert({
          channel,
          messageTs: ts,
          alert: match.alert,
          runbookId: match.runbook,
          state: match.state,
          source,
        });
      }
    }),
  );
}
