/** The automated runbooks, by id; the catalog lists all nine. */
import { RUNBOOK_CATALOG, type RunbookMeta } from "../core/catalog.ts";
import type { Runbook } from "../core/runbook.ts";
import { consumerLagRunbook } from "./consumer-lag/index.ts";

const AUTOMATED: ReadonlyMap<string, Runbook> = new Map([[consumerLagRunbook.meta.id, consumerLagRunbook]]);

export function automatedRunbook(id: string): Runbook | undefined {
  return AUTOMATED.get(id);
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
