/**
 * Buttons: a proposal (or a replica choice) asks for an action; Approve / Reject decide it;
 * Re-run diagnostics re-runs. Every interaction is acknowledged first; refusals go back to the
 * person who clicked, and to the thread when the service says so.
 */
import type { App, BlockAction, RespondFn } from "@slack/bolt";
import type { AppConfig } from "../../config/schema.ts";
import type { IncidentService, Outcome } from "../../engine/incident-service.ts";
import { errorMessage } from "../../engine/run-probe.ts";
import type { Logger } from "../../logger.ts";
import {
  APPROVE_ACTION_ID,
  PROPOSAL_ACTION_PREFIX,
  REJECT_ACTION_ID,
  RERUN_ACTION_ID,
} from "../render/index.ts";
import { SCALE_CHOICE_ACTION_ID } from "../scale-choice.ts";
import { tell } from "./command-listener.ts";

interface ActionLike {
  readonly action_id: string;
  readonly value?: string;
  readonly action_ts?: string;
  readonly selected_option?: { readonly value?: string };
}

function parseJson(value: string | undefined): Record<string, unknown> | undefined {
  if (!value) return undefined;
  try {
    const v: unknown = JSON.parse(value);
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function registerActionListeners(
  app: App,
  deps: { config: AppConfig; service: IncidentService; logger: Logger },
): void {
  const { service, logger, config } = deps;
  const answer = (respond: RespondFn, work: () => Promise<Outcome>) =>
    service.during(async () => {
      try {
        const outcome = await work();
        if (!outcome.ok) await tell(respond, outcome.message, logger);
      } catch (error) {
        logger.error({ err: errorMessage(error) }, "interaction failed");
        await tell(respond, `Something went wrong: ${errorMessage(error)}`, logger);
      }
    });
  const invalid: Outcome = { ok: false, message: "This button's data is not valid; nothing was done." };

  app.action<BlockAction>(
    new RegExp(`^${PROPOSAL_ACTION_PREFIX}`),
    async ({ ack, body, action, respond }) => {
      await ack();
      const a = action as unknown as ActionLike;
      const value = parseJson(a.value);
      await answer(respond, async () => {
        if (
          !value ||
          typeof value.action !== "string" ||
          typeof value.incidentId !== "string" ||
          typeof value.params !== "object"
        ) {
          return invalid;
        }
        return service.requestAction({
          incidentId: value.incidentId,
          proposal: { action: value.action, params: (value.params ?? {}) as Record<string, unknown> },
          userId: body.user.id,
        });
      });
    },
  );

  app.action<BlockAction>(SCALE_CHOICE_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    const a = action as unknown as ActionLike;
    const value = parseJson(a.selected_option?.value);
    await answer(respond, async () => {
      if (!value || typeof value.incidentId !== "string" || typeof value.replicas !== "number")
        return invalid;
      return service.requestAction({
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
    await answer(respond, async () => (id ? service.approve(id, body.user.id) : invalid));
  });
  app.action<BlockAction>(REJECT_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    const id = requestIdOf(action);
    await answer(respond, async () => (id ? service.reject(id, body.user.id) : invalid));
  });
  app.action<BlockAction>(RERUN_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    const id = requestIdOf(action);
    await answer(respond, async () => (id ? service.rerun(id, body.user.id) : invalid));
  });
}
