/**
 * `/runbook`: help, status, freeze / unfreeze (the kill switch), report (the post-incident
 * report), or run a runbook. Acknowledged at once; the work happens after the ack.
 */
import type { App, RespondFn } from "@slack/bolt";
import type { AppConfig } from "../../config/schema.ts";
import { findRunbook } from "../../core/catalog.ts";
import { parseRunbookCommand } from "../../core/command.ts";
import type { IncidentService } from "../../engine/incident-service.ts";
import { errorMessage } from "../../engine/run-probe.ts";
import type { Logger } from "../../logger.ts";
import { listRunbooks } from "../../runbooks/registry.ts";
import { ChannelFilter } from "../channel-filter.ts";
import { asKnownBlocks, renderError, renderRunbookList } from "../render/index.ts";
import { channelMention, commandPayloadProblem } from "./command-payload.ts";

export function registerCommandListener(
  app: App,
  deps: { config: AppConfig; service: IncidentService; logger: Logger },
): void {
  const name = deps.config.slack.command;
  const allowed = deps.config.slack.commandChannels;
  const commandChannels = allowed === undefined ? undefined : new ChannelFilter(allowed, app.client);
  app.command(deps.config.slack.command, ({ command, ack, respond }) =>
    deps.service.during(async () => {
      // A malformed or forged payload: a clear answer, nothing else (no incident, no store write).
      const problem = commandPayloadProblem(command);
      if (problem !== undefined) {
        deps.logger.warn({ problem }, `${name}: malformed payload refused`);
        await ack({
          response_type: "ephemeral",
          text: `:x: This ${name} request ${problem}; nothing was done.`,
        });
        return;
      }
      if (commandChannels !== undefined && !(await commandChannels.isIncidentChannel(command.channel_id))) {
        const where = (allowed ?? []).map(channelMention).join(", ");
        await ack({
          response_type: "ephemeral",
          text: `:x: \`${name}\` answers only in ${where}; nothing was done here.`,
        });
        return;
      }
      const parsed = parseRunbookCommand(command.text);
      switch (parsed.kind) {
        case "help": {
          const m = renderRunbookList(
            listRunbooks().map((r) => ({ ...findRunbook(r.id)!, automated: r.automated })),
          );
          await ack({ response_type: "ephemeral", text: m.text, blocks: asKnownBlocks(m.blocks) });
          return;
        }
        case "status": {
          const open = await deps.service.openIncidents();
          const text =
            open.length === 0
              ? "No open incidents."
              : `${open.length} open incident(s):\n${open
                  .map(
                    (i) =>
                      `• *${i.alertName}* (${i.runbookId}) in <#${i.channel}> since <!date^${Math.floor(i.openedAt.getTime() / 1000)}^{date_short_pretty} {time}|${i.openedAt.toISOString()}>, fired ${i.fireCount}x`,
                  )
                  .join("\n")}`;
          await ack({ response_type: "ephemeral", text });
          return;
        }
        case "freeze":
        case "unfreeze": {
          // The answer goes to the person; the change (or the refusal) is one line in the channel.
          await ack();
          try {
            const outcome =
              parsed.kind === "freeze"
                ? await deps.service.freeze(command.channel_id, command.user_id, parsed.reason)
                : await deps.service.unfreeze(command.channel_id, command.user_id);
            if (outcome.channelLine !== undefined) {
              await respond({ response_type: "in_channel", text: outcome.channelLine });
            }
            await tell(respond, outcome.message, deps.logger);
          } catch (error) {
            deps.logger.warn({ err: error }, `/runbook ${parsed.kind} failed`);
            await tell(respond, `Could not ${parsed.kind}: ${errorMessage(error)}`, deps.logger);
          }
          return;
        }
        case "report": {
          // The ack says it is on its way; the report itself is a file in the incident's thread.
          await ack({ response_type: "ephemeral", text: "Writing the post-incident report…" });
          try {
            const outcome = await deps.service.writeReport(
              parsed.incidentId ?? { channel: command.channel_id },
              command.user_id,
            );
            if (!outcome.ok) await tell(respond, outcome.message, deps.logger);
          } catch (error) {
            deps.logger.warn({ err: error }, "/runbook report failed");
            await tell(respond, `Could not write the report: ${errorMessage(error)}`, deps.logger);
          }
          return;
        }
        case "error": {
          const m = renderError(parsed.message);
          await ack({ response_type: "ephemeral", text: m.text, blocks: asKnownBlocks(m.blocks) });
          return;
        }
        case "run": {
          await ack();
          try {
            const outcome = await deps.service.runOnDemand(
              command.channel_id,
              parsed.runbook.id,
              command.user_id,
            );
            if (!outcome.ok) await tell(respond, outcome.message, deps.logger);
          } catch (error) {
            deps.logger.warn({ err: error, channel: command.channel_id }, "on-demand run failed to start");
            await tell(
              respond,
              `Could not start ${parsed.runbook.title} here: ${slackError(error)}`,
              deps.logger,
            );
          }
        }
      }
    }),
  );
}

export async function tell(respond: RespondFn, text: string, logger: Logger): Promise<void> {
  try {
    await respond({ response_type: "ephemeral", replace_original: false, text });
  } catch (error) {
    logger.warn({ err: error }, "could not answer the user");
  }
}

function slackError(error: unknown): string {
  const data = (error as { data?: { error?: string } }).data;
  if (data?.error === "not_in_channel" || data?.error === "channel_not_found") {
    return "the bot is not a member of this channel (invite it with /invite).";
  }
  return data?.error ?? errorMessage(error);
}
