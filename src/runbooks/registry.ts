/** The automated runbooks, by id; the catalog lists all nine. */
import { RUNBOOK_CATALOG, type RunbookMeta } from "../core/catalog.ts";
import type { Runbook } from "../core/runbook.ts";
import { checkpointDurationRunbook } from "./checkpoint-duration/index.ts";
import { checkpointFailureRunbook } from "./checkpoint-failure/index.ts";
import { consumerLagRunbook } from "./consumer-lag/index.ts";
import { dlqSpikeRunbook } from "./dlq-spike/index.ts";
import { firehoseDeliveryFailureRunbook } from "./firehose-delivery-failure/index.ts";
import { kafkaBrokerDownRunbook } from "./kafka-broker-down/index.ts";
import { latencySloBreachRunbook } from "./latency-slo-breach/index.ts";
import { memoryUsageRunbook } from "./memory-usage/index.ts";
import { windowCompletenessRunbook } from "./window-completeness/index.ts";

const AUTOMATED: ReadonlyMap<string, Runbook> = new Map(
  [
    dlqSpikeRunbook,
    checkpointFailureRunbook,
    kafkaBrokerDownRunbook,
    firehoseDeliveryFailureRunbook,
    consumerLagRunbook,
    latencySloBreachRunbook,
    windowCompletenessRunbook,
    memoryUsageRunbook,
    checkpointDurationRunbook,
  ].map((r) => [r.meta.id, r] as const),
);

// Every runbook of the catalog is automated: a catalog entry without one is a programming error.
for (const meta of RUNBOOK_CATALOG) {
  if (!AUTOMATED.has(meta.id)) throw new Error(`runbook ${meta.id} is in the catalog but has no automation`);
}

/** The runbook with this id (undefined only for an id outside the catalog). */
export function automatedRunbook(id: string): Runbook | undefined {
  return AUTOMATED.get(id);
}

/** The runbook of a catalog entry. */
export function runbookFor(meta: RunbookMeta): Runbook {
  return AUTOMATED.get(meta.id)!;
}

export interface RunbookListing {
  readonly id: string;
  readonly alert: string;
  readonly aliases: readonly string[];
  readonly title: string;
  readonly severity: RunbookMeta["severity"];
  readonly automated: boolean;
}

/** The `runbook-bot runbooks --json` contract. */
export function listRunbooks(): RunbookListing[] {
  return RUNBOOK_CATALOG.map((r) => ({
    id: r.id,
    alert: r.alert,
    aliases: [...r.aliases],
    title: r.title,
    severity: r.severity,
    automated: AUTOMATED.has(r.id),
  }));
}
