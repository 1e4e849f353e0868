/** The new size of "Grow the state volume": larger than the claim's current request. */
import type { ActionFormSpec } from "../action-form.ts";
import { submittedValue } from "../action-form.ts";
import { bestEffort, stringParam } from "./form-params.ts";

export const growPvcForm: ActionFormSpec = {
  buttonLabel: "Other size…",
  needsValue: (params) => stringParam(params, "to") === undefined,
  async describe(params, { ports, config }) {
    const namespace = stringParam(params, "namespace") ?? config.pipeline.namespace;
    const name = stringParam(params, "claim") ?? config.pipeline.statePvc;
    const claim = await bestEffort(async () => ports.kubernetes?.volumeClaim(namespace, name));
    const requested = claim?.requested ?? stringParam(params, "from");
    const storageClass = claim?.storageClass;
    const initial = stringParam(params, "to");
    return {
      title: "Grow the state volume",
      intro: `${name} in namespace ${namespace}${requested === undefined ? "" : ` requests ${requested}`}${storageClass ? ` (StorageClass ${storageClass})` : ""}. A claim only grows, never shrinks back.`,
      fields: [
        {
          kind: "text",
          id: "to",
          label: "New size",
          placeholder: "100Gi",
          maxLength: 32,
          ...(initial === undefined ? {} : { initial }),
          hint: `A storage size${requested === undefined ? "" : ` larger than ${requested}`}, e.g. 100Gi.`,
        },
      ],
    };
  },
  toParams(values, base) {
    const to = submittedValue(values, "to");
    const { to: _to, ...rest } = base;
    return to === undefined ? rest : { ...rest, to };
  },
};
