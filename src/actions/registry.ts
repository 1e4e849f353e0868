import type { ActionDefinition, JsonParams } from "./action.ts";
import { scaleTaskmanagers } from "./scale-taskmanagers.ts";

const ACTIONS: ReadonlyMap<string, ActionDefinition> = new Map<string, ActionDefinition>([
  [scaleTaskmanagers.id, scaleTaskmanagers as unknown as ActionDefinition<JsonParams>],
]);

export function findAction(id: string): ActionDefinition | undefined {
  return ACTIONS.get(id);
}

export function actionIds(): string[] {
  return [...ACTIONS.keys()];
}
