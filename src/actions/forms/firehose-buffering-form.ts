/** SizeInMBs / IntervalInSeconds of "Change Firehose buffering", within the service's limits. */
import { S3_BUFFERING_LIMITS } from "../../ports/firehose.ts";
import type { ActionFormSpec } from "../action-form.ts";
import { withNumber } from "../action-form.ts";
import { describeBuffering } from "../firehose-buffering.ts";
import { bestEffort, numberParam, stringParam } from "./form-params.ts";

export const firehoseBufferingForm: ActionFormSpec = {
  buttonLabel: "Other buffering…",
  needsValue: (params) =>
    numberParam(params, "sizeMb") === undefined || numberParam(params, "intervalSeconds") === undefined,
  async describe(params, { ports, config }) {
    const name = stringParam(params, "streamName") ?? config.pipeline.deliveryStream;
    const stream = await bestEffort(async () => ports.firehose?.describeDeliveryStream(name));
    const s3 = stream?.destinations.find((d) => d.s3 !== undefined)?.s3;
    const { sizeMb, intervalSeconds } = S3_BUFFERING_LIMITS;
    const minSize = s3?.dynamicPartitioning ? sizeMb.minWithDynamicPartitioning : sizeMb.min;
    const size = numberParam(params, "sizeMb");
    const interval = numberParam(params, "intervalSeconds");
    return {
      title: "Firehose buffering",
      intro: `${name} buffers ${s3 === undefined ? "(not readable now)" : describeBuffering(s3.buffering)}. Firehose delivers when either the size or the interval is reached.`,
      fields: [
        {
          kind: "number",
          id: "sizeMb",
          label: "Buffer size (MiB)",
          min: minSize,
          max: sizeMb.max,
          ...(size === undefined ? {} : { initial: size }),
          hint: `SizeInMBs: ${minSize} to ${sizeMb.max}${s3?.dynamicPartitioning ? " (dynamic partitioning)" : ""}.`,
        },
        {
          kind: "number",
          id: "intervalSeconds",
          label: "Buffer interval (seconds)",
          min: intervalSeconds.min,
          max: intervalSeconds.max,
          ...(interval === undefined ? {} : { initial: interval }),
          hint: `IntervalInSeconds: ${intervalSeconds.min} to ${intervalSeconds.max}.`,
        },
      ],
    };
  },
  problemPrefixes: { sizeMb: ["buffer size"], intervalSeconds: ["buffer interval"] },
  toParams: (values, base) => withNumber(withNumber(base, values, "sizeMb"), values, "intervalSeconds"),
};
