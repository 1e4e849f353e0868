/**
 * What a store operation's answer says for the metrics: an incident opened or resolved, an
 * approval decided, an action ended. Read from the store's answers because the store decides who
 * won a race: of two replicas handling the same alert or click, only the winner's answer counts.
 */
import type { Telemetry } from "../ports/telemetry.ts";
import type {
  ActionRequest,
  OpenIncidentInput,
  OpenIncidentResult,
  RecordApprovalOutcome,
  RequestState,
  TransitionOutcome,
} from "./store.ts";

const ENDED: ReadonlySet<RequestState> = new Set(["succeeded", "failed", "outcome-unknown"]);

/** Counts what `method`'s result says; `runbookOf` finds a resolved incident's runbook. */
export async function countOutcome(
  telemetry: Telemetry,
  method: string,
  args: readonly unknown[],
  result: unknown,
  runbookOf: (incidentId: string) => Promise<string | undefined>,
): Promise<void> {
  switch (method) {
    case "openIncident":
      if ((result as OpenIncidentResult).created)
        telemetry.incidentOpened((args[0] as OpenIncidentInput).runbookId);
      return;
    case "resolveIncident": {
      if (result !== true) return;
      const runbook = await runbookOf(args[0] as string);
      telemetry.incidentResolved(runbook ?? "unknown");
      return;
    }
    case "recordApproval": {
      const r = result as RecordApprovalOutcome;
      telemetry.approval(r.recorded ? (r.approved ? "approved" : "partial") : `refused-${r.reason}`);
      return;
    }
    case "transitionRequest": {
      const r = result as TransitionOutcome;
      if (!r.won) return;
      if (r.request.state === "rejected") telemetry.approval("rejected");
      else if (r.request.state === "approved") telemetry.approval("approved");
      else if (ENDED.has(r.request.state)) telemetry.actionFinished(r.request.action, r.request.state);
      return;
    }
    case "expireDue":
      for (const _ of result as string[]) telemetry.approval("expired");
      return;
    case "markInterruptedExecutions":
      for (const r of result as ActionRequest[]) telemetry.actionFinished(r.action, "outcome-unknown");
      return;
    default:
      return;
  }
}
