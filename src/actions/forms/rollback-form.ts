/** The revision of "Roll back taskmanagers", from the deployment's rollout history (image and change-cause shown). */
import type { RolloutRevision } from "../../ports/kubernetes.ts";
import { ActionRefusal } from "../action.ts";
import type { ActionFormSpec, FormOption } from "../action-form.ts";
import { withNumber } from "../action-form.ts";
import { requirePort } from "../require-port.ts";
import { describeRevision } from "../rollback.ts";
import { numberParam, stringParam } from "./form-params.ts";

/** `2 · flink-job:1.4.2 · "deploy 1.4.2"`: the option of one revision. */
export function revisionOption(r: RolloutRevision): FormOption {
  const images = r.images.length > 0 ? r.images.join(", ") : "no image";
  const cause = r.changeCause === null ? "no change-cause" : JSON.stringify(r.changeCause);
  return { value: String(r.revision), label: `${r.revision} · ${images} · ${cause}` };
}

export const rollbackForm: ActionFormSpec = {
  buttonLabel: "Choose revision…",
  // Without a revision the action rolls back to the previous one: never a missing value.
  needsValue: () => false,
  async describe(params, { ports, config }) {
    const k8s = requirePort(ports.kubernetes, "Kubernetes");
    const namespace = stringParam(params, "namespace") ?? config.pipeline.namespace;
    const deployment = stringParam(params, "deployment") ?? config.pipeline.taskmanagerDeployment;
    const history = await k8s.rolloutHistory(namespace, deployment);
    const current = history.find((r) => r.current);
    const earlier = history
      .filter((r) => !r.current)
      .sort((a, b) => b.revision - a.revision)
      .map(revisionOption);
    if (earlier.length === 0) {
      throw new ActionRefusal(`${deployment} has no other revision in its rollout history to roll back to`);
    }
    const proposed = numberParam(params, "toRevision");
    const initial = earlier.find((o) => o.value === String(proposed))?.value ?? earlier[0]?.value;
    return {
      title: "Roll back",
      intro: `${deployment} in namespace ${namespace} runs ${current === undefined ? "no revision of its history" : describeRevision(current)}. Choose the revision to roll back to; every taskmanager is replaced.`,
      fields: [
        {
          kind: "select",
          id: "toRevision",
          label: "Revision",
          options: earlier,
          ...(initial === undefined ? {} : { initial }),
          hint: "Newest first: revision · image · change-cause (kubectl rollout history).",
        },
      ],
    };
  },
  toParams: (values, base) => withNumber(base, values, "toRevision"),
};
