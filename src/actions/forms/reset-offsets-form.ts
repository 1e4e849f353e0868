/** The time "Reset consumer offsets (reprocess)" goes back to: from the proposal, or chosen. */
import { formatCount } from "../../core/metric-math.ts";
import type { ActionFormSpec } from "../action-form.ts";
import { submittedValue } from "../action-form.ts";
import { bestEffort, stringParam } from "./form-params.ts";

export const resetOffsetsForm: ActionFormSpec = {
  buttonLabel: "Other time…",
  needsValue: (params) => stringParam(params, "fromTime") === undefined && params.minutesAgo === undefined,
  async describe(params, { ports, config }) {
    const group = stringParam(params, "group") ?? config.pipeline.consumerGroup;
    const topic = stringParam(params, "topic") ?? config.pipeline.sourceTopic;
    const lag = await bestEffort(async () => ports.kafka?.groupLag(group, [topic]));
    const initial = stringParam(params, "fromTime");
    return {
      title: "Reprocess from a time",
      intro:
        `Moves ${group}'s committed offsets on ${topic} back to the first record at or after the time, so its consumers read from there again (duplicates downstream).` +
        (lag === undefined
          ? ""
          : ` Now: group ${lag.state}, ${formatCount(lag.members)} members, lag ${formatCount(lag.totalLag)}.`) +
        " The preview lists every partition's offsets before and after.",
      fields: [
        {
          kind: "text",
          id: "fromTime",
          label: "Reprocess from (UTC)",
          placeholder: "2026-01-13T10:15:00Z",
          maxLength: 40,
          ...(initial === undefined ? {} : { initial }),
          hint: "ISO 8601 with a zone, e.g. 2026-01-13T10:15:00Z; at most 30 days back (Kafka's retention).",
        },
      ],
    };
  },
  toParams(values, base) {
    const fromTime = submittedValue(values, "fromTime");
    // A new time means new partitions: the preview computes them again.
    const { fromTime: _from, minutesAgo: _ago, partitions: _parts, ...rest } = base;
    return fromTime === undefined ? rest : { ...rest, fromTime };
  },
};
