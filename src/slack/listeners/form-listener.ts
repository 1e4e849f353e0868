/**
 * Modals for actions that take a value. A form button ("Choose revision…") is acknowledged, then a
 * "Reading the current state…" modal opens at once with the click's trigger_id (valid 3 s), and is
 * replaced by the action's form once the service has checked the click (channel allow-list, who may
 * request) and read the choices (rollout history, MSK brokers). On submission the values are checked
 * by the action's own parse(): problems go back as `response_action: "errors"` by block id (the
 * modal stays open); valid params go through requestAction like a proposal button, with the channel
 * the button was pressed in (from private_metadata), and the modal closes.
 */
import type { App, BlockAction, RespondFn, ViewSubmitAction } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { findAction } from "../../actions/registry.ts";
import type { IncidentService } from "../../engine/incident-service.ts";
import { errorMessage } from "../../engine/run-probe.ts";
import type { Logger } from "../../logger.ts";
import { decodeFormMetadata, encodeFormMetadata, formValuesOf } from "../form-submission.ts";
import { ACTION_FORM_CALLBACK_ID, renderFormModal, renderNoticeModal } from "../render/action-modal.ts";
import { FORM_ACTION_PREFIX } from "../render/proposal-buttons.ts";
import { type ActionLike, originOf, parseJson, proposalOf } from "./click-payload.ts";
import { tell } from "./command-listener.ts";

/** Slack's error code of a failed Web API call, else its message. */
function slackError(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === "string" ? data.error : errorMessage(error);
}

async function formView(
  service: IncidentService,
  input: Parameters<IncidentService["openForm"]>[0],
  title: string,
): Promise<ModalView> {
  if (input.channel === undefined) {
    return renderNoticeModal(
      title,
      "This button was not pressed in a channel: nothing can be requested from it.",
    );
  }
  const outcome = await service.openForm(input);
  if (!outcome.ok) return renderNoticeModal(title, outcome.message);
  const privateMetadata = encodeFormMetadata({
    incidentId: input.incidentId,
    action: input.proposal.action,
    params: input.proposal.params,
    channel: input.channel,
  });
  if (privateMetadata === undefined) {
    return renderNoticeModal(title, "This proposal's parameters are too large to travel with a form.");
  }
  return renderFormModal({
    form: outcome.form,
    actionTitle: outcome.title,
    risk: outcome.risk,
    privateMetadata,
  });
}

async function openForm(
  deps: { service: IncidentService; logger: Logger },
  client: WebClient,
  body: BlockAction,
  action: ActionLike,
  respond: RespondFn,
): Promise<void> {
  const proposal = proposalOf(parseJson(action.value));
  if (!proposal) {
    await tell(respond, "This button's data is not valid; nothing was done.", deps.logger);
    return;
  }
  const title = findAction(proposal.action)?.title ?? "Choose a value";
  let viewId: string | undefined;
  try {
    const opened = await client.views.open({
      trigger_id: body.trigger_id,
      view: renderNoticeModal(title, "Reading the current state…"),
    });
    viewId = opened.view?.id;
  } catch (error) {
    deps.logger.warn({ err: slackError(error), action: proposal.action }, "could not open a form");
    await tell(
      respond,
      `Could not open the form: ${slackError(error)}. Press the button again.`,
      deps.logger,
    );
    return;
  }
  const channel = originOf(body);
  const view = await formView(
    deps.service,
    {
      incidentId: proposal.incidentId,
      proposal: { action: proposal.action, params: proposal.params },
      userId: body.user.id,
      ...(channel ? { channel } : {}),
    },
    title,
  );
  try {
    if (viewId === undefined) throw new Error("views.open returned no view id");
    await client.views.update({ view_id: viewId, view });
  } catch (error) {
    deps.logger.warn({ err: slackError(error), action: proposal.action }, "could not show a form");
    await tell(respond, `Could not show the form: ${slackError(error)}.`, deps.logger);
  }
}

export function registerFormListeners(
  app: App,
  deps: { readonly service: IncidentService; readonly logger: Logger },
): void {
  const { service, logger } = deps;

  app.action<BlockAction>(
    new RegExp(`^${FORM_ACTION_PREFIX}`),
    async ({ ack, body, action, respond, client }) => {
      await ack();
      await service.during(async () => {
        try {
          await openForm(deps, client, body, action as unknown as ActionLike, respond);
        } catch (error) {
          logger.error({ err: error }, "form button failed");
          await tell(respond, `Something went wrong: ${errorMessage(error)}`, logger);
        }
      });
    },
  );

  app.view<ViewSubmitAction>(ACTION_FORM_CALLBACK_ID, async ({ ack, body, view, client }) =>
    service.during(async () => {
      const values = formValuesOf(view);
      const meta = decodeFormMetadata(view.private_metadata);
      if (meta?.channel === undefined) {
        const first = Object.keys(values)[0];
        const problem = "This form's data is not valid: close it and press the button again.";
        await ack(
          first === undefined ? undefined : { response_action: "errors", errors: { [first]: problem } },
        );
        return;
      }
      const checked = service.checkForm({ action: meta.action, base: meta.params, values });
      if (!checked.ok) {
        await ack({ response_action: "errors", errors: checked.errors });
        return;
      }
      await ack();
      const tellUser = async (text: string) => {
        try {
          await client.chat.postEphemeral({ channel: meta.channel!.channelId, user: body.user.id, text });
        } catch (error) {
          logger.warn({ err: slackError(error) }, "could not answer the user");
        }
      };
      try {
        const outcome = await service.requestAction({
          incidentId: meta.incidentId,
          proposal: { action: meta.action, params: checked.params },
          userId: body.user.id,
          channel: meta.channel,
          via: "form",
        });
        if (!outcome.ok) await tellUser(outcome.message);
      } catch (error) {
        logger.error({ err: error }, "form submission failed");
        await tellUser(`Something went wrong: ${errorMessage(error)}`);
      }
    }),
  );
}
