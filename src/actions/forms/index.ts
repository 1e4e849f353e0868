/**
 * The forms of the actions that take a value, by action id. Kept beside the actions rather than in
 * their files: a form reads the action's helpers (describeRevision, clusterNameOf), and the registry
 * joins the two.
 */
import type { ActionFormSpec } from "../action-form.ts";
import { firehoseBufferingForm } from "./firehose-buffering-form.ts";
import { growPvcForm } from "./grow-pvc-form.ts";
import { rebootBrokerForm } from "./reboot-broker-form.ts";
import { resetOffsetsForm } from "./reset-offsets-form.ts";
import { rollbackForm } from "./rollback-form.ts";
import { scaleForm } from "./scale-form.ts";
import { setResourcesForm } from "./set-resources-form.ts";

export const ACTION_FORMS: Readonly<Record<string, ActionFormSpec>> = {
  "scale-taskmanagers": scaleForm,
  rollback: rollbackForm,
  "set-taskmanager-resources": setResourcesForm,
  "grow-pvc": growPvcForm,
  "firehose-buffering": firehoseBufferingForm,
  "reboot-broker": rebootBrokerForm,
  "reset-consumer-offsets": resetOffsetsForm,
};
