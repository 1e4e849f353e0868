/** The broker of "Reboot MSK broker": one of the cluster's nodes, as MSK lists them. */
import type { MskBrokerNode } from "../../ports/msk.ts";
import { ActionRefusal } from "../action.ts";
import type { ActionFormSpec, FormOption } from "../action-form.ts";
import { withNumber } from "../action-form.ts";
import { clusterNameOf } from "../reboot-broker.ts";
import { requirePort } from "../require-port.ts";
import { numberParam, stringParam } from "./form-params.ts";

/** `broker 2 · b-2.orders.kafka.us-east-1.amazonaws.com` */
export function brokerOption(b: MskBrokerNode): FormOption {
  const endpoint = b.endpoints[0];
  return { value: String(b.brokerId), label: `broker ${b.brokerId}${endpoint ? ` · ${endpoint}` : ""}` };
}

export const rebootBrokerForm: ActionFormSpec = {
  buttonLabel: "Choose broker…",
  needsValue: (params) => numberParam(params, "brokerId") === undefined,
  async describe(params, { ports, config }) {
    const msk = requirePort(ports.msk, "MSK");
    const arn = stringParam(params, "clusterArn") ?? config.msk?.clusterArn;
    if (arn === undefined) throw new ActionRefusal("no MSK cluster is configured (msk.clusterArn)");
    const brokers = [...(await msk.listBrokers(arn))].sort((a, b) => a.brokerId - b.brokerId);
    if (brokers.length === 0) throw new ActionRefusal(`MSK lists no brokers for ${clusterNameOf(arn)}`);
    const options = brokers.map(brokerOption);
    const proposed = numberParam(params, "brokerId");
    const initial = options.find((o) => o.value === String(proposed))?.value;
    return {
      title: "Reboot MSK broker",
      intro: `Cluster ${clusterNameOf(arn)}. MSK reboots one broker at a time; while it reboots, its partitions lose a replica.`,
      fields: [
        {
          kind: "select",
          id: "brokerId",
          label: "Broker",
          options,
          ...(initial === undefined ? {} : { initial }),
          hint: "The cluster's broker nodes (ListNodes).",
        },
      ],
    };
  },
  toParams: (values, base) => withNumber(base, values, "brokerId"),
};
