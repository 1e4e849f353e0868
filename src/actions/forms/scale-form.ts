/** The replica count of "Scale taskmanagers", within actions.scaleTaskmanagers' bounds. */
import type { ActionFormSpec } from "../action-form.ts";
import { withNumber } from "../action-form.ts";
import { bestEffort, numberParam, stringParam } from "./form-params.ts";

export const scaleForm: ActionFormSpec = {
  buttonLabel: "Other replica count…",
  needsValue: (params) => numberParam(params, "replicas") === undefined,
  async describe(params, { ports, config }) {
    const { minReplicas: min, maxReplicas: max } = config.actions.scaleTaskmanagers;
    const namespace = stringParam(params, "namespace") ?? config.pipeline.namespace;
    const deployment = stringParam(params, "deployment") ?? config.pipeline.taskmanagerDeployment;
    const current =
      numberParam(params, "fromReplicas") ??
      (await bestEffort(async () => (await ports.kubernetes?.getScale(namespace, deployment))?.replicas));
    const initial = numberParam(params, "replicas");
    return {
      title: "Scale taskmanagers",
      intro: `${deployment} in namespace ${namespace}${current === undefined ? "" : ` runs ${current} replicas`}. Choose how many replicas it should run; the request is posted in the thread for approval.`,
      fields: [
        {
          kind: "number",
          id: "replicas",
          label: "Replicas",
          min,
          max,
          ...(initial === undefined ? {} : { initial }),
          hint: `A whole number from ${min} to ${max} (actions.scaleTaskmanagers).`,
        },
      ],
    };
  },
  toParams: (values, base) => withNumber(base, values, "replicas"),
};
