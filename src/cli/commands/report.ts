/**
 * `runbook-bot report <incident-id>`: the post-incident report of an incident, from the configured
 * store (SQLite, or PostgreSQL when its URL is set), as Markdown on stdout. Reads only (no audit
 * event, no Slack); a store file that does not exist is not created.
 */
import { existsSync } from "node:fs";
import type { AppConfig } from "../../config/schema.ts";
import { storeChoice } from "../../config/store-choice.ts";
import { renderPostIncidentReport } from "../../core/post-incident-report.ts";
import { openStore } from "../../store/open-store.ts";
import { type CliIo, writeLine } from "../io.ts";

export async function report(incidentId: string, config: AppConfig, io: CliIo): Promise<number> {
  const choice = storeChoice(config);
  const path = choice.where;
  if (choice.kind === "sqlite" && path !== ":memory:" && !existsSync(path)) {
    writeLine(io.stderr, `runbook-bot: no store at ${path} (store.path): no incidents to report on`);
    return 2;
  }
  const store = await openStore(choice);
  try {
    const incident = await store.getIncident(incidentId);
    if (!incident) {
      writeLine(io.stderr, `runbook-bot: no incident ${incidentId} in the store at ${path}`);
      return 2;
    }
    const [runReports, requests, audit] = await Promise.all([
      store.listRunReports(incident.id),
      store.listRequests({ incidentId: incident.id }),
      store.listAudit({ incidentId: incident.id }),
    ]);
    io.stdout.write(renderPostIncidentReport({ incident, runReports, requests, audit, now: new Date() }));
    return 0;
  } finally {
    await store.close();
  }
}
