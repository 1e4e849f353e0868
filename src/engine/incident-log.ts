/**
 * The log of one incident (and of one of its action requests): a child logger whose every line
 * carries `incident`, `runbook` and, for an action, `request` and `action`, so that one incident's
 * lines can be found together whichever replica wrote them.
 */
import type { Logger } from "../logger.ts";
import type { ActionRequest, Incident } from "../store/store.ts";

export function incidentLog(
  logger: Logger,
  incident: Pick<Incident, "id" | "runbookId">,
  request?: Pick<ActionRequest, "id" | "action">,
): Logger {
  return logger.child({
    incident: incident.id,
    runbook: incident.runbookId,
    ...(request ? { request: request.id, action: request.action } : {}),
  });
}
