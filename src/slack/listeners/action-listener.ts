/**
 * Buttons: a proposal asks for an action; Preview shows its exact change to the clicker only; a
 * form button ("Choose…") opens the action's modal (form-listener.ts); Approve / Reject decide it;
 * Re-run diagnostics re-runs; Write post-incident posts the report into the thread. Every
 * interaction is acknowledged first; refusals go back to the person who clicked, and to the thread
 * when the service says so. Each click carries the channel it was pressed in: the service honours
 * buttons only in the allowed channels.
 */
import type { App, BlockAction, RespondFn } from "@slack/bolt";
import type { AppConfig } from "../../config/schema.ts";
import type { IncidentService, Outcome } from "../../engine/incident-service.ts";
import { errorMessage } from "../../engine/run-probe.ts";
import { storeRefusalOf } from "../../engine/store-alarm.ts";
import type { Logger } from "../../logger.ts";
import {
  APPROVE_ACTION_ID,
  PROPOSAL_ACTION_PREFIX,
  REJECT_ACTION_ID,
  REPORT_ACTION_ID,
  RERUN_ACTION_ID,
} from "../render/index.ts";
import { PREVIEW_ACTION_PREFIX } from "../render/proposal-buttons.ts";
import {
  type ActionLike,
  NO_CHANNEL_MESSAGE,
  originOf,
  parseJson,
  proposalOf,
  threadOf,
  unrecordedClickNote,
} from "./click-payload.ts";
import { tell } from "./command-listener.ts";
import { registerFormListeners } from "./form-listener.ts";

/**
 * The replica select that earlier versions put next to "Scale taskmanagers" (now a modal): still
 * honoured for messages posted before the upgrade.
 */
export const SCALE_CHOICE_ACTION_ID = "scale-choice";

export function registerActionListeners(
  app: App,
  deps: { config: AppConfig; service: IncidentService; logger: Logger },
): void {
  const { service, logger, config } = deps;
  const answer = (respond: RespondFn, body: BlockAction, work: () => Promise<Outcome>) =>
    service.during(async () => {
      try {
        const outcome = await work();
        if (!outcome.ok) await tell(respond, outcome.message, logger);
      } catch (error) {
        logger.error({ err: error }, "interaction failed");
        // The store unreachable (a database server down): nothing was recorded. The clicker hears
        // why, and the thread says what was not recorded (the store alarm cannot list the open
        // incidents while the store is down, but the click says where it was pressed).
        const down = storeRefusalOf(error);
        await tell(
          respond,
          down ? `Not done: ${down}.` : `Something went wrong: ${errorMessage(error)}`,
          logger,
        );
        const where = threadOf(body);
        if (down && where) {
          await service.noteInThread(where.channel, where.threadTs, unrecordedClickNote(body.user.id, down));
        }
      }
    });
  const invalid: Outcome = { ok: false, message: "This button's data is not valid; nothing was done." };
  // The channel allow-list fails closed: a click that does not say where it was pressed counts nowhere.
  const noChannel: Outcome = { ok: false, message: NO_CHANNEL_MESSAGE };

  app.action<BlockAction>(
    new RegExp(`^${PROPOSAL_ACTION_PREFIX}`),
    async ({ ack, body, action, respond }) => {
      await ack();
      const a = action as unknown as ActionLike;
      const proposal = proposalOf(parseJson(a.value));
      const channel = originOf(body);
      await answer(respond, body, async () => {
        if (!channel) return noChannel;
        if (!proposal) return invalid;
        return service.requestAction({
          incidentId: proposal.incidentId,
          proposal: { action: proposal.action, params: proposal.params },
          userId: body.user.id,
          channel,
          via: "button",
        });
      });
    },
  );

  // Preview: the answer (the exact change, or why there is none) always goes to the clicker only.
  app.action<BlockAction>(new RegExp(`^${PREVIEW_ACTION_PREFIX}`), async ({ ack, body, action, respond }) => {
    await ack();
    const a = action as unknown as ActionLike;
    const proposal = proposalOf(parseJson(a.value));
    const channel = originOf(body);
    await service.during(async () => {
      try {
        const outcome = !channel
          ? noChannel
          : proposal
            ? await service.previewAction({
                incidentId: proposal.incidentId,
                proposal: { action: proposal.action, params: proposal.params },
                userId: body.user.id,
                channel,
                via: "button",
              })
            : invalid;
        await tell(respond, outcome.message, logger);
      } catch (error) {
        logger.error({ err: error }, "preview failed");
        await tell(respond, `Something went wrong: ${errorMessage(error)}`, logger);
      }
    });
  });

  app.action<BlockAction>(SCALE_CHOICE_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    const a = action as unknown as ActionLike;
    const value = parseJson(a.selected_option?.value);
    const channel = originOf(body);
    await answer(respond, body, async () => {
      if (!channel) return noChannel;
      if (!value || typeof value.incidentId !== "string" || typeof value.replicas !== "number")
        return invalid;
      // Its options were never stored as proposals: only a replica count the runbook proposed counts.
      return service.requestAction({
        channel,
        via: "button",
        incidentId: value.incidentId,
        proposal: {
          action: "scale-taskmanagers",
          params: {
            namespace: config.pipeline.namespace,
            deployment: config.pipeline.taskmanagerDeployment,
            replicas: value.replicas,
          },
        },
        userId: body.user.id,
      });
    });
  });

  const requestIdOf = (action: unknown) => {
    const v = (action as ActionLike).value;
    return v && /^[A-Za-z0-9_-]{1,100}$/.test(v) ? v : undefined;
  };
  app.action<BlockAction>(APPROVE_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    const id = requestIdOf(action);
    const channel = originOf(body);
    await answer(respond, body, async () =>
      !channel ? noChannel : id ? service.approve(id, body.user.id, channel) : invalid,
    );
  });
  app.action<BlockAction>(REJECT_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    const id = requestIdOf(action);
    const channel = originOf(body);
    await answer(respond, body, async () =>
      !channel ? noChannel : id ? service.reject(id, body.user.id, channel) : invalid,
    );
  });
  app.action<BlockAction>(RERUN_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    const id = requestIdOf(action);
    const channel = originOf(body);
    await answer(respond, body, async () =>
      !channel ? noChannel : id ? service.rerun(id, body.user.id) : invalid,
    );
  });
  // Like `/runbook report`: the Markdown report as a file in the incident's thread.
  app.action<BlockAction>(REPORT_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    const id = requestIdOf(action);
    const channel = originOf(body);
    await answer(respond, body, async () =>
      !channel ? noChannel : id ? service.writeReport(id, body.user.id) : invalid,
    );
  });
  registerFormListeners(app, { service, logger });
}
