import type { ActionDefinition, JsonParams } from "./action.ts";
import { deleteTaskmanagerPods } from "./delete-taskmanager-pods.ts";
import { firehoseBuffering } from "./firehose-buffering.ts";
import { ACTION_FORMS } from "./forms/index.ts";
import { growPvc } from "./grow-pvc.ts";
import { rebootBroker } from "./reboot-broker.ts";
import { resetConsumerOffsets } from "./reset-consumer-offsets.ts";
import { restartTaskmanagers } from "./restart-taskmanagers.ts";
import { rollback } from "./rollback.ts";
import { scaleTaskmanagers } from "./scale-taskmanagers.ts";
import { setTaskmanagerResources } from "./set-taskmanager-resources.ts";
import { triggerCheckpoint } from "./trigger-checkpoint.ts";

/** Every action the bot can run, by id (ids are a public contract: runbooks propose them). */
const DEFINITIONS = [
  scaleTaskmanagers,
  rollback,
  restartTaskmanagers,
  deleteTaskmanagerPods,
  setTaskmanagerResources,
  growPvc,
  rebootBroker,
  firehoseBuffering,
  triggerCheckpoint,
  resetConsumerOffsets,
] as const;

/** Each definition with its form, where the action takes a value (forms/index.ts). */
const ACTIONS: ReadonlyMap<string, ActionDefinition> = new Map<string, ActionDefinition>(
  DEFINITIONS.map((d) => {
    const def = d as unknown as ActionDefinition<JsonParams>;
    const form = ACTION_FORMS[d.id];
    return [d.id, form === undefined ? def : { ...def, form }];
  }),
);

export function findAction(id: string): ActionDefinition | undefined {
  return ACTIONS.get(id);
}

export function actionIds(): string[] {
  return [...ACTIONS.keys()];
}
