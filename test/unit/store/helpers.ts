import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpenIncidentInput } from "../../../src/store/store.ts";

export const T0 = new Date("2025-01-01T10:00:00.000Z");

/** `minutes` after T0. */
export function at(minutes: number): Date {
  return new Date(T0.getTime() + minutes * 60_000);
}

export function incidentInput(overrides: Partial<OpenIncidentInput> = {}): OpenIncidentInput {
  return {
    dedupeKey: "C1:1700000000.000100",
    runbookId: "consumer-lag",
    alertName: "kafka-consumer-lag-high",
    source: "cloudwatch",
    channel: "C1",
    threadTs: "1700000000.000100",
    severity: "high",
    openedAt: T0,
    ...overrides,
  };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "runbook-bot-store-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
