/** CPU / memory requests and limits of "Set taskmanager resources" (Kubernetes quantities). */
import { bytesToQuantity } from "../../core/format-units.ts";
import type { JsonParams } from "../action.ts";
import type { ActionFormSpec, FormField, FormValues } from "../action-form.ts";
import { submittedValue } from "../action-form.ts";
import { millicoresQuantity } from "../set-taskmanager-resources.ts";
import { bestEffort, nestedString, stringParam } from "./form-params.ts";

const KINDS = ["limits", "requests"] as const;
const KEYS = ["memory", "cpu"] as const;

const HINT = { memory: "A memory quantity, e.g. 12Gi.", cpu: "A CPU quantity, e.g. 2 or 1500m." };

function given(params: JsonParams): boolean {
  return KINDS.some((kind) => KEYS.some((key) => nestedString(params, kind, key) !== undefined));
}

export const setResourcesForm: ActionFormSpec = {
  buttonLabel: "Other values…",
  needsValue: (params) => !given(params),
  async describe(params, { ports, config }) {
    const namespace = stringParam(params, "namespace") ?? config.pipeline.namespace;
    const deployment = stringParam(params, "deployment") ?? config.pipeline.taskmanagerDeployment;
    const container = stringParam(params, "container") ?? "the taskmanager container";
    const usage = await bestEffort(
      async () => (await ports.kubernetes?.podUsage(namespace, config.pipeline.taskmanagerSelector))?.[0],
    );
    const current: string[] = [];
    if (usage?.cpuLimitMillicores != null)
      current.push(`cpu ${millicoresQuantity(usage.cpuLimitMillicores)}`);
    if (usage?.memoryLimitBytes != null) current.push(`memory ${bytesToQuantity(usage.memoryLimitBytes)}`);
    const fields: FormField[] = [];
    for (const kind of KINDS) {
      for (const key of KEYS) {
        const initial = nestedString(params, kind, key);
        fields.push({
          kind: "text",
          id: `${kind}.${key}`,
          label: `${key === "cpu" ? "CPU" : "Memory"} ${kind === "limits" ? "limit" : "request"}`,
          optional: true,
          maxLength: 32,
          ...(initial === undefined ? {} : { initial }),
          hint: `${HINT[key]} Empty leaves it as it is.`,
        });
      }
    }
    return {
      title: "Taskmanager resources",
      intro: `Container ${container} of ${deployment} in namespace ${namespace}${current.length > 0 ? `; limits now ${current.join(", ")}` : ""}. Every taskmanager is replaced and the job restarts from its last checkpoint.`,
      fields,
    };
  },
  toParams(values: FormValues, base: JsonParams): JsonParams {
    const { requests: _r, limits: _l, ...rest } = base;
    const out: Record<string, unknown> = { ...rest };
    for (const kind of KINDS) {
      const chosen: Record<string, string> = {};
      for (const key of KEYS) {
        const v = submittedValue(values, `${kind}.${key}`);
        if (v !== undefined) chosen[key] = v;
      }
      if (Object.keys(chosen).length > 0) out[kind] = chosen;
    }
    return out;
  },
};
