/**
 * The post-incident report, purely: an incident, its run reports, action requests and audit log ->
 * a Markdown entry in the seed's INCIDENTS.md format (Date, Issue, Root Cause, Fix, Time to Fix,
 * Data Loss) followed by the timeline from the audit log.
 */

import { findRunbook } from "./catalog.ts";
import type { ActionRequest, AuditEvent, Incident, StoredRunReport } from "./records.ts";
import type { RunReport } from "./runbook.ts";

export interface PostIncidentInput {
  readonly incident: Incident;
  /** In save order (the last is the latest run). */
  readonly runReports: readonly StoredRunReport[];
  readonly requests: readonly ActionRequest[];
  /** The incident's audit events, in order. */
  readonly audit: readonly AuditEvent[];
  readonly now: Date;
}

const DATA_LOSS = /data loss|lost (records|messages|events|data)|records? (were )?(lost|dropped)/i;

export function renderPostIncidentReport(input: PostIncidentInput): string {
  const { incident, runReports, requests, audit, now } = input;
  const latest = runReports.at(-1)?.report;
  const title = latest?.title ?? findRunbook(incident.runbookId)?.title ?? incident.runbookId;
  const succeeded = requests.filter((r) => r.state === "succeeded");

  const issue = latest
    ? `${incident.alertName} (${title}): ${oneLine(latest.conclusion.summary)}`
    : `${incident.alertName} (${title}): no diagnosis was run`;
  const lines = [
    `# Date: ${incident.openedAt.toISOString().slice(0, 10)}`,
    `# Issue: ${issue}`,
    `# Root Cause: ${rootCause(latest)}`,
    `# Fix: ${succeeded.length === 0 ? "none executed" : succeeded.map(fixLine).join("; ")}`,
    `# Time to Fix: ${timeToFix(incident, succeeded)}`,
    `# Data Loss: ${dataLoss(runReports)}`,
    "",
    `Incident \`${incident.id}\` in channel ${incident.channel} (source: ${incident.source}, severity: ${incident.severity}, fired ${incident.fireCount}x), ${incident.state === "resolved" ? "resolved" : "still open"}. Report written ${iso(now)}.`,
    "",
    "## Timeline",
    "",
    "| Time (UTC) | Event | By |",
    "| --- | --- | --- |",
  ];
  const previews = new Map(requests.map((r) => [r.id, r.preview]));
  const stepTitles = new Map<string, string>();
  for (const run of runReports) {
    for (const step of run.report.steps) stepTitles.set(`${run.runId}:${step.id}`, step.title);
  }
  for (const event of audit) {
    const text = describeEvent(event, incident, previews, stepTitles);
    if (text === undefined) continue;
    lines.push(`| ${iso(event.at)} | ${cell(text)} | ${cell(who(event.actor))} |`);
  }
  return `${lines.join("\n")}\n`;
}

function rootCause(latest: RunReport | undefined): string {
  if (!latest) return "not diagnosed";
  const c = latest.conclusion;
  const cause = c.cause ? `${c.cause}: ` : "";
  const confidence = c.confidence ? ` (confidence: ${c.confidence})` : "";
  return `${cause}${oneLine(c.summary)}${confidence}`;
}

function fixLine(request: ActionRequest): string {
  const message = resultMessage(request.result);
  return message ? `${oneLine(request.preview)} (${oneLine(message)})` : oneLine(request.preview);
}

function timeToFix(incident: Incident, succeeded: readonly ActionRequest[]): string {
  if (incident.resolvedAt) return humanDuration(incident.openedAt, incident.resolvedAt);
  const last = succeeded
    .map((r) => r.updatedAt.getTime())
    .sort((a, b) => a - b)
    .at(-1);
  if (last !== undefined) {
    return `${humanDuration(incident.openedAt, new Date(last))} (to the last successful action; the alert is not resolved)`;
  }
  return "unresolved";
}

function dataLoss(runReports: readonly StoredRunReport[]): string {
  const said: string[] = [];
  for (const run of runReports) {
    for (const step of run.report.steps) {
      const texts = [step.summary, ...step.findings.flatMap((f) => [f.title, f.detail ?? ""])];
      for (const text of texts) {
        if (DATA_LOSS.test(text) && !said.includes(oneLine(text))) said.push(oneLine(text));
      }
    }
  }
  return said.length === 0 ? "not assessed by the bot" : said.join("; ");
}

function describeEvent(
  event: AuditEvent,
  incident: Incident,
  previews: ReadonlyMap<string, string>,
  stepTitles: ReadonlyMap<string, string>,
): string | undefined {
  const d = event.details;
  const preview =
    (event.requestId ? previews.get(event.requestId) : undefined) ?? str(d.preview) ?? str(d.action) ?? "";
  switch (event.kind) {
    case "incident.opened":
      return `Alert fired: ${incident.alertName} (${incident.source}); incident opened`;
    case "incident.fired":
      return `Alert fired again${typeof d.fireCount === "number" ? ` (x${d.fireCount})` : ""}`;
    case "incident.resolved":
      return `Resolved after ${humanDuration(incident.openedAt, event.at)}`;
    case "run.started":
      return "Diagnostics started";
    case "step.completed": {
      const step = str(d.step) ?? "step";
      const title = stepTitles.get(`${str(d.runId) ?? ""}:${step}`) ?? step;
      return `Finding, ${title} (${str(d.status) ?? "?"}): ${str(d.summary) ?? ""}`;
    }
    case "run.completed":
      return `Diagnosis: ${str(d.conclusion) ?? "done"}`;
    case "action.requested":
      return `Requested: ${preview}`;
    case "action.approval-recorded":
      return `Approval recorded (${String(d.approvals ?? "?")} of ${String(d.required ?? "?")}): ${preview}`;
    case "action.approved":
      return `Approved: ${preview}`;
    case "action.rejected":
      return `Rejected: ${preview}`;
    case "action.refused":
      return `Refused${str(d.attempted) ? ` (${str(d.attempted)})` : ""}: ${str(d.reason) ?? "not allowed"}`;
    case "action.previewed":
      return `Previewed (nothing executed): ${preview}`;
    case "action.expired":
      return `Expired unapproved: ${preview}`;
    case "action.executing":
      return `Executing: ${preview}`;
    case "action.succeeded":
      return `Succeeded: ${resultMessage(d.result) ?? preview}`;
    case "action.failed":
      return `Failed: ${preview}: ${str(d.note) ?? resultMessage(d.result) ?? "unknown error"}`;
    case "action.outcome-unknown":
      return `Outcome unknown (the bot stopped while executing): ${preview}`;
    case "action.verified":
      return `Verification: ${str(d.message) ?? str(d.summary) ?? resultMessage(d.result) ?? preview}`;
    case "actions.frozen":
      return "Actions frozen (preview only)";
    case "actions.unfrozen":
      return "Actions unfrozen";
    case "settings.changed":
      return `Setting changed: ${str(d.key) ?? "?"}`;
    case "report.written":
      return undefined;
  }
}

function resultMessage(result: unknown): string | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  return str((result as { message?: unknown }).message);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function who(actor: string): string {
  return actor === "bot" ? "bot" : `<@${actor}>`;
}

function iso(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** A Markdown table cell: one line, pipes escaped. */
function cell(text: string): string {
  return oneLine(text).replace(/\|/g, "\\|");
}

/** "8 minutes", "45 seconds", "1 hour 5 minutes". */
export function humanDuration(from: Date, to: Date): string {
  const s = Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (s < 60) return plural(s, "second");
  const m = Math.round(s / 60);
  if (m < 60) return plural(m, "minute");
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? plural(h, "hour") : `${plural(h, "hour")} ${plural(m % 60, "minute")}`;
}
