/** A Telemetry that keeps what it was told, for tests: one line per call, in order. */
import type { Telemetry } from "../../src/ports/telemetry.ts";

export class MemoryTelemetry implements Telemetry {
  readonly said: string[] = [];
  readonly durations: { readonly what: string; readonly seconds: number }[] = [];

  private note(line: string): void {
    this.said.push(line);
  }
  alertReceived(source: string): void {
    this.note(`alert-received ${source}`);
  }
  alertMatched(source: string, runbook: string): void {
    this.note(`alert-matched ${source} ${runbook}`);
  }
  incidentOpened(runbook: string): void {
    this.note(`incident-opened ${runbook}`);
  }
  incidentResolved(runbook: string): void {
    this.note(`incident-resolved ${runbook}`);
  }
  runbookFinished(runbook: string, outcome: string, seconds: number): void {
    this.note(`runbook ${runbook} ${outcome}`);
    this.durations.push({ what: `runbook ${runbook}`, seconds });
  }
  stepFinished(runbook: string, step: string, outcome: string, seconds: number): void {
    this.note(`step ${runbook} ${step} ${outcome}`);
    this.durations.push({ what: `step ${runbook} ${step}`, seconds });
  }
  probeError(system: string, kind: "failed" | "timeout"): void {
    this.note(`probe-error ${system} ${kind}`);
  }
  slackCall(method: string, outcome: "ok" | "error"): void {
    this.note(`slack ${method} ${outcome}`);
  }
  slackRetry(method: string): void {
    this.note(`slack-retry ${method}`);
  }
  approval(outcome: string): void {
    this.note(`approval ${outcome}`);
  }
  actionFinished(action: string, outcome: string): void {
    this.note(`action ${action} ${outcome}`);
  }
  storeOperation(operation: string, outcome: "ok" | "error", seconds: number): void {
    this.note(`store ${operation} ${outcome}`);
    this.durations.push({ what: `store ${operation}`, seconds });
  }

  /** The lines that are not store timings. */
  get events(): string[] {
    return this.said.filter((l) => !l.startsWith("store "));
  }
}
