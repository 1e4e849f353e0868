/** The whole store contract (every adapter runs it: SQLite in `unit`, PostgreSQL in `peers`). */
import { approvalsContract } from "./approvals.contract.ts";
import { auditContract } from "./audit.contract.ts";
import type { StoreHarness } from "./harness.ts";
import { incidentsContract } from "./incidents.contract.ts";
import { requestsContract } from "./requests.contract.ts";
import { resultsContract } from "./results.contract.ts";

export type { SharedDatabase, StoreHarness } from "./harness.ts";

export function storeContract(h: StoreHarness): void {
  incidentsContract(h);
  requestsContract(h);
  approvalsContract(h);
  auditContract(h);
  resultsContract(h);
}
